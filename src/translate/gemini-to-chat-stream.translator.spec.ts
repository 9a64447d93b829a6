import type { GeminiPart, GeminiResponse } from '../protocol/gemini-generate-content';
import { ChatStreamError } from './chat-stream-error';
import { GeminiToChatStreamTranslator } from './gemini-to-chat-stream.translator';

const chunk = (parts: GeminiPart[], extra: object = {}): GeminiResponse => ({ candidates: [{ content: { role: 'model', parts }, ...extra }], responseId: 'r1', modelVersion: 'gemini-2.5-pro' });

describe('GeminiToChatStreamTranslator', () => {
  it('streams thoughts, text and whole calls; the finish and usage chunks come at the end', () => {
    const stream = new GeminiToChatStreamTranslator().createStream({ model: 'gemini-2.5-pro', includeUsage: true });
    const out = [
      ...stream.push(chunk([{ text: 'hmm', thought: true }])),
      ...stream.push(chunk([{ text: 'Hel' }])),
      ...stream.push(chunk([{ text: 'lo' }, { functionCall: { name: 'f', args: { a: 1 } } }], { finishReason: 'STOP' })),
    ];
    expect(out.map((c) => c.choices[0].delta)).toEqual([
      { role: 'assistant', content: null, reasoning_content: 'hmm' },
      { content: 'Hel' },
      { content: 'lo' },
      { tool_calls: [{ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
    ]);
    expect(out.every((c) => c.id === 'chatcmpl-r1' && c.usage === null)).toBe(true);
    stream.push({ usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 } } as never);
    const end = stream.end();
    expect(end[0].choices[0].finish_reason).toBe('tool_calls');
    expect(end[1]).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } });
  });

  it('throws at an end without a finishReason, and on an error chunk', () => {
    const cut = new GeminiToChatStreamTranslator().createStream({});
    cut.push(chunk([{ text: 'Half' }]));
    expect(() => cut.end()).toThrow(ChatStreamError);
    const failing = new GeminiToChatStreamTranslator().createStream({});
    expect(() => failing.push({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } } as never)).toThrow(expect.objectContaining({ status: 503, message: 'overloaded' }));
  });
});
