// Checks the fake Codex backend itself against reference/wire-protocols.md §1 with raw clients
// (undici for HTTP, ws for WebSocket), so gateway tests built on it can trust what it sends.
import { request } from 'undici';
import WebSocket from 'ws';
import {
  CONNECTION_LIMIT_MESSAGE,
  DEFAULT_CALL_ARGUMENTS,
  FakeCodexBackend,
  REJECTED_PARAMETERS,
  WS_BETA,
} from './fakes/codex-backend.fake';

type Json = Record<string, any>;

const TOKEN = 'tok-alice';
const ACCOUNT = 'acct-alice';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'chatgpt-account-id': ACCOUNT };
const HTTP_HEADERS = { ...AUTH, 'content-type': 'application/json', accept: 'text/event-stream', originator: 'codex_cli_rs' };
const WS_HEADERS = { ...AUTH, 'openai-beta': WS_BETA, originator: 'codex_cli_rs' };
const SHELL_TOOL = {
  type: 'function',
  name: 'shell',
  description: 'Run a command',
  strict: false,
  parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
};

const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

function codexBody(overrides: Json = {}): Json {
  return {
    model: 'gpt-5.1-codex',
    instructions: 'You are Codex.',
    input: [user('hello')],
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'thread-1',
    ...overrides,
  };
}

async function post(fake: FakeCodexBackend, body: unknown, headers: Record<string, string> = HTTP_HEADERS) {
  const res = await request(`${fake.httpUrl}/responses`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

interface SseEvent {
  event: string;
  data: Json;
}

/** Strict SSE parse: every block must be exactly `event: X` + `data: {json}` with data.type === X. */
function parseSse(text: string): SseEvent[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^event: \S+$/);
      expect(lines[1]).toMatch(/^data: \{/);
      const event = lines[0].slice('event: '.length);
      const data = JSON.parse(lines[1].slice('data: '.length));
      expect(data.type).toBe(event);
      return { event, data };
    });
}

const types = (events: Array<{ type?: string }>) => events.map((e) => e.type);
const deltaText = (events: Json[], type: string) => events.filter((e) => e.type === type).map((e) => e.delta).join('');

/** A raw ws client that buffers every frame from the start and reports the close code. */
class WsClient {
  readonly frames: Json[] = [];
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      const text = data.toString();
      this.raw.push(text);
      this.frames.push(JSON.parse(text));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    void this.closed.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string, headers: Record<string, string> = WS_HEADERS): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, perMessageDeflate: true });
      const client = new WsClient(socket);
      socket.on('open', () => resolve(client));
      socket.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
      });
    });
  }

  send(body: Json): void {
    this.socket.send(JSON.stringify(body));
  }

  /** Waits for a frame (counted from `from`) whose type is one of `terminal`; returns frames from..it. */
  async until(terminal: string[], from = 0, timeoutMs = 5000): Promise<Json[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f, i) => i >= from && terminal.includes(f.type));
      if (index >= 0) return this.frames.slice(from, index + 1);
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed before ${terminal.join('|')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${terminal.join('|')} frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with ${status}`);
  }
}

async function refusal(promise: Promise<WsClient>): Promise<UpgradeRefused> {
  try {
    const client = await promise;
    client.socket.terminate();
  } catch (error) {
    if (error instanceof UpgradeRefused) return error;
    throw error;
  }
  throw new Error('the upgrade was accepted');
}

const createFrame = (overrides: Json = {}) => {
  const { stream: _stream, ...rest } = codexBody(overrides);
  return { type: 'response.create', ...rest };
};

describe('fake Codex backend', () => {
  let fake: FakeCodexBackend;
  const clients: WsClient[] = [];

  beforeEach(async () => {
    fake = new FakeCodexBackend();
    await fake.start();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await fake.stop();
  });

  async function connect(headers: Record<string, string> = WS_HEADERS): Promise<WsClient> {
    const client = await WsClient.open(fake.wsUrl, headers);
    clients.push(client);
    return client;
  }

  it('exposes the base URL a gateway uses and the WebSocket URL', () => {
    expect(fake.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/backend-api\/codex$/);
    expect(fake.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/backend-api\/codex\/responses$/);
  });

  describe('HTTP SSE', () => {
    it('frames a text answer like Sample A: event + data lines, sequence numbers from 0, no [DONE], ends after response.completed', async () => {
      const res = await post(fake, codexBody({ input: [user('list files please')] }));

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.text).not.toContain('[DONE]');
      const events = parseSse(res.text).map((e) => e.data);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(types(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.content_part.added',
        ...events.filter((e) => e.type === 'response.output_text.delta').map(() => 'response.output_text.delta'),
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(events.filter((e) => e.type === 'response.output_text.delta').length).toBeGreaterThanOrEqual(3);
      expect(deltaText(events, 'response.output_text.delta')).toBe('You said: list files please');

      const created = events[0].response;
      expect(created).toMatchObject({ object: 'response', status: 'in_progress', model: 'gpt-5.1-codex', output: [], store: false });
      const reasoning = events[8].item;
      expect(reasoning).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: deltaText(events, 'response.reasoning_summary_text.delta') }] });
      expect(reasoning.encrypted_content).toMatch(/^gAAAA/);
      const message = events[events.length - 2].item;
      expect(message).toMatchObject({ type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'You said: list files please' }] });

      const completed = events[events.length - 1].response;
      expect(completed.id).toBe(created.id);
      expect(completed.status).toBe('completed');
      expect(completed.output).toEqual([]);
      expect(completed.usage.input_tokens_details.cached_tokens).toBeGreaterThan(0);
      expect(completed.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      expect(completed.usage.total_tokens).toBe(completed.usage.input_tokens + completed.usage.output_tokens);

      expect(fake.lastRequest).toMatchObject({ transport: 'http', responseId: created.id, body: { prompt_cache_key: 'thread-1' } });
      expect(fake.lastRequest.headers.originator).toBe('codex_cli_rs');
      expect(fake.finishedResponses).toBe(1);
    });

    it('fills response.completed.output with the output_item.done items when asked', async () => {
      fake.completedOutput = 'filled';
      const events = parseSse((await post(fake, codexBody())).text).map((e) => e.data);
      const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item);
      expect(done).toHaveLength(2);
      expect(events[events.length - 1].response.output).toEqual(done);
    });

    it('answers with a function call of the first tool, arguments in several deltas, then echoes the tool output', async () => {
      const first = parseSse((await post(fake, codexBody({ input: [user('list files')], tools: [SHELL_TOOL] }))).text).map((e) => e.data);
      expect(types(first)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ]);
      const added = first[2].item;
      expect(added).toMatchObject({ type: 'function_call', name: 'shell', arguments: '' });
      expect(first[3]).not.toHaveProperty('call_id');
      expect(first[3].item_id).toBe(added.id);
      expect(deltaText(first, 'response.function_call_arguments.delta')).toBe(DEFAULT_CALL_ARGUMENTS);
      const call = first[7].item;
      expect(call).toMatchObject({ type: 'function_call', status: 'completed', name: 'shell', call_id: added.call_id, arguments: DEFAULT_CALL_ARGUMENTS });

      const { id: _id, status: _status, ...echoed } = call;
      const second = await post(
        fake,
        codexBody({
          input: [user('list files'), echoed, { type: 'function_call_output', call_id: call.call_id, output: 'a.txt\nb.txt' }],
          tools: [SHELL_TOOL],
        }),
      );
      expect(second.status).toBe(200);
      expect(deltaText(parseSse(second.text).map((e) => e.data), 'response.output_text.delta')).toBe('Tool said: a.txt\nb.txt');
    });

    it('sends x-codex-* rate-limit headers, turn state and the model on normal answers', async () => {
      const res = await post(fake, codexBody(), { ...HTTP_HEADERS, 'x-codex-turn-state': 'ts-keep' });
      expect(res.headers['x-codex-primary-used-percent']).toBe('12.5');
      expect(res.headers['x-codex-primary-window-minutes']).toBe('300');
      expect(Number(res.headers['x-codex-primary-reset-at'])).toBeGreaterThan(Date.now() / 1000);
      expect(res.headers['x-codex-secondary-window-minutes']).toBe('10080');
      expect(res.headers['x-codex-plan-type']).toBe('plus');
      expect(res.headers['x-codex-turn-state']).toBe('ts-keep');
      expect(res.headers['openai-model']).toBe('gpt-5.1-codex');

      fake.rateLimitHeaders = false;
      expect((await post(fake, codexBody())).headers['x-codex-primary-used-percent']).toBeUndefined();
    });

    describe('validation, as the real backend answers it', () => {
      const cases: Array<[string, Json, number, string, Record<string, string>?]> = [
        ['store missing', codexBody({ store: undefined }), 400, 'Store must be set to false'],
        ['store true', codexBody({ store: true }), 400, 'Store must be set to false'],
        ['stream false', codexBody({ stream: false }), 400, 'Stream must be set to true'],
        ['instructions missing', codexBody({ instructions: undefined }), 400, 'Instructions are required'],
        ['previous_response_id over HTTP', codexBody({ previous_response_id: 'resp_1' }), 400, 'Unsupported parameter: previous_response_id'],
        ['type over HTTP', codexBody({ type: 'response.create' }), 400, 'Unsupported parameter: type'],
        ['a system message', codexBody({ input: [{ type: 'message', role: 'system', content: 'be terse' }, user('hi')] }), 400, 'System messages are not allowed'],
        [
          'a function_call_output without its call',
          codexBody({ input: [user('hi'), { type: 'function_call_output', call_id: 'call_x', output: 'ok' }] }),
          400,
          'No tool call found for function call output with call_id call_x.',
        ],
        [
          'a function_call_output before its call',
          codexBody({
            input: [
              { type: 'function_call_output', call_id: 'call_y', output: 'ok' },
              { type: 'function_call', call_id: 'call_y', name: 'shell', arguments: '{}' },
            ],
          }),
          400,
          'No tool call found for function call output with call_id call_y.',
        ],
        [
          'a function_call without its output',
          codexBody({ input: [user('hi'), { type: 'function_call', call_id: 'call_z', name: 'shell', arguments: '{}' }] }),
          400,
          'No tool output found for function call call_z.',
        ],
        ['no Authorization', codexBody(), 401, 'Unauthorized', { 'chatgpt-account-id': ACCOUNT }],
        ['a non-Bearer Authorization', codexBody(), 401, 'Unauthorized', { authorization: TOKEN, 'chatgpt-account-id': ACCOUNT }],
        ['no ChatGPT-Account-ID', codexBody(), 400, 'Missing ChatGPT-Account-ID header', { authorization: `Bearer ${TOKEN}` }],
      ];
      for (const name of REJECTED_PARAMETERS) {
        cases.push([name, codexBody({ [name]: name === 'stream_options' ? { include_usage: true } : 1 }), 400, `Unsupported parameter: ${name}`]);
      }

      // Objects, not tuples: jest would take a missing trailing tuple element for a `done` callback.
      const rows = cases.map(([name, body, status, detail, headers]) => ({ name, body, status, detail, headers }));
      it.each(rows)('rejects $name', async ({ body, status, detail, headers }) => {
        const res = await post(fake, body, headers ? { 'content-type': 'application/json', ...headers } : HTTP_HEADERS);
        expect(res.status).toBe(status);
        expect(JSON.parse(res.text)).toEqual({ detail });
        expect(fake.lastRequest.rejected).toEqual({ status, detail });
        expect(fake.finishedResponses).toBe(0);
      });

      it('checks the token against the accepted ones and the account id against the expected one', async () => {
        fake.acceptedTokens = [TOKEN];
        fake.accountId = ACCOUNT;
        expect(await post(fake, codexBody())).toMatchObject({ status: 200 });
        const wrongToken = await post(fake, codexBody(), { ...HTTP_HEADERS, authorization: 'Bearer tok-mallory' });
        expect(wrongToken.status).toBe(401);
        expect(JSON.parse(wrongToken.text)).toEqual({ detail: 'Unauthorized' });
        const wrongAccount = await post(fake, codexBody(), { ...HTTP_HEADERS, 'chatgpt-account-id': 'acct-bob' });
        expect(wrongAccount.status).toBe(403);
        expect(JSON.parse(wrongAccount.text).detail).toMatch(/ChatGPT-Account-ID/);
      });

      it('does not spend a scripted scenario on a rejected request', async () => {
        fake.script({ kind: 'http_error', status: 503 });
        expect((await post(fake, codexBody({ store: true }))).status).toBe(400);
        expect((await post(fake, codexBody())).status).toBe(503);
      });
    });

    it('answers 429 usage_limit_reached with resets_at, resets_in_seconds and x-codex-* headers', async () => {
      fake.script({ kind: 'usage_limit', resetsInSeconds: 600 });
      const before = Math.floor(Date.now() / 1000);
      const res = await post(fake, codexBody());
      expect(res.status).toBe(429);
      const body = JSON.parse(res.text);
      expect(body).toEqual({
        error: {
          type: 'usage_limit_reached',
          message: 'The usage limit has been reached',
          plan_type: 'plus',
          resets_at: expect.any(Number),
          eligible_promo: null,
          resets_in_seconds: 600,
        },
      });
      expect(body.error.resets_at).toBeGreaterThanOrEqual(before + 600);
      expect(body.error.resets_at).toBeLessThanOrEqual(before + 602);
      expect(res.headers['x-codex-primary-used-percent']).toBe('100');
      expect(res.headers['x-codex-primary-reset-after-seconds']).toBe('600');
      expect(Number(res.headers['x-codex-primary-reset-at'])).toBe(body.error.resets_at);
      expect(res.headers['x-codex-plan-type']).toBe('plus');
      // the next request is answered normally
      expect((await post(fake, codexBody())).status).toBe(200);
    });

    it('answers other scripted HTTP errors as given', async () => {
      fake.script({ kind: 'http_error', status: 502, rawBody: 'upstream connect error' }, { kind: 'http_error', status: 500 });
      const raw = await post(fake, codexBody());
      expect(raw).toMatchObject({ status: 502, text: 'upstream connect error' });
      const json = await post(fake, codexBody());
      expect(json.status).toBe(500);
      expect(JSON.parse(json.text)).toEqual({ detail: 'Internal Server Error' });
    });

    it('fails in-stream with response.failed after N events, then ends the body', async () => {
      fake.script({ kind: 'stream', failAfter: 3, failure: { code: 'server_is_overloaded', message: 'Overloaded' } });
      const events = parseSse((await post(fake, codexBody())).text).map((e) => e.data);
      expect(types(events)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.failed']);
      expect(events[3]).toMatchObject({ sequence_number: 3, response: { status: 'failed', error: { code: 'server_is_overloaded', message: 'Overloaded' } } });
    });

    it('sends the Codex-wrapped error event after N events', async () => {
      fake.script({ kind: 'stream', errorAfter: 2 });
      const events = parseSse((await post(fake, codexBody())).text).map((e) => e.data);
      expect(types(events)).toEqual(['response.created', 'response.in_progress', 'error']);
      expect(events[2]).toMatchObject({ sequence_number: 2, status_code: 429, error: { type: 'usage_limit_reached', plan_type: 'plus' } });
      expect(events[2].headers['X-Codex-Primary-Used-Percent']).toBe('100');
    });

    it('ends with response.incomplete after N events when asked', async () => {
      fake.script({ kind: 'stream', incompleteAfter: 2 });
      const events = parseSse((await post(fake, codexBody())).text).map((e) => e.data);
      expect(events[2]).toMatchObject({ type: 'response.incomplete', response: { incomplete_details: { reason: 'max_output_tokens' } } });
    });

    it('drops the connection after N events, before response.completed', async () => {
      fake.script({ kind: 'stream', dropAfter: 4 });
      const res = await request(`${fake.httpUrl}/responses`, { method: 'POST', headers: HTTP_HEADERS, body: JSON.stringify(codexBody()) });
      expect(res.statusCode).toBe(200);
      let received = '';
      await expect(
        (async () => {
          for await (const chunk of res.body) received += chunk.toString();
        })(),
      ).rejects.toThrow();
      expect(received.match(/^event: /gm)).toHaveLength(4);
      expect(received).not.toContain('response.completed');
      expect(fake.abortedResponses).toBe(0);
    });

    it('waits between events when asked', async () => {
      fake.script({ kind: 'stream', delayMs: 40, reasoning: false, text: 'one two three' });
      const started = Date.now();
      const events = parseSse((await post(fake, codexBody())).text);
      expect(events).toHaveLength(11);
      expect(Date.now() - started).toBeGreaterThanOrEqual(10 * 40 - 20);
    });

    it('holds after N events until released', async () => {
      fake.script({ kind: 'stream', holdAfter: 3 });
      const pending = post(fake, codexBody());
      await fake.waitForHolds(1);
      expect(fake.finishedResponses).toBe(0);
      fake.release();
      const events = parseSse((await pending).text).map((e) => e.data);
      expect(events[events.length - 1].type).toBe('response.completed');
      expect(fake.abortedResponses).toBe(0);
    });

    it('records when the client disconnects from a held response', async () => {
      fake.script({ kind: 'stream', holdAfter: 5 });
      const controller = new AbortController();
      const res = await request(`${fake.httpUrl}/responses`, {
        method: 'POST',
        headers: HTTP_HEADERS,
        body: JSON.stringify(codexBody()),
        signal: controller.signal,
      });
      await fake.waitForHolds(1);
      const before = Date.now();
      controller.abort();
      await res.body.text().catch(() => undefined);
      await fake.waitForAborts(1);
      expect(fake.clientDisconnects).toEqual([
        { transport: 'http', connection: undefined, responseId: fake.lastRequest.responseId, eventsSent: 5, at: expect.any(Number) },
      ]);
      expect(fake.clientDisconnects[0].at).toBeGreaterThanOrEqual(before);
      fake.release();
      expect(fake.finishedResponses).toBe(0);
    });

    it('lets WebSocket-only scenarios wait for a WebSocket request', async () => {
      fake.script({ kind: 'close', code: 1009 }, { kind: 'http_error', status: 503 });
      expect((await post(fake, codexBody())).status).toBe(503);
      const client = await connect();
      client.send(createFrame());
      expect((await client.closed).code).toBe(1009);
    });

    it('answers 404 elsewhere, as the real backend does for wrong paths', async () => {
      const res = await request(`${fake.url}/backend-api/codex/chat/completions`, { method: 'POST', headers: HTTP_HEADERS, body: '{}' });
      expect(res.statusCode).toBe(404);
      expect(await res.body.json()).toEqual({ detail: 'Not Found' });
    });
  });

  describe('WebSocket', () => {
    it('serves two requests on one socket with bare JSON frames, metadata before response.created, and keeps it open', async () => {
      const client = await connect();
      client.send(createFrame({ input: [user('list files')], tools: [SHELL_TOOL] }));
      const first = await client.until(['response.completed']);

      for (const raw of client.raw) {
        expect(raw.startsWith('{')).toBe(true);
        expect(raw).not.toMatch(/^(event|data):/m);
      }
      expect(types(first.slice(0, 4))).toEqual(['codex.response.metadata', 'codex.rate_limits', 'response.metadata', 'response.created']);
      expect(first[1]).toEqual({
        type: 'codex.rate_limits',
        plan_type: 'plus',
        rate_limits: {
          primary: { used_percent: 12.5, window_minutes: 300, reset_at: expect.any(Number) },
          secondary: { used_percent: 40, window_minutes: 10080, reset_at: expect.any(Number) },
        },
        credits: { has_credits: false, unlimited: false, balance: '0' },
      });
      expect(first[2].headers['openai-model']).toBe('gpt-5.1-codex');
      const events = first.slice(3);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      const call = events.find((e) => e.type === 'response.output_item.done')!.item;
      expect(call).toMatchObject({ type: 'function_call', name: 'shell' });
      const responseId = events[events.length - 1].response.id;

      // v2 follow-up: previous_response_id and only the new items
      const mark = client.frames.length;
      client.send(
        createFrame({
          previous_response_id: responseId,
          input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a.txt' }],
          tools: [SHELL_TOOL],
        }),
      );
      const second = await client.until(['response.completed'], mark);
      expect(deltaText(second, 'response.output_text.delta')).toBe('Tool said: a.txt');
      expect(second.find((e) => e.type === 'response.created')!.sequence_number).toBe(0);

      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      expect(fake.connections).toBe(1);
      expect(fake.requestsPerConnection).toEqual([2]);
      expect(fake.requests.map((r) => [r.transport, r.connection])).toEqual([
        ['ws', 1],
        ['ws', 1],
      ]);
      expect(fake.lastRequest.headers['openai-beta']).toBe(WS_BETA);
      expect(fake.openConnections).toBe(1);
    });

    it('sends turn state and models etag on the 101 upgrade', async () => {
      const upgrade = await new Promise<Record<string, unknown>>((resolve) => {
        const socket = new WebSocket(fake.wsUrl, { headers: { ...WS_HEADERS, 'x-codex-turn-state': 'ts-1' } });
        let headers: Record<string, unknown> = {};
        socket.on('upgrade', (res) => (headers = res.headers));
        socket.on('open', () => {
          socket.close();
          resolve(headers);
        });
      });
      expect(upgrade['x-codex-turn-state']).toBe('ts-1');
      expect(upgrade['x-models-etag']).toBeDefined();
    });

    it('rejects an unknown previous_response_id and requests that fail validation, with error frames, and stays open', async () => {
      const client = await connect();
      client.send(createFrame({ previous_response_id: 'resp_unknown' }));
      const [unknown] = await client.until(['error']);
      expect(unknown).toEqual({
        type: 'error',
        status: 400,
        error: { type: 'invalid_request_error', code: 'previous_response_not_found', message: "Previous response with id 'resp_unknown' not found.", param: 'previous_response_id' },
      });

      let mark = client.frames.length;
      client.send(createFrame({ store: true }));
      const [store] = await client.until(['error'], mark);
      expect(store).toMatchObject({ type: 'error', status: 400, error: { message: 'Store must be set to false' } });

      mark = client.frames.length;
      client.send(createFrame({ temperature: 0.2 }));
      expect((await client.until(['error'], mark))[0].error.message).toBe('Unsupported parameter: temperature');

      mark = client.frames.length;
      client.send(createFrame({ instructions: undefined }));
      expect((await client.until(['error'], mark))[0].error.message).toBe('Instructions are required');

      mark = client.frames.length;
      client.send(createFrame({ input: [{ type: 'function_call_output', call_id: 'call_q', output: 'x' }] }));
      expect((await client.until(['error'], mark))[0].error.message).toBe('No tool call found for function call output with call_id call_q.');

      mark = client.frames.length;
      client.send(createFrame());
      expect((await client.until(['response.completed'], mark)).length).toBeGreaterThan(3);
      expect(fake.requestsPerConnection).toEqual([6]);
      expect(fake.requests.filter((r) => r.rejected).length).toBe(5);
    });

    it('requires the OpenAI-Beta v2 header, a Bearer token and an account id on the upgrade', async () => {
      const { 'openai-beta': _beta, ...noBeta } = WS_HEADERS;
      expect((await refusal(WsClient.open(fake.wsUrl, noBeta))).status).toBe(400);
      expect((await refusal(WsClient.open(fake.wsUrl, { ...WS_HEADERS, 'openai-beta': 'responses_websockets=2026-02-04' }))).status).toBe(400);
      const { authorization: _auth, ...noAuth } = WS_HEADERS;
      const unauthorized = await refusal(WsClient.open(fake.wsUrl, noAuth));
      expect(unauthorized.status).toBe(401);
      expect(JSON.parse(unauthorized.body)).toEqual({ detail: 'Unauthorized' });
      const { 'chatgpt-account-id': _account, ...noAccount } = WS_HEADERS;
      expect((await refusal(WsClient.open(fake.wsUrl, noAccount))).status).toBe(400);
      expect(fake.connections).toBe(0);
      expect(fake.upgrades.map((u) => [u.outcome, u.status])).toEqual([
        ['rejected', 400],
        ['rejected', 400],
        ['rejected', 401],
        ['rejected', 400],
      ]);
      // the connection works with every header present
      await connect();
      expect(fake.connections).toBe(1);
    });

    it('answers 404 on the wrong WebSocket path', async () => {
      expect((await refusal(WsClient.open(fake.wsUrl.replace(/responses$/, 'ws')))).status).toBe(404);
    });

    it('refuses the upgrade with 426 when scripted, so a client falls back to HTTP', async () => {
      fake.scriptUpgrades({ kind: 'refuse' });
      const refused = await refusal(WsClient.open(fake.wsUrl));
      expect(refused.status).toBe(426);
      expect(fake.upgrades[0]).toMatchObject({ outcome: 'refused', status: 426 });
      expect(fake.connections).toBe(0);
      expect((await post(fake, codexBody())).status).toBe(200);
      // only the scripted upgrade was refused
      await connect();
      expect(fake.connections).toBe(1);
    });

    it('refuses every upgrade while upgradeDefault says so', async () => {
      fake.upgradeDefault = { kind: 'refuse', status: 426 };
      expect((await refusal(WsClient.open(fake.wsUrl))).status).toBe(426);
      expect((await refusal(WsClient.open(fake.wsUrl))).status).toBe(426);
    });

    it('closes with 1008 right after the upgrade, before any request', async () => {
      fake.scriptUpgrades({ kind: 'close', code: 1008 });
      const client = await connect();
      expect((await client.closed).code).toBe(1008);
      expect(client.frames).toEqual([]);
      expect(fake.connections).toBe(1);
      expect(fake.requests).toEqual([]);
      await fake.waitForWsCloses(1);
      expect(fake.wsCloses[0]).toMatchObject({ connection: 1, code: 1008, by: 'server' });
    });

    it('closes with 1009 instead of answering when scripted, or when a frame is too big', async () => {
      fake.script({ kind: 'close', code: 1009 });
      const client = await connect();
      client.send(createFrame());
      const closed = await client.closed;
      expect(closed.code).toBe(1009);
      expect(client.frames).toEqual([]);

      fake.wsMaxMessageBytes = 2000;
      const big = await connect();
      big.send(createFrame());
      expect((await big.until(['response.completed'])).length).toBeGreaterThan(3);
      big.send(createFrame({ input: [user('x'.repeat(5000))] }));
      expect((await big.closed).code).toBe(1009);
      expect(fake.requestsPerConnection).toEqual([1, 2]);
    });

    it('answers websocket_connection_limit_reached on the next request when scripted, and on every later one', async () => {
      fake.script({ kind: 'connection_limit' });
      const client = await connect();
      client.send(createFrame());
      const [frame] = await client.until(['error']);
      expect(frame).toEqual({
        type: 'error',
        status: 400,
        error: { type: 'invalid_request_error', code: 'websocket_connection_limit_reached', message: CONNECTION_LIMIT_MESSAGE, param: null },
      });
      const mark = client.frames.length;
      client.send(createFrame());
      expect((await client.until(['error'], mark))[0].error.code).toBe('websocket_connection_limit_reached');

      // a new connection works
      const fresh = await connect();
      fresh.send(createFrame());
      expect((await fresh.until(['response.completed'])).at(-1)!.type).toBe('response.completed');
    });

    it('applies the connection age limit (60 minutes by default, shortened here)', async () => {
      fake.wsMaxConnectionAgeMs = 150;
      const client = await connect();
      client.send(createFrame());
      await client.until(['response.completed']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const mark = client.frames.length;
      client.send(createFrame());
      expect((await client.until(['error', 'response.completed'], mark))[0].error.code).toBe('websocket_connection_limit_reached');
    });

    it('sends a 429 error frame with status and headers', async () => {
      fake.script({ kind: 'usage_limit', resetsInSeconds: 90 });
      const client = await connect();
      client.send(createFrame());
      const [frame] = await client.until(['error']);
      expect(frame).toMatchObject({
        type: 'error',
        status: 429,
        error: { type: 'usage_limit_reached', plan_type: 'plus', resets_in_seconds: 90, resets_at: expect.any(Number) },
      });
      expect(frame.headers['X-Codex-Primary-Used-Percent']).toBe('100');
      expect(frame.headers['X-Codex-Primary-Reset-After-Seconds']).toBe('90');
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('sends response.failed and the error event mid-stream, keeping the socket open', async () => {
      fake.script({ kind: 'stream', failAfter: 2, metadataFrames: false }, { kind: 'stream', errorAfter: 1, metadataFrames: false });
      const client = await connect();
      client.send(createFrame());
      const failed = await client.until(['response.failed']);
      expect(types(failed)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
      expect(failed[2].response.error.code).toBe('rate_limit_exceeded');
      const mark = client.frames.length;
      client.send(createFrame());
      const errored = await client.until(['error'], mark);
      expect(errored[1]).toMatchObject({ type: 'error', status: 429, error: { type: 'usage_limit_reached' } });
      expect(errored[1]).not.toHaveProperty('status_code');
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('drops the socket mid-stream (the client sees 1006)', async () => {
      fake.script({ kind: 'stream', dropAfter: 3, metadataFrames: false });
      const client = await connect();
      client.send(createFrame());
      expect((await client.closed).code).toBe(1006);
      expect(types(client.frames)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
      expect(fake.abortedResponses).toBe(0);
    });

    it('closes with a given code after N events', async () => {
      fake.script({ kind: 'stream', closeAfter: 2, closeCode: 1011, closeReason: 'internal', metadataFrames: false });
      const client = await connect();
      client.send(createFrame());
      expect(await client.closed).toEqual({ code: 1011, reason: 'internal' });
      expect(client.frames).toHaveLength(2);
    });

    it('records when the client disconnects from a held response', async () => {
      fake.script({ kind: 'stream', holdAfter: 4 });
      const client = await connect();
      client.send(createFrame());
      await fake.waitForHolds(1);
      client.socket.close(1000);
      await fake.waitForAborts(1);
      expect(fake.clientDisconnects).toEqual([
        { transport: 'ws', connection: 1, responseId: fake.lastRequest.responseId, eventsSent: 4, at: expect.any(Number) },
      ]);
      await fake.waitForWsCloses(1);
      expect(fake.wsCloses[0]).toMatchObject({ code: 1000, by: 'client' });
    });

    it('answers pings', async () => {
      const client = await connect();
      const pong = new Promise<string>((resolve) => client.socket.on('pong', (data) => resolve(data.toString())));
      client.socket.ping('are-you-there');
      expect(await pong).toBe('are-you-there');
    });

    it('records response.processed acknowledgements without answering them', async () => {
      const client = await connect();
      client.send({ type: 'response.processed', response_id: 'resp_1' });
      client.send(createFrame());
      await client.until(['response.completed']);
      expect(fake.processedAcks).toEqual([{ connection: 1, responseId: 'resp_1' }]);
      expect(fake.requestsPerConnection).toEqual([1]);
    });
  });
});
