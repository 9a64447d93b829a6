import { ChatStreamError } from './chat-stream-error';
import { ChatToGeminiStreamTranslator } from './chat-to-gemini-stream.translator';

const base = { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-5' };
const chunk = (delta: object, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });

describe('ChatToGeminiStreamTranslator', () => {
  it('streams reasoning and text, holds call fragments until the end, and ends with finishReason and usage', () => {
    const stream = new ChatToGeminiStreamTranslator().createStream({ model: 'gpt-5' });
    const out = [
      ...stream.push(chunk({ role: 'assistant', reasoning_content: 'think' }) as never),
      ...stream.push(chunk({ content: 'Hi' }) as never),
      ...stream.push(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] }) as never),
      ...stream.push(chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }) as never),
      ...stream.push(chunk({}, 'tool_calls') as never),
      ...stream.push({ ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } } as never),
    ];
    expect(out.map((c) => c.candidates![0].content!.parts)).toEqual([[{ text: 'think', thought: true }], [{ text: 'Hi' }]]);
    const [last] = stream.finish();
    expect(last.candidates![0]).toMatchObject({ content: { parts: [{ functionCall: { id: 'call_1', name: 'f', args: { a: 1 } } }] }, finishReason: 'STOP' });
    expect(last.usageMetadata).toEqual({ promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 });
    expect(last).toMatchObject({ modelVersion: 'gpt-5', responseId: 'chatcmpl-9' });
  });

  it('reads a loose upstream as the other chat translators do: choice 0 by index, null calls skipped, an empty finish_reason is no end', () => {
    const stream = new ChatToGeminiStreamTranslator().createStream({ model: 'm' });
    const out = [
      ...stream.push({ ...base, choices: [null, { index: 1, delta: { content: 'other choice' }, finish_reason: null }, { delta: { content: 'Hi', tool_calls: [null, { index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }, finish_reason: '' }] } as never),
    ];
    expect(out.map((c) => c.candidates![0].content!.parts)).toEqual([[{ text: 'Hi' }]]);
    expect(() => stream.finish()).toThrow(ChatStreamError);
    stream.push(chunk({}, 'eos') as never);
    const [last] = stream.finish();
    expect(last.candidates![0].content!.parts).toEqual([{ functionCall: { id: 'c', name: 'f', args: {} } }]);
  });

  it('throws on an upstream error payload and at an end without a finish_reason', () => {
    const failing = new ChatToGeminiStreamTranslator().createStream({ model: 'm' });
    expect(() => failing.push({ error: { message: 'broke', type: 'server_error' } })).toThrow(ChatStreamError);
    const cut = new ChatToGeminiStreamTranslator().createStream({ model: 'm' });
    cut.push(chunk({ content: 'Half' }) as never);
    expect(() => cut.finish()).toThrow(ChatStreamError);
  });
});
