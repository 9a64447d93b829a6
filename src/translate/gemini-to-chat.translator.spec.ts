import { GeminiToChatTranslator } from './gemini-to-chat.translator';
import { TranslationRefusal } from './translation-refusal';

const translate = (body: object) => new GeminiToChatTranslator().translate({ model: 'gpt-5', contents: [], ...body } as never);

describe('GeminiToChatTranslator', () => {
  it('turns systemInstruction, turns, images and thoughts into chat messages (thoughts stay behind)', () => {
    const body = translate({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'look: ' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        { role: 'model', parts: [{ text: 'hmm', thought: true }, { text: 'A cat.' }] },
        { role: 'user', parts: [{ text: 'thanks' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'look: ' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
      { role: 'assistant', content: 'A cat.' },
      { role: 'user', content: 'thanks' },
    ]);
  });

  it('makes up call ids and matches function responses by id, then by name, then by order', () => {
    const body = translate({
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { name: 'a', args: { x: 1 } } }, { functionCall: { name: 'b', args: {} } }, { functionCall: { name: 'c', id: 'own-id', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'c', id: 'own-id', response: { result: 'C' } } }, { functionResponse: { name: 'b', response: { result: 'B' } } }, { functionResponse: { name: 'zzz', response: { v: 1 } } }] },
      ],
    });
    const assistant = body.messages[1];
    expect(assistant.tool_calls).toEqual([
      { id: 'call_1_0', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
      { id: 'call_1_1', type: 'function', function: { name: 'b', arguments: '{}' } },
      { id: 'own-id', type: 'function', function: { name: 'c', arguments: '{}' } },
    ]);
    expect(body.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'own-id', content: 'C' },
      { role: 'tool', tool_call_id: 'call_1_1', content: 'B' },
      { role: 'tool', tool_call_id: 'call_1_0', content: '{"v":1}' },
    ]);
  });

  it('maps tools (OpenAPI types lower-cased), toolConfig, generationConfig and thinking', () => {
    const body = translate({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } } } }, { name: 'g', parametersJsonSchema: { type: 'object' } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      generationConfig: { temperature: 0.5, topP: 0.8, maxOutputTokens: 64, stopSequences: ['X'], responseMimeType: 'application/json', thinkingConfig: { thinkingBudget: 24576 } },
      stream: true,
    });
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { q: { type: 'string' } } } } },
      { type: 'function', function: { name: 'g', parameters: { type: 'object' } } },
    ]);
    expect(body).toMatchObject({ tool_choice: 'required', temperature: 0.5, top_p: 0.8, max_tokens: 64, stop: ['X'], response_format: { type: 'json_object' }, reasoning_effort: 'high', stream: true });
    expect(translate({ contents: [], generationConfig: { thinkingConfig: { thinkingLevel: 'low' } } }).reasoning_effort).toBe('low');
    expect(translate({ contents: [], generationConfig: { thinkingConfig: { thinkingBudget: -1 } } }).reasoning_effort).toBeUndefined();
  });

  it('refuses Gemini-only hosted tools', () => {
    expect(() => translate({ contents: [], tools: [{ googleSearch: {} }] })).toThrow(TranslationRefusal);
  });
});
