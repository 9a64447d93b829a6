import { ChatToGeminiTranslator } from './chat-to-gemini.translator';
import { geminiCallId } from './gemini-answer-fields';

const translate = (body: object) => new ChatToGeminiTranslator().translate({ model: 'gemini-2.5-pro', messages: [], ...body } as never);

describe('ChatToGeminiTranslator', () => {
  it('puts system messages in systemInstruction and merges adjacent turns of one role', () => {
    const body = translate({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'developer', content: 'No jokes.' }, { role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'assistant', content: 'c' }] });
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'No jokes.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'a' }, { text: 'b' }] }, { role: 'model', parts: [{ text: 'c' }] }]);
    expect(body.model).toBe('gemini-2.5-pro');
  });

  it('sends images as inlineData, http images as fileData', () => {
    const body = translate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'image_url', image_url: { url: 'https://x.test/a.jpg' } }] }] });
    expect(body.contents[0].parts).toEqual([{ text: 'see' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }, { fileData: { fileUri: 'https://x.test/a.jpg', mimeType: 'image/jpeg' } }]);
  });

  it('sends tool calls as functionCall parts with the signature their id carries, and results as functionResponses named after their call', () => {
    const id = geminiCallId(undefined, 'sig-1');
    const body = translate({
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'call_2', content: '14:05' },
        { role: 'tool', tool_call_id: id, content: '{"temp":21}' },
      ],
    });
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-1' }, { functionCall: { name: 'get_time', args: {} } }] });
    expect(body.contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_time', response: { result: '14:05' } } }, { functionResponse: { name: 'get_weather', response: { temp: 21 } } }] });
  });

  it('declares tools, maps tool_choice, sampling, limits, JSON output and reasoning effort', () => {
    const body = translate({
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 100,
      stop: 'END',
      response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'object' } } },
      reasoning_effort: 'medium',
      stream: true,
    });
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: 'f', description: 'd', parametersJsonSchema: { type: 'object' } }] }]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } });
    expect(body.generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      stopSequences: ['END'],
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object' },
      thinkingConfig: { thinkingBudget: 8192, includeThoughts: true },
    });
    expect(body.stream).toBe(true);
    expect(translate({ messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'none' }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });
});
