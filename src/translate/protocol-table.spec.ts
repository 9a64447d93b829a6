// The protocol table: complete by type, the same-protocol cells pass through, the thinking
// projection runs after translation, and composed cells carry the upstream's id once.
import type { MessagesStreamEvent } from '../protocol/anthropic-messages';
import type { ChatCompletionRequest } from '../protocol/openai-chat';
import type { SseEvent } from '../protocol/sse';
import type { Bridge } from './bridges/bridge';
import { createTranslators } from './bridges/translators';
import { SAMPLE_A_TEXT, events } from './fixtures/responses-samples';
import { ProtocolTable, protocolBridges, type ProtocolBridges } from './protocol-table';

async function* sse(items: object[]): AsyncGenerator<SseEvent> {
  for (const item of items) yield { data: JSON.stringify(item) };
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const table = new ProtocolTable();
const chatRequest: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }], vendor_field: 1 } as ChatCompletionRequest;

describe('ProtocolTable', () => {
  it('has a bridge for every (client, upstream) pair', () => {
    const bridges = protocolBridges(createTranslators());
    for (const row of Object.values(bridges)) {
      expect(Object.keys(row).sort()).toEqual(['anthropic-messages', 'gemini', 'kiro', 'openai-chat', 'openai-responses']);
      for (const bridge of Object.values(row) as Bridge<unknown, unknown>[]) {
        for (const step of ['request', 'answer', 'collect', 'stream'] as const) expect(typeof bridge[step]).toBe('function');
      }
    }
    expect(Object.keys(bridges).sort()).toEqual(['anthropic-messages', 'gemini', 'openai-chat', 'openai-responses']);
  });

  it('passes a Gemini body through to a Gemini upstream, with a thinking suffix projected onto it', () => {
    const body = { model: 'gemini-2.5-pro', contents: [{ role: 'user', parts: [{ text: 'hi' }] }], vendor_field: 1 };
    expect(table.bridge('gemini', 'gemini').request(body, { stream: false })).toBe(body);
    expect(table.bridge('gemini', 'gemini').request(body, { stream: false, thinking: { kind: 'level', level: 'low' } })).toEqual({
      ...body,
      generationConfig: { thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } },
    });
  });

  it('serves a Messages client from a Gemini stream, composed through chat, with the response id wrapped once', async () => {
    const bridge = table.bridge('anthropic-messages', 'gemini');
    const chunks = [
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] } }], responseId: 'r9' },
      { candidates: [{ content: { role: 'model', parts: [{ text: '!' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 }, responseId: 'r9' },
    ];
    const out = await all(bridge.stream(sse(chunks), { request: { model: 'g', max_tokens: 10, messages: [] }, instance: 'gemini', model: 'g' }).events);
    const parsed = out.map((e) => JSON.parse(e.data) as MessagesStreamEvent);
    expect(parsed[0]).toMatchObject({ type: 'message_start', message: { id: 'msg_r9' } });
    expect(parsed.filter((e) => e.type === 'content_block_delta').map((e) => (e as { delta: { text: string } }).delta.text).join('')).toBe('Hi!');
    expect(parsed.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } });
  });

  it('serves a Gemini client from a Kiro stream, and collects a whole Messages answer from one, composed through chat', async () => {
    const kiro = (): AsyncGenerator<SseEvent> =>
      sse([
        { assistantResponseEvent: { content: 'Let me look.' } },
        { toolUseEvent: { name: 'find', toolUseId: 'tu1', input: '{"q":', stop: false } },
        { toolUseEvent: { name: 'find', toolUseId: 'tu1', input: '"x"}', stop: true } },
        { contextUsageEvent: { contextUsagePercentage: 1 } },
      ]);
    const gemini = table.bridge('gemini', 'kiro');
    const request = gemini.request({ model: 'k', contents: [{ role: 'user', parts: [{ text: 'find x' }] }] }, { stream: true });
    expect(request.conversationState.currentMessage.userInputMessage.content).toBe('find x');
    const chunks = (await all(gemini.stream(kiro(), { request: { contents: [] }, instance: 'kiro', model: 'k' }).events)).map((e) => JSON.parse(e.data));
    const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
    expect(parts).toEqual([{ text: 'Let me look.' }, expect.objectContaining({ functionCall: expect.objectContaining({ name: 'find', args: { q: 'x' } }) })]);
    expect(chunks.at(-1)).toMatchObject({ usageMetadata: { promptTokenCount: 2000 } });

    const message = (await table.bridge('anthropic-messages', 'kiro').collect(kiro(), { request: { model: 'k', max_tokens: 10, messages: [] }, instance: 'kiro', model: 'k' })) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'message',
      stop_reason: 'tool_use',
      content: [{ type: 'text', text: 'Let me look.' }, { type: 'tool_use', id: 'tu1', name: 'find', input: { q: 'x' } }],
      usage: { input_tokens: 2000 },
    });
  });

  it('does not compile with a cell missing', () => {
    const bridges = protocolBridges(createTranslators());
    // @ts-expect-error the chat row lacks its Messages upstream
    const incomplete: ProtocolBridges = { ...bridges, 'openai-chat': { 'openai-chat': bridges['openai-chat']['openai-chat'], 'openai-responses': bridges['openai-chat']['openai-responses'] } };
    expect(incomplete).toBeDefined();
  });

  it('passes a same-protocol body through as the same object, unknown fields kept', () => {
    expect(table.bridge('openai-chat', 'openai-chat').request(chatRequest, { stream: false })).toBe(chatRequest);
    const passed = table.bridge('openai-chat', 'openai-chat').answer(() => ({ id: 'x' }), { request: chatRequest, instance: 'i', model: 'm' });
    expect(passed).toBeUndefined();
  });

  it('asks a chat upstream for the usage chunk of a stream, without changing the client body', () => {
    const body = table.bridge('openai-chat', 'openai-chat').request(chatRequest, { stream: true });
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(chatRequest.stream_options).toBeUndefined();
  });

  it('projects a thinking suffix after translating, in the upstream protocol', () => {
    const messages = table.bridge('openai-chat', 'anthropic-messages').request(chatRequest, { stream: false, thinking: { kind: 'level', level: 'high' } });
    expect(messages.thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
    const responses = table.bridge('openai-chat', 'openai-responses').request(chatRequest, { stream: false, thinking: { kind: 'level', level: 'low' } });
    expect(responses.reasoning).toEqual({ effort: 'low', summary: 'auto' });
  });

  it('serves a Messages client from a Responses upstream with the response id wrapped once', async () => {
    const bridge = table.bridge('anthropic-messages', 'openai-responses');
    const request = { model: 'claude-alias', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
    const upstream = bridge.request(request, { stream: true });
    expect(upstream.input).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }]);

    const out = bridge.stream(sse(events(SAMPLE_A_TEXT)), { request, instance: 'codex', model: 'claude-alias' });
    const sent = (await all(out.events)).map((event) => JSON.parse(event.data) as MessagesStreamEvent);
    const start = sent[0] as { type: string; message: { id: string; model: string } };
    expect(start.type).toBe('message_start');
    expect(start.message.id).toBe('msg_resp_68a1f0c2d4e8');
    expect(start.message.model).toBe('gpt-5.1-codex');
    const text = sent.filter((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta').map((e) => (e as { delta: { text: string } }).delta.text);
    expect(text.join('')).toBe('Hello! How can I help?');
    expect(sent.at(-1)?.type).toBe('message_stop');

    const whole = (await bridge.collect(sse(events(SAMPLE_A_TEXT)), { request, instance: 'codex', model: 'claude-alias' })) as { id: string; content: unknown[] };
    expect(whole.id).toBe('msg_resp_68a1f0c2d4e8');
  });

  it('gives each client dialect its stream error event', () => {
    const error = { status: 429, type: 'rate_limit_error' as const, code: 'rate_limited', param: null, message: 'slow down' };
    const chat = table.bridge('openai-chat', 'openai-chat').stream(sse([]), { request: chatRequest, instance: 'i', model: 'm' });
    expect(JSON.parse(chat.errorEvent(error).data)).toEqual({ error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limited' } });
    expect(chat.terminator).toBe('data: [DONE]\n\n');
    const request = { model: 'm', max_tokens: 1, messages: [] };
    const messages = table.bridge('anthropic-messages', 'anthropic-messages').stream(sse([]), { request, instance: 'i', model: 'm' });
    expect(messages.errorEvent(error)).toEqual({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }) });
    const responses = table.bridge('openai-responses', 'openai-responses').stream(sse([]), { request: { model: 'm', input: 'x' }, instance: 'i', model: 'm' });
    expect(JSON.parse(responses.errorEvent(error).data)).toMatchObject({ type: 'error', sequence_number: 0, code: 'rate_limited' });
  });
});
