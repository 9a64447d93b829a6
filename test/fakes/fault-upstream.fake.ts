// A programmable misbehaving upstream for the fault suite: one server that speaks OpenAI chat
// (POST /v1/chat/completions), Anthropic Messages (POST /v1/messages) and the Responses API
// (POST /v1/responses) as reference/wire-protocols.md describes them (§4.1, §3.4, §1.5) when all
// is well, and breaks each of them in one chosen way when told to: refused and reset
// connections, error statuses, bad JSON, error events followed by a success ending, silence,
// HTML, an answer too large. `program(fault)` applies to every request until changed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sseFrame } from './fake-upstream-base';

export const FAULTS = [
  'ok',
  'reset-before-headers',
  'reset-after-headers',
  'reset-mid-stream',
  'status-500',
  'status-503',
  '429-with-reset',
  '429-without-reset',
  'bad-json-first',
  'bad-json-mid',
  'error-then-success-end',
  'hang-before-headers',
  'silence-mid-stream',
  'html-200',
  'empty-200',
  'huge-event',
] as const;
export type Fault = (typeof FAULTS)[number];

export type FakeProtocol = 'openai-chat' | 'anthropic-messages' | 'openai-responses';

/** What the fake writes for a healthy answer; also what a mid-stream fault starts with. */
const CONTENT_PARTS = ['Hello', ', ', 'world', '!'];

/** Bigger than the gateway's bound on one SSE event (16 MiB). */
const HUGE_EVENT_CHARS = 17 * 1024 * 1024;
/** Built once: repeating 17 MB on every request took time the timeouts under test count. */
const HUGE_TEXT = 'x'.repeat(HUGE_EVENT_CHARS);

export class FaultUpstream extends FakeUpstreamBase {
  fault: Fault = 'ok';
  /** Requests received, by protocol. */
  readonly received: Record<FakeProtocol, number> = { 'openai-chat': 0, 'anthropic-messages': 0, 'openai-responses': 0 };

  program(fault: Fault): void {
    this.fault = fault;
  }

  /**
   * The huge whole answer: the wire's ordinary JSON with the 17 MB text spliced in where a short
   * marker stood. JSON.stringify of the 17 MB object took 0.5–1 s on a busy CI machine, and since
   * this fake runs in the gateway's own process, that blocked loop let the gateway's 600 ms
   * timers fire before the body's first chunk was read (a 504 under test, not a gateway fault).
   */
  private hugeWhole(wire: Wire, model: string): string {
    const marker = 'HUGE-TEXT-GOES-HERE';
    const [before, after] = JSON.stringify(wire.whole(model, marker)).split(marker);
    return before + HUGE_TEXT + after;
  }

  /** The fault suite's name for `stop()`. */
  close(): Promise<void> {
    return this.stop();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const protocol = protocolOf(req.url ?? '');
    if (!protocol) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    this.received[protocol]++;
    let body: { stream?: boolean; model?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
      return;
    }
    // Codex's Responses backend always streams; the platform API answers JSON unless asked.
    const stream = body.stream === true;
    const model = body.model ?? 'model';
    const wire = WIRES[protocol];
    const fault = this.fault;
    const sse = () => res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });

    switch (fault) {
      case 'ok':
        if (stream) {
          sse();
          for (const frame of wire.frames(model)) res.write(frame);
          res.end(wire.end);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(wire.whole(model, CONTENT_PARTS.join(''))));
        }
        return;
      case 'reset-before-headers':
        req.socket.destroy();
        return;
      case 'reset-after-headers':
        (stream ? sse() : res.writeHead(200, { 'content-type': 'application/json' })).flushHeaders();
        setTimeout(() => req.socket.destroy(), 20);
        return;
      case 'reset-mid-stream':
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
          res.write('{"id":"x","object":');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        }
        sse();
        for (const frame of wire.frames(model).slice(0, wire.midPoint)) res.write(frame);
        setTimeout(() => req.socket.destroy(), 20);
        return;
      case 'status-500':
      case 'status-503': {
        const status = fault === 'status-500' ? 500 : 503;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(wire.errorBody('upstream is broken', status)));
        return;
      }
      case '429-with-reset':
      case '429-without-reset': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        // What OpenAI and Anthropic send: seconds, and the exact wait in ms (which wins).
        if (fault === '429-with-reset') Object.assign(headers, { 'retry-after': '1', 'retry-after-ms': '300' });
        res.writeHead(429, headers).end(JSON.stringify(wire.errorBody('rate limited', 429)));
        return;
      }
      case 'bad-json-first':
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{this is not json}');
          return;
        }
        sse();
        res.end(`${wire.eventLine('message_start')}data: {this is not json\n\n${wire.end}`);
        return;
      case 'bad-json-mid':
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","choices":[{"index":0,"message":{"content":"hi"');
          return;
        }
        sse();
        for (const frame of wire.frames(model).slice(0, wire.midPoint)) res.write(frame);
        res.end(`${wire.eventLine('content_block_delta')}data: {"oops": tru\n\n${wire.end}`);
        return;
      case 'error-then-success-end':
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(wire.errorBody('provider failed', 502)));
          return;
        }
        sse();
        for (const frame of wire.frames(model).slice(0, wire.midPoint)) res.write(frame);
        res.end(wire.errorThenSuccess(model));
        return;
      case 'hang-before-headers':
        return; // never answers; the gateway's first-byte timeout must end it
      case 'silence-mid-stream':
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"id":"x",');
          return; // stays silent with the connection open
        }
        sse();
        for (const frame of wire.frames(model).slice(0, wire.midPoint)) res.write(frame);
        return;
      case 'html-200':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in to the Wi-Fi</body></html>');
        return;
      case 'empty-200':
        (stream ? sse() : res.writeHead(200, { 'content-type': 'application/json' })).end();
        return;
      case 'huge-event':
        if (!stream) {
          // A whole answer far larger than usual but valid: it must arrive intact.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(this.hugeWhole(wire, model));
          return;
        }
        sse();
        for (const frame of wire.frames(model).slice(0, wire.midPoint)) res.write(frame);
        res.end(`data: ${HUGE_TEXT}\n\n`);
        return;
    }
  }
}

/** The size of the healthy whole answer to `huge-event` (for the suite's check). */
export const HUGE_ANSWER_CHARS = HUGE_EVENT_CHARS;

function protocolOf(url: string): FakeProtocol | undefined {
  const path = url.split('?')[0];
  if (path.endsWith('/chat/completions')) return 'openai-chat';
  if (path.endsWith('/messages')) return 'anthropic-messages';
  if (path.endsWith('/responses')) return 'openai-responses';
  return undefined;
}

/** One protocol's healthy bytes and its ways of failing. */
interface Wire {
  /** The frames of a healthy stream, without the end. */
  frames(model: string): string[];
  /** How many frames a mid-stream fault sends first (past the first content). */
  midPoint: number;
  /** What ends a healthy stream (chat's `[DONE]`; nothing more for the others). */
  end: string;
  /** The `event:` line a frame of this protocol carries (Anthropic only). */
  eventLine(name: string): string;
  whole(model: string, content: string): object;
  errorBody(message: string, status: number): object;
  /** An error event followed by what would otherwise end the stream well. */
  errorThenSuccess(model: string): string;
}

const data = (value: object) => sseFrame(value);
const named = (event: string, value: object) => sseFrame(value, event);

const CHAT: Wire = {
  frames(model) {
    const chunk = (delta: object, finish: string | null = null) =>
      data({ id: 'chatcmpl-f', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    return [chunk({ role: 'assistant', content: '' }), ...CONTENT_PARTS.map((content) => chunk({ content })), chunk({}, 'stop')];
  },
  midPoint: 3,
  end: 'data: [DONE]\n\n',
  eventLine: () => '',
  whole: (model, content) => ({
    id: 'chatcmpl-f',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
  }),
  errorBody: (message, status) => ({ error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code: status } }),
  // What OpenRouter and vLLM do when the provider behind them fails mid-stream.
  errorThenSuccess: () => `${data({ error: { message: 'provider failed', code: 502 } })}data: [DONE]\n\n`,
};

const MESSAGES: Wire = {
  frames(model) {
    return [
      named('message_start', {
        type: 'message_start',
        message: { id: 'msg_f', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } },
      }),
      named('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      named('ping', { type: 'ping' }),
      ...CONTENT_PARTS.map((text) => named('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
      named('content_block_stop', { type: 'content_block_stop', index: 0 }),
      named('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } }),
      named('message_stop', { type: 'message_stop' }),
    ];
  },
  midPoint: 4,
  end: '',
  eventLine: (name) => `event: ${name}\n`,
  whole: (model, content) => ({
    id: 'msg_f',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: content }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 4 },
  }),
  errorBody: (message, status) => ({ type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status === 503 ? 'overloaded_error' : 'api_error', message } }),
  errorThenSuccess: () =>
    named('error', { type: 'error', error: { type: 'api_error', message: 'provider failed' } }) + named('message_stop', { type: 'message_stop' }),
};

function responseObject(model: string, status: string, output: object[]): object {
  return { id: 'resp_f', object: 'response', created_at: 1, status, model, output, usage: status === 'completed' ? { input_tokens: 3, output_tokens: 4, total_tokens: 7 } : null };
}

const RESPONSES: Wire = {
  frames(model) {
    let seq = 0;
    const ev = (type: string, rest: object) => named(type, { type, sequence_number: seq++, ...rest });
    const item = { id: 'msg_f', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
    const text = CONTENT_PARTS.join('');
    const done = { ...item, status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
    return [
      ev('response.created', { response: responseObject(model, 'in_progress', []) }),
      ev('response.in_progress', { response: responseObject(model, 'in_progress', []) }),
      ev('response.output_item.added', { output_index: 0, item }),
      ev('response.content_part.added', { item_id: 'msg_f', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
      ...CONTENT_PARTS.map((delta) => ev('response.output_text.delta', { item_id: 'msg_f', output_index: 0, content_index: 0, delta })),
      ev('response.output_text.done', { item_id: 'msg_f', output_index: 0, content_index: 0, text }),
      ev('response.content_part.done', { item_id: 'msg_f', output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [] } }),
      ev('response.output_item.done', { output_index: 0, item: done }),
      ev('response.completed', { response: responseObject(model, 'completed', [done]) }),
    ];
  },
  midPoint: 5,
  end: '',
  eventLine: () => '',
  whole: (model, content) =>
    responseObject(model, 'completed', [{ id: 'msg_f', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: content, annotations: [] }] }]),
  errorBody: (message, status) => ({ error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code: null } }),
  errorThenSuccess: (model) =>
    named('error', { type: 'error', sequence_number: 90, code: 'server_error', message: 'provider failed', param: null }) +
    named('response.completed', { type: 'response.completed', sequence_number: 91, response: responseObject(model, 'completed', []) }),
};

const WIRES: Record<FakeProtocol, Wire> = { 'openai-chat': CHAT, 'anthropic-messages': MESSAGES, 'openai-responses': RESPONSES };
