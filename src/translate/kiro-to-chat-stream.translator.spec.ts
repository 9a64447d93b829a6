import type { KiroStreamEvent } from '../protocol/kiro-assistant-response';
import type { ChatCompletionChunk } from '../protocol/openai-chat';
import { ChatChunksToCompletion } from './chat-chunks-to-completion';
import { ChatStreamError } from './chat-stream-error';
import { KiroToChatStreamTranslator } from './kiro-to-chat-stream.translator';

const translator = new KiroToChatStreamTranslator();

function run(events: KiroStreamEvent[], includeUsage = true, thinking = false): ChatCompletionChunk[] {
  const stream = translator.createStream({ model: 'kiro-claude-sonnet-4-5', includeUsage, thinking });
  return [...events.flatMap((e) => stream.push(e)), ...stream.end()];
}

const text = (content: string): KiroStreamEvent => ({ assistantResponseEvent: { content } });
const tool = (input: string | undefined, stop = false, toolUseId = 't1', name = 'get_weather'): KiroStreamEvent => ({ toolUseEvent: { name, toolUseId, input, stop } });

describe('KiroToChatStream', () => {
  it('streams text, then the finish chunk and the usage chunk (input from the context percentage, output estimated)', () => {
    const chunks = run([text('Hello'), text(', world'), { meteringEvent: { unit: 'credit', usage: 0.1 } }, { contextUsageEvent: { contextUsagePercentage: 2.5 } }]);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['Hello', ', world', null, null]);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks[2].choices[0].finish_reason).toBe('stop');
    expect(chunks[3]).toMatchObject({ choices: [], usage: { prompt_tokens: 5000, completion_tokens: 3, total_tokens: 5003 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('opens a tool call with its id and name, streams its input fragments, and finishes with tool_calls', () => {
    const chunks = run([text('Let me check.'), tool('{"ci'), tool('ty":"Pa'), tool('ris"}'), tool(undefined, true), tool('{"again":1}', true)]);
    const assembled = new ChatChunksToCompletion();
    chunks.forEach((c) => assembled.push(c));
    const completion = assembled.completion();
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Let me check.',
      tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
  });

  it('gives a call without input `{}`, and closes a call when the next one starts', () => {
    const completion = new ChatChunksToCompletion();
    run([tool('', false, 'a', 'now'), tool('{"x":1}', false, 'b', 'other'), tool(undefined, true, 'b', 'other')]).forEach((c) => completion.push(c));
    expect(completion.completion().choices[0].message.tool_calls).toEqual([
      { id: 'a', type: 'function', function: { name: 'now', arguments: '{}' } },
      { id: 'b', type: 'function', function: { name: 'other', arguments: '{"x":1}' } },
    ]);
  });

  it('prefers the counts of a metadata event, and maps a max-tokens stop to length', () => {
    const chunks = run([
      text('cut'),
      { messageMetadataEvent: { tokenUsage: { uncachedInputTokens: 10, cacheReadInputTokens: 90, outputTokens: 7 } } },
      { messageStopEvent: { stopReason: 'MAX_TOKENS' } },
    ]);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('length');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 90 } });
  });

  it('sends no usage chunk to a client that did not ask', () => {
    expect(run([text('x')], false).map((c) => c.usage)).toEqual([undefined, undefined]);
  });

  it('throws when the stream ends inside a tool call, or before any event', () => {
    expect(() => run([tool('{"a"')])).toThrow(ChatStreamError);
    expect(() => run([tool('{"a"')])).toThrow(/inside a tool call/);
    expect(() => run([])).toThrow(/ended before it answered/);
  });

  describe('thinking', () => {
    const RAW = '<thinking>\nFoxes are quick.\n</thinking>\n\nThe quick brown fox.';
    const whole = (chunks: ChatCompletionChunk[]) => {
      const completion = new ChatChunksToCompletion();
      chunks.forEach((c) => completion.push(c));
      return completion.completion().choices[0].message;
    };

    it('sends the inline thinking as reasoning_content and the rest as content, the tags cut at every position', () => {
      for (let at = 0; at <= RAW.length; at++) {
        const chunks = run([text(RAW.slice(0, at)), text(RAW.slice(at))], true, true);
        expect([at, whole(chunks)]).toEqual([at, { role: 'assistant', content: 'The quick brown fox.', reasoning_content: 'Foxes are quick.' }]);
        // No chunk carries both, and the thinking comes first.
        const kinds = chunks.flatMap((c) => (c.choices[0]?.delta.reasoning_content ? ['r'] : c.choices[0]?.delta.content ? ['c'] : []));
        expect(kinds.join('')).toMatch(/^r+c+$/);
      }
    });

    it('leaves the text untouched when the request did not ask for thinking, even if it opens with the tag', () => {
      expect(whole(run([text(RAW.slice(0, 7)), text(RAW.slice(7))]))).toEqual({ role: 'assistant', content: RAW });
    });

    it('leaves an answer that mentions the tag mid-way untouched', () => {
      const answer = 'Wrap it in <thinking>…</thinking>, then answer.';
      expect(whole(run([text(answer.slice(0, 12)), text(answer.slice(12))], true, true))).toEqual({ role: 'assistant', content: answer });
    });

    it('sends a thinking the stream ended inside as reasoning, with its finish and usage (output counted from both)', () => {
      const chunks = run([text('<thinking>\nhalf a thou'), text('ght</th'), { messageStopEvent: { stopReason: 'MAX_TOKENS' } }], true, true);
      expect(whole(chunks)).toEqual({ role: 'assistant', content: '', reasoning_content: 'half a thought</th' });
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('length');
      expect(chunks.at(-1)!.usage!.completion_tokens).toBe(Math.ceil('<thinking>\nhalf a thought</th'.length / 4));
    });

    it('sends what it held before a tool call, then the call', () => {
      const message = whole(run([text('<thinking>\nI need the weather\n'), tool('{}', true)], true, true));
      expect(message.reasoning_content).toBe('I need the weather\n');
      expect(message.tool_calls).toHaveLength(1);
    });

    it('sends a reasoningContentEvent as reasoning_content, whether or not the request asked', () => {
      expect(whole(run([{ reasoningContentEvent: { text: 'pondering', signature: 'sig' } }, text('Hi')]))).toEqual({
        role: 'assistant',
        content: 'Hi',
        reasoning_content: 'pondering',
      });
    });
  });
});
