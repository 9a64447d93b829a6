// GET /v1/responses as a WebSocket, end to end, the way the Codex CLI uses it (`supports_websockets
// = true`): a `ws` client sends `response.create` frames to the real gateway, which serves them
// through a ChatGPT login against the fake Codex backend (on an upstream socket of the client's
// own, so previous_response_id works), and the Codex CLI's identity reaches the backend.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { importCredentialsFile } from '../src/auth/importers/credential-importer';
import { closeGateway } from '../src/gateway';
import { CODEX_CLI_IMPORTER } from '../src/providers/codex/codex-cli.importer';
import { CODEX_CLI_VERSION } from '../src/providers/codex/codex-headers';
import { PluginRegistry } from '../src/registry/plugin-registry.service';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { UsageBus } from '../src/usage/usage-bus';
import type { UsageRecord } from '../src/store/usage-record';
import { DEFAULT_USAGE, FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const ACCESS_TOKEN = 'codex-access-token-ws';
const CHATGPT_ACCOUNT = 'acc-fake-ws-01';
const MODEL = 'gpt-5.1-codex';
const CODEX_CLI_HEADERS = {
  originator: 'codex_cli_rs',
  version: '0.999.1',
  'user-agent': 'codex_cli_rs/0.999.1 (Linux 6.8.0; x86_64) xterm-256color',
  'session-id': 'sess-0001-codex',
  'thread-id': 'thread-0001-codex',
  'x-codex-turn-metadata': '{"turn_id":"t1"}',
  'x-codex-beta-features': 'unified_exec',
  'openai-beta': 'responses_websockets=2026-02-06',
  authorization: 'Bearer client-own-key',
};
const TOOLS = [{ type: 'function', name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } } }];

type Frame = Record<string, any>;

/** A client socket that queues what it receives, so a test can read frames in order. */
class Client {
  private readonly frames: Frame[] = [];
  private waiter?: () => void;
  closed?: { code: number; reason: string };

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.waiter?.();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.waiter?.();
    });
  }

  static open(url: string, headers: Record<string, string> = { 'openai-beta': 'responses_websockets=2026-02-06' }): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/responses`, { headers });
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  create(body: Frame): void {
    this.ws.send(JSON.stringify({ type: 'response.create', ...body }));
  }

  /** The next frame (or undefined once the socket closed). */
  async next(timeoutMs = 5000): Promise<Frame | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) return undefined;
      if (Date.now() > deadline) throw new Error('no frame in time');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.frames.shift();
  }

  /** Frames up to and including the first of a type that ends a response (or an error). */
  async response(): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (;;) {
      const frame = await this.next();
      if (!frame) throw new Error(`socket closed after ${frames.length} frames`);
      frames.push(frame);
      if (['response.completed', 'response.failed', 'response.incomplete', 'error'].includes(frame.type)) return frames;
    }
  }

  async closedWith(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}

const backend = new FakeCodexBackend();
const chat = new FakeOpenAIUpstream();
const oauth = new FakeOAuthServer();
let home: string;
let gateway: RunningGateway;
const clients: Client[] = [];

async function connect(headers?: Record<string, string>): Promise<Client> {
  const client = await Client.open(gateway.url, headers);
  clients.push(client);
  return client;
}

function userText(text: string): Frame {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

function completedOf(frames: Frame[]): Frame {
  const last = frames[frames.length - 1];
  expect(last.type).toBe('response.completed');
  return last.response;
}

beforeAll(async () => {
  await backend.start();
  await oauth.start();
  await chat.start();
  home = mkdtempSync(join(tmpdir(), 'byokey-responses-ws-'));
  const authFile = join(home, 'auth.json');
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  writeFileSync(
    authFile,
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: `${part({ alg: 'none' })}.${part({ email: 'dev@example.com' })}.sig`, access_token: ACCESS_TOKEN, refresh_token: oauth.seedRefreshToken('openai'), account_id: CHATGPT_ACCOUNT },
      last_refresh: new Date().toISOString(),
    }),
  );
  const store = SqliteAccountStore.open({ home });
  await store.save(importCredentialsFile(CODEX_CLI_IMPORTER, authFile));
  await store.close();
  // `codex` keeps the default HTTP transport: a client's WebSocket still gets an upstream socket.
  gateway = await startGateway(
    `
providers:
  codex:
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
    oauth:
      token_url: ${oauth.urls.openai.token}
  local:
    type: openai-compatible
    base_url: ${chat.url}
    api_key: none
    models: [llama-local]
`,
    { home },
  );
  backend.acceptedTokens = [ACCESS_TOKEN];
  backend.accountId = CHATGPT_ACCOUNT;
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  backend.release();
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

afterAll(async () => {
  await gateway?.close();
  await chat.stop();
  await backend.stop();
  await oauth.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('Responses over a WebSocket', () => {
  it('serves two responses on one socket, the second continuing the first by previous_response_id', async () => {
    const client = await connect();
    client.create({ model: MODEL, instructions: '', input: [userText('hello there')], store: false, stream: true });
    const first = await client.response();
    // Exactly the events SSE would carry after `data:`, in order, with the output filled in.
    expect(first.filter((f) => f.type.startsWith('response.'))[0].type).toBe('response.created');
    const firstResponse = completedOf(first);
    expect(firstResponse.output.find((i: Frame) => i.type === 'message').content[0].text).toBe('You said: hello there');
    expect(first.filter((f) => f.type === 'response.output_text.delta').map((f) => f.delta).join('')).toBe('You said: hello there');

    // Newer Codex CLIs acknowledge each response; the ack is taken and nothing is answered.
    client.ws.send(JSON.stringify({ type: 'response.processed', response_id: firstResponse.id }));
    client.create({ model: MODEL, instructions: '', previous_response_id: firstResponse.id, input: [userText('and again')], store: false });
    const second = completedOf(await client.response());
    expect(second.output.find((i: Frame) => i.type === 'message').content[0].text).toBe('You said: and again');

    // The fake resolves previous_response_id only on the socket that produced it: both went on one.
    const [a, b] = backend.requests.slice(-2);
    expect(a.transport).toBe('ws');
    expect(b.connection).toBe(a.connection);
    expect(b.rejected).toBeUndefined();
    expect(b.body.previous_response_id).toBe(firstResponse.id);
    expect(b.body.input).toEqual([userText('and again')]);
    expect(client.closed).toBeUndefined();
  });

  it('records the usage of each response (the upstream tokens) as an HTTP request does, failures included', async () => {
    const records: UsageRecord[] = [];
    const stop = gateway.app.get(UsageBus).subscribe((record) => records.push(record));
    try {
      const client = await connect();
      client.create({ model: MODEL, instructions: '', input: [userText('count me')], store: false });
      completedOf(await client.response());
      backend.script({ kind: 'http_error', status: 500, body: { error: { type: 'server_error', message: 'boom' } } });
      client.create({ model: MODEL, instructions: '', input: [userText('fail me')], store: false });
      expect((await client.response()).pop()?.type).toBe('error');
      const deadline = Date.now() + 2000;
      while (records.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({
        route: 'GET /v1/responses (websocket)',
        modelRequested: MODEL,
        instance: 'codex',
        status: 200,
        stream: true,
        attempts: 1,
        tokens: {
          input: DEFAULT_USAGE.input_tokens,
          output: DEFAULT_USAGE.output_tokens,
          cached: DEFAULT_USAGE.input_tokens_details.cached_tokens,
          reasoning: DEFAULT_USAGE.output_tokens_details.reasoning_tokens,
        },
      });
      expect(records[1]).toMatchObject({ status: 502, errorType: 'server_error', modelRequested: MODEL });
    } finally {
      stop();
    }
  });

  it('round-trips a tool call: function_call, then function_call_output on the same socket', async () => {
    const client = await connect();
    client.create({ model: MODEL, instructions: '', input: [userText('list the files')], tools: TOOLS, store: false });
    const first = completedOf(await client.response());
    const call = first.output.find((i: Frame) => i.type === 'function_call');
    expect(call).toMatchObject({ name: 'shell', arguments: '{"command":["ls","-la"]}' });

    // Only the new item: the backend holds the call (the fake refuses an output without its call).
    client.create({
      model: MODEL,
      instructions: '',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a.txt b.txt' }],
      tools: TOOLS,
      store: false,
    });
    const second = completedOf(await client.response());
    expect(second.output.find((i: Frame) => i.type === 'message').content[0].text).toBe('Tool said: a.txt b.txt');
  });

  it('answers an upstream error before any output with an error frame, and the socket serves the next response', async () => {
    const client = await connect();
    backend.script({ kind: 'http_error', status: 400, body: { error: { type: 'invalid_request_error', code: 'bad_input', message: 'That input is not allowed' } } });
    client.create({ model: MODEL, instructions: '', input: [userText('first')], store: false });
    const failed = await client.response();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: 'error', status: 400, error: { type: 'invalid_request_error', code: 'bad_input' } });
    expect(failed[0].error.message).toContain('That input is not allowed');

    client.create({ model: MODEL, instructions: '', input: [userText('second')], store: false });
    expect(completedOf(await client.response()).output.find((i: Frame) => i.type === 'message').content[0].text).toBe('You said: second');
  });

  it("answers a follow-up whose upstream socket is gone the way the backend answers its connection limit, so the CLI reconnects", async () => {
    const client = await connect();
    client.create({ model: MODEL, instructions: '', input: [userText('one')], store: false });
    const first = completedOf(await client.response());
    // The upstream socket dies mid-response: the client hears of it, and the context is gone with it.
    backend.script({ kind: 'stream', closeAfter: 3, closeCode: 1011, closeReason: 'internal error' });
    client.create({ model: MODEL, instructions: '', previous_response_id: first.id, input: [userText('two')], store: false });
    const broken = await client.response();
    expect(broken[broken.length - 1]).toMatchObject({ type: 'error', status: 502 });
    const requests = backend.requests.length;
    client.create({ model: MODEL, instructions: '', previous_response_id: first.id, input: [userText('three')], store: false });
    const [gone] = await client.response();
    expect(gone).toMatchObject({ type: 'error', status: 400, error: { code: 'websocket_connection_limit_reached', param: 'previous_response_id' } });
    // Never sent anywhere without its context.
    expect(backend.requests.length).toBe(requests);
    // A fresh conversation on the same client socket still works.
    client.create({ model: MODEL, instructions: '', input: [userText('four')], store: false });
    expect(completedOf(await client.response()).output.find((i: Frame) => i.type === 'message').content[0].text).toBe('You said: four');
  });

  it('answers a second response.create while one runs with an error frame, and bad frames likewise', async () => {
    const client = await connect();
    const holds = backend.heldResponses;
    backend.script({ kind: 'stream', holdAfter: 2 });
    client.create({ model: MODEL, instructions: '', input: [userText('slow')], store: false });
    await backend.waitForHolds(holds + 1);
    client.create({ model: MODEL, instructions: '', input: [userText('too soon')], store: false });
    client.ws.send('not json');
    const frames: Frame[] = [];
    for (let i = 0; i < 6 && frames.filter((f) => f.type === 'error').length < 2; i++) frames.push((await client.next())!);
    const errors = frames.filter((f) => f.type === 'error');
    expect(errors.map((e) => [e.status, e.error.code])).toEqual([
      [400, 'response_in_progress'],
      [400, 'invalid_json'],
    ]);
    backend.release();
    const rest = await client.response();
    expect(rest[rest.length - 1].type).toBe('response.completed');
  });

  it('cancels the upstream at once when the client closes mid-response', async () => {
    const client = await connect();
    const aborts = backend.abortedResponses;
    const holds = backend.heldResponses;
    backend.script({ kind: 'stream', holdAfter: 4 });
    client.create({ model: MODEL, instructions: '', input: [userText('long one')], store: false });
    for (let i = 0; i < 3; i++) await client.next();
    await backend.waitForHolds(holds + 1);
    const closedAt = Date.now();
    client.ws.terminate();
    // Milliseconds when cancelled; the fake holds the response until released (after the test), so
    // left alone it would wait out the 600 s idle timeout. 5 s is a loaded machine's room.
    await backend.waitForAborts(aborts + 1, 5000);
    const gone = backend.clientDisconnects[backend.clientDisconnects.length - 1];
    expect(gone.at - closedAt).toBeLessThan(5000);
    expect(gone.eventsSent).toBe(4);
  });

  it('serves a model that only a chat provider has, translated, and keeps the socket for the next response', async () => {
    const client = await connect(CODEX_CLI_HEADERS);
    const requests = backend.requests.length;
    client.create({ model: 'llama-local', instructions: 'be brief', input: [userText('hi')], store: false });
    const frames = await client.response();
    expect(frames.map((f) => f.type).slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    const completed = completedOf(frames);
    const text = frames.filter((f) => f.type === 'response.output_text.delta').map((f) => f.delta).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(completed.output).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ type: 'output_text', text })] })]);
    expect(frames.map((f) => f.sequence_number)).toEqual(frames.map((_, i) => i));
    expect(chat.requests.at(-1)!.body).toMatchObject({ model: 'llama-local', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], stream: true });
    expect(backend.requests.length).toBe(requests);

    client.create({ model: MODEL, instructions: '', input: [userText('and codex')], store: false });
    completedOf(await client.response());
    expect(backend.requests.length).toBe(requests + 1);
  });

  it("keeps a chat model's conversation on the socket: Codex CLI's warm-up answered here, a follow-up's previous_response_id resolved into the whole conversation", async () => {
    const client = await connect(CODEX_CLI_HEADERS);
    const chatRequests = chat.requests.length;
    const developer = { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'be brief' }] };
    // Codex CLI's first frame on a socket: generate nothing, only open the conversation.
    client.create({ model: 'llama-local', instructions: '', input: [developer], tools: TOOLS, store: false, stream: true, generate: false });
    const warmUp = completedOf(await client.response());
    expect(warmUp.output).toEqual([]);
    expect(chat.requests.length).toBe(chatRequests);

    chat.script({ kind: 'stream', events: [
      { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'llama-local', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_ls', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } }] }, finish_reason: null }] },
      { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'llama-local', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ] });
    client.create({ model: 'llama-local', instructions: '', previous_response_id: warmUp.id, input: [userText('list the files')], tools: TOOLS, store: false });
    const first = completedOf(await client.response());
    expect(first.output).toEqual([expect.objectContaining({ type: 'function_call', call_id: 'call_ls', name: 'shell' })]);
    expect(chat.requests.at(-1)!.body.messages).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'list the files' }]);

    // Only the new item, as Codex CLI sends it: the gateway supplies what came before.
    client.create({ model: 'llama-local', instructions: '', previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: 'call_ls', output: 'a.txt' }], tools: TOOLS, store: false });
    completedOf(await client.response());
    expect(chat.requests.at(-1)!.body.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'list the files' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_ls', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } }] },
      { role: 'tool', tool_call_id: 'call_ls', content: 'a.txt' },
    ]);
    expect(chat.requests.length).toBe(chatRequests + 2);
  });

  it("sends the backend the Codex CLI's own identity and session headers, never the client's key", async () => {
    const client = await connect(CODEX_CLI_HEADERS);
    client.create({ model: MODEL, instructions: '', input: [userText('who am i')], store: false, prompt_cache_key: 'thread-0001-codex' });
    completedOf(await client.response());
    const sent = backend.lastRequest;
    expect(sent.transport).toBe('ws');
    expect(sent.headers).toMatchObject({
      originator: 'codex_cli_rs',
      version: '0.999.1',
      'user-agent': CODEX_CLI_HEADERS['user-agent'],
      'session-id': 'sess-0001-codex',
      'thread-id': 'thread-0001-codex',
      'x-codex-turn-metadata': '{"turn_id":"t1"}',
      'x-codex-beta-features': 'unified_exec',
      authorization: `Bearer ${ACCESS_TOKEN}`,
    });
    expect(sent.body.prompt_cache_key).toBe('thread-0001-codex');
  });

  it("sends byokey's own Codex identity for any other client", async () => {
    const client = await connect({ 'user-agent': 'my-agent/1.0', 'openai-beta': 'responses_websockets=2026-02-06' });
    client.create({ model: MODEL, instructions: '', input: [userText('plain client')], store: false });
    completedOf(await client.response());
    const sent = backend.lastRequest.headers;
    expect(sent.originator).toBe('codex_cli_rs');
    expect(sent.version).toBe(CODEX_CLI_VERSION);
    expect(sent['user-agent']).toMatch(new RegExp(`^codex_cli_rs/${CODEX_CLI_VERSION.replace(/\./g, '\\.')} \\(`));
    expect(sent['thread-id']).toBeUndefined();
  });
});

describe('Responses over HTTP', () => {
  it("passes the Codex CLI's identity and turn headers on to the backend", async () => {
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { ...CODEX_CLI_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, instructions: '', input: [userText('over http')], store: false, stream: false }),
    });
    expect(response.status).toBe(200);
    const sent = backend.lastRequest;
    expect(sent.transport).toBe('http');
    expect(sent.headers).toMatchObject({ originator: 'codex_cli_rs', version: '0.999.1', 'user-agent': CODEX_CLI_HEADERS['user-agent'], 'thread-id': 'thread-0001-codex' });
    expect(sent.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });
});

describe('a gateway shutting down', () => {
  it('closes an idle WebSocket at once with 1001, and a busy one after its response', async () => {
    const closing = await startGateway(
      `
providers:
  codex:
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
`,
      { home },
    );
    const idle = await Client.open(closing.url);
    const busy = await Client.open(closing.url);
    const holds = backend.heldResponses;
    backend.script({ kind: 'stream', holdAfter: 2 });
    busy.create({ model: MODEL, instructions: '', input: [userText('finish me')], store: false });
    await backend.waitForHolds(holds + 1);

    const yamlDir = dirname(closing.app.get(PluginRegistry).config.source);
    const startedAt = Date.now();
    // With a grace far longer than the test (closing.close() gives 1 s), the deadline cannot be what
    // closes the sockets: the idle one must close at once, the busy one after its response.
    const closed = closeGateway(closing.app, 60_000);
    expect((await idle.closedWith(5000)).code).toBe(1001);
    backend.release();
    const frames = await busy.response();
    expect(frames[frames.length - 1].type).toBe('response.completed');
    expect((await busy.closedWith(5000)).code).toBe(1001);
    await closed;
    // Closed once the busy response was done: 10 s is a loaded machine's room, far from the 60 s grace.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    rmSync(yamlDir, { recursive: true, force: true });
  });
});
