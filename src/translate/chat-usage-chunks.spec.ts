// The usage the gateway asked a chat upstream for, kept from a client that did not ask for it.
import type { ChatCompletionRequest } from '../protocol/openai-chat';
import type { SseEvent } from '../protocol/sse';
import { askForUsage, withoutAskedUsage } from './chat-usage-chunks';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' };

function event(chunk: object): SseEvent {
  return { data: JSON.stringify(chunk), json: chunk };
}

describe('askForUsage', () => {
  it('adds include_usage to a copy, keeping the client body and its other stream options', () => {
    const body = { model: 'm', messages: [], stream: true, stream_options: { include_obfuscation: false } } as unknown as ChatCompletionRequest;
    expect(askForUsage(body)).toEqual({ ...body, stream_options: { include_obfuscation: false, include_usage: true } });
    expect(body.stream_options).toEqual({ include_obfuscation: false });
  });
});

describe('withoutAskedUsage', () => {
  it('drops the usage chunk', () => {
    expect(withoutAskedUsage(event({ ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }))).toBeUndefined();
  });

  it('takes `usage: null` out of a content chunk, as the client would have had it', () => {
    const chunk = { ...base, choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] };
    const out = withoutAskedUsage(event({ ...chunk, usage: null }));
    expect(out?.data).toBe(JSON.stringify(chunk));
  });

  it('takes it out wherever it sits in the chunk', () => {
    const chunk = { ...base, choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] };
    const out = withoutAskedUsage(event({ usage: null, ...chunk }));
    expect(JSON.parse(out!.data)).toEqual(chunk);
    expect(out!.data).not.toContain('usage');
  });

  it('takes usage off a finish chunk that carries it (vLLM-style) but keeps the chunk', () => {
    const chunk = { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
    const out = withoutAskedUsage(event({ ...chunk, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    expect(JSON.parse(out!.data)).toEqual(chunk);
  });

  it('passes a chunk without a usage field on as the same event', () => {
    const same = event({ ...base, choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] });
    expect(withoutAskedUsage(same)).toBe(same);
  });
});
