// A fake upstream for the request fuzz: one port that answers every protocol the gateway calls
// (reference/wire-protocols.md) — Chat Completions (`POST /v1/chat/completions`, JSON or SSE),
// Anthropic Messages (`POST /v1/messages`, JSON or SSE with `event:` lines, and `count_tokens`),
// and the Responses API (`POST /v1/responses`, always SSE, as Codex answers) — and always answers
// well, whatever the request holds. So any 5xx the gateway gives during the fuzz is the gateway's
// own fault. It also counts the bodies it could not parse: the gateway must never pass garbage on.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sendJson as sendJsonStatus, sseFrame } from './fake-upstream-base';

type Json = Record<string, any>;

const CREATED = 1767225600;
const TEXT = 'ok';

export class AnyProtocolUpstream extends FakeUpstreamBase {
  /** Requests answered, by path. */
  readonly received = new Map<string, number>();
  /** Bodies that were not a JSON object (the gateway let garbage through). */
  readonly garbage: string[] = [];

  protected override setUp(server: Server): void {
    server.keepAliveTimeout = 60_000;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req).catch(() => '');
    const path = (req.url ?? '').split('?')[0];
    this.received.set(path, (this.received.get(path) ?? 0) + 1);
    let body: Json = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Json;
    } catch {
      this.garbage.push(`${req.method} ${path}: ${text.slice(0, 200)}`);
    }
    const model = typeof body.model === 'string' ? body.model : 'fuzz-model';
    const stream = body.stream === true;
    switch (path) {
      case '/v1/chat/completions':
        return stream ? sendSse(res, chatChunks(model, body.stream_options?.include_usage === true)) : sendJson(res, chatCompletion(model));
      case '/v1/messages':
        return stream ? sendSse(res, messageEvents(model), true) : sendJson(res, message(model));
      case '/v1/messages/count_tokens':
        return sendJson(res, { input_tokens: 7 });
      case '/v1/responses':
        return sendSse(res, responseEvents(model), true);
      default:
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${path}`, type: 'invalid_request_error', param: null, code: null } }));
    }
  }
}

const usage = { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 };

function chatCompletion(model: string): Json {
  return {
    id: 'chatcmpl-fuzz',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: TEXT, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage,
  };
}

function chatChunks(model: string, includeUsage: boolean): Json[] {
  const base = { id: 'chatcmpl-fuzz', object: 'chat.completion.chunk', created: CREATED, model, ...(includeUsage ? { usage: null } : {}) };
  const chunk = (delta: Json, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const chunks: Json[] = [chunk({ role: 'assistant', content: '' }), chunk({ content: TEXT }), chunk({}, 'stop')];
  if (includeUsage) chunks.push({ ...base, choices: [], usage });
  return chunks;
}

function message(model: string): Json {
  return {
    id: 'msg_fuzz',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: TEXT }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  };
}

function messageEvents(model: string): Json[] {
  return [
    { type: 'message_start', message: { ...message(model), content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: TEXT } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
    { type: 'message_stop' },
  ];
}

function responseEvents(model: string): Json[] {
  const response = {
    id: 'resp_fuzz',
    object: 'response',
    created_at: CREATED,
    status: 'in_progress',
    model,
    output: [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    store: false,
    reasoning: null,
    usage: null,
    error: null,
    incomplete_details: null,
  };
  const part = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });
  const item = { id: 'msg_fuzz', type: 'message', status: 'completed', role: 'assistant', content: [part(TEXT)] };
  const events: Json[] = [
    { type: 'response.created', response },
    { type: 'response.in_progress', response },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', item_id: item.id, output_index: 0, content_index: 0, part: part('') },
    { type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: TEXT, logprobs: [] },
    { type: 'response.output_text.done', item_id: item.id, output_index: 0, content_index: 0, text: TEXT, logprobs: [] },
    { type: 'response.content_part.done', item_id: item.id, output_index: 0, content_index: 0, part: part(TEXT) },
    { type: 'response.output_item.done', output_index: 0, item },
    {
      type: 'response.completed',
      response: {
        ...response,
        status: 'completed',
        output: [item],
        usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 6 },
      },
    },
  ];
  return events.map((event, i) => ({ ...event, sequence_number: i }));
}

function sendJson(res: ServerResponse, body: Json): void {
  sendJsonStatus(res, 200, body);
}

/** SSE: `event:` lines for Anthropic and Responses streams; Chat's bare `data:` lines end with [DONE]. */
function sendSse(res: ServerResponse, events: Json[], named = false): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let text = '';
  for (const event of events) text += sseFrame(event, named ? event.type : undefined);
  if (!named) text += 'data: [DONE]\n\n';
  res.end(text);
}
