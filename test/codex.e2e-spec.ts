// The Codex plugin end to end: a ChatGPT login (as imported from the Codex CLI) used through
// byokey by the openai SDK — chat completions and the Responses API, over HTTP SSE and over a
// kept-open WebSocket — against a fake Codex backend that rejects what the real one rejects.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { importCredentialsFile } from '../src/auth/importers/credential-importer';
import { CODEX_CLI_IMPORTER } from '../src/providers/codex/codex-cli.importer';
import { MetricsRegistry } from '../src/metrics/metrics-registry';
import { RateLimitSnapshots } from '../src/store/rate-limit-snapshots';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const ACCESS_TOKEN = 'codex-access-token-1';

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}
const CHATGPT_ACCOUNT = 'acc-fake-0001';

const backend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();
let home: string;
let gateway: RunningGateway;

beforeAll(async () => {
  await backend.start();
  await oauth.start();
  home = mkdtempSync(join(tmpdir(), 'byokey-codex-'));
  // The Codex CLI's auth.json, imported as `byokey accounts import codex` does.
  const authFile = join(home, 'auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: jwt({ email: 'dev@example.com' }), access_token: ACCESS_TOKEN, refresh_token: oauth.seedRefreshToken('openai'), account_id: CHATGPT_ACCOUNT },
      last_refresh: new Date().toISOString(),
    }),
  );
  const store = SqliteAccountStore.open({ home });
  await store.save(importCredentialsFile(CODEX_CLI_IMPORTER, authFile));
  await store.close();
  gateway = await startGateway(
    `
routing:
  aliases:
    patient: [codex-slow/gpt-5.1-codex, codex/gpt-5.1-codex]
providers:
  codex:
    base_url: ${backend.httpUrl}
    oauth:
      token_url: ${oauth.urls.openai.token}
  codex-ws:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
    ws_pool_size: 2
  codex-refused:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
  codex-policy:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
  codex-slow:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
    ws_pool_size: 1
    timeouts: { first_byte_ms: 250, idle_ms: 250 }
  codex-stalled:
    type: codex
    transport: websocket
    base_url: ${backend.httpUrl}
    ws_url: ${backend.wsUrl}
    timeouts: { connect_ms: 250 }
`,
    { home },
  );
});

afterAll(async () => {
  await gateway?.close();
  await backend.stop();
  await oauth.stop();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  backend.acceptedTokens = undefined;
  backend.release();
  // A usage limit rests the account until its reset; each case starts with a ready account.
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

/** A metric's value for the given labels (0 before it has one). */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const found = gateway.app.get(MetricsRegistry).registry.getSingleMetric(name);
  const values = found ? (await found.get()).values : [];
  return values.find((v) => Object.entries(labels).every(([label, value]) => v.labels[label] === value))?.value ?? 0;
}
const fallbacks = (instance: string, reason: string) => metric('byokey_codex_ws_http_fallbacks_total', { provider_instance: instance, reason });

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } } } },
];

async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe.each([
  ['HTTP SSE', 'gpt-5.1-codex', 'http'],
  ['WebSocket', 'codex-ws/gpt-5.1-codex', 'ws'],
] as const)('Codex over %s', (_name, model, transport) => {
  it('answers a chat completion, sending the backend what it requires and nothing it rejects', async () => {
    backend.acceptedTokens = [ACCESS_TOKEN];
    backend.accountId = CHATGPT_ACCOUNT;
    const completion = await gateway.openai.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hello codex' },
      ],
      temperature: 0.2,
      max_tokens: 100,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toBe('You said: hello codex');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect((completion.choices[0].message as { reasoning_content?: string }).reasoning_content).toBe('**Reading the request**');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);

    const sent = backend.lastRequest;
    expect(sent.transport).toBe(transport);
    expect(sent.body).toMatchObject({ model: 'gpt-5.1-codex', instructions: 'You are terse.', store: false, stream: true, include: ['reasoning.encrypted_content'] });
    for (const field of ['temperature', 'max_output_tokens', 'max_tokens']) expect(sent.body).not.toHaveProperty(field);
    expect(sent.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(sent.headers['chatgpt-account-id']).toBe(CHATGPT_ACCOUNT);
    expect(sent.headers.originator).toBe('codex_cli_rs');
    expect(sent.headers.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(sent.headers['user-agent']).toMatch(/^codex_cli_rs\/\d+\.\d+\.\d+ \(/);
    expect(sent.headers.session_id).toBe(sent.body.prompt_cache_key);
    if (transport === 'ws') expect(sent.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
  });

  it('streams text, reasoning and usage with cached and reasoning tokens', async () => {
    const chunks = await collect(
      await gateway.openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'stream it' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const reasoning = chunks.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '').join('');
    expect(content).toBe('You said: stream it');
    expect(reasoning).toBe('**Reading the request**');
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0].finish_reason).toBe('stop');
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(usage.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect(usage.usage?.total_tokens).toBe((usage.usage?.prompt_tokens ?? 0) + (usage.usage?.completion_tokens ?? 0));
  });

  it('round-trips a tool call and its result', async () => {
    const first = await gateway.openai.chat.completions
      .stream({ model, messages: [{ role: 'user', content: 'list the files' }], tools: TOOLS })
      .finalChatCompletion();
    const call = first.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('shell');
    expect(JSON.parse(call.function.arguments)).toEqual({ command: ['ls', '-la'] });

    // The fake refuses a function_call_output without its function_call: the pairing must hold.
    const second = await gateway.openai.chat.completions.create({
      model,
      tools: TOOLS,
      messages: [
        { role: 'user', content: 'list the files' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'a.txt b.txt' },
      ],
    });
    expect(second.choices[0].message.content).toBe('Tool said: a.txt b.txt');
    const items = backend.lastRequest.body.input as Array<{ type: string; call_id?: string }>;
    expect(items.filter((i) => i.type === 'function_call').map((i) => i.call_id)).toEqual([call.id]);
    expect(items.filter((i) => i.type === 'function_call_output').map((i) => i.call_id)).toEqual([call.id]);
  });

  it('serves the Responses API, non-stream, with output filled from the streamed items', async () => {
    backend.completedOutput = 'empty';
    const response = await gateway.openai.responses.create({ model, input: 'hello responses', instructions: 'be nice' });
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('You said: hello responses');
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(backend.lastRequest.body).toMatchObject({ instructions: 'be nice', store: false });
  });

  it('streams the Responses API events, ending with a response.completed that carries the output', async () => {
    const stream = await gateway.openai.responses.create({ model, input: [{ role: 'user', content: 'events please' }], stream: true });
    const types: string[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    let lastSequence = -1;
    let monotonic = true;
    for await (const event of stream) {
      types.push(event.type);
      if (event.sequence_number <= lastSequence) monotonic = false;
      lastSequence = event.sequence_number;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types[types.length - 1]).toBe('response.completed');
    expect(monotonic).toBe(true);
    expect(completed?.output_text ?? completed?.output.find((i) => i.type === 'message')).toBeTruthy();
    const message = completed?.output.find((i) => i.type === 'message') as OpenAI.Responses.ResponseOutputMessage;
    expect((message.content[0] as OpenAI.Responses.ResponseOutputText).text).toBe('You said: events please');
  });

  it('answers a usage limit with 429 and a retry-after from the reset time', async () => {
    backend.script({ kind: 'usage_limit', transport, resetsInSeconds: 4242 });
    const error = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('usage_limit_reached');
    const retryAfter = Number(error.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(4200);
    expect(retryAfter).toBeLessThanOrEqual(4243);
  });

  it('turns a response.failed before any output into an HTTP error', async () => {
    backend.script({ kind: 'stream', transport, failAfter: 1, failure: { code: 'context_length_exceeded', message: 'Your input exceeds the context window.' } });
    const error = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], stream: true }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toMatch(/context window/);
  });

  it('reports a failure after output has started inside the stream, keeping what was sent', async () => {
    backend.script({ kind: 'stream', transport, reasoning: false, text: 'one two three four', failAfter: 6, failure: { code: 'server_is_overloaded', message: 'overloaded' } });
    const stream = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e) => e);
    expect(text.length).toBeGreaterThan(0);
    expect('one two three four'.startsWith(text)).toBe(true);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.message).toMatch(/overloaded/);
  });

  it('never passes off a stream cut mid-way as a complete answer', async () => {
    backend.script({ kind: 'stream', transport, reasoning: false, text: 'alpha beta gamma delta', dropAfter: 6 });
    const stream = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(text).not.toBe('alpha beta gamma delta');
    expect('alpha beta gamma delta'.startsWith(text)).toBe(true);
  });

  it('keeps the rate-limit news of the account', async () => {
    await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
    const snapshot = gateway.app.get(RateLimitSnapshots).get('codex', 'codex-cli');
    if (transport === 'http') expect(snapshot?.headers['x-codex-primary-used-percent']).toBeDefined();
    else expect(snapshot?.frame).toMatchObject({ type: 'codex.rate_limits', rate_limits: { primary: expect.any(Object) } });
  });

  it('cancels the upstream when the client disconnects mid-stream', async () => {
    backend.script({ kind: 'stream', transport, reasoning: false, text: 'a b c d e f g h', holdAfter: 5 });
    const before = backend.abortedResponses;
    const controller = new AbortController();
    const stream = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: controller.signal });
    for await (const _ of stream) {
      controller.abort();
      break;
    }
    await backend.waitForAborts(before + 1);
  });
});

describe('Codex WebSocket transport', () => {
  const model = 'codex-ws/gpt-5.1-codex';
  const ask = (content: string) => gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content }] });

  it('reuses one socket for requests one after another', async () => {
    // Whatever earlier tests left in the pool is reused too: count from here.
    await ask('warm up');
    const connections = backend.connections;
    const reused = await metric('byokey_codex_ws_reused_total', { provider_instance: 'codex-ws' });
    const opened = await metric('byokey_codex_ws_opened_total', { provider_instance: 'codex-ws' });
    for (const word of ['one', 'two', 'three']) expect((await ask(word)).choices[0].message.content).toBe(`You said: ${word}`);
    expect(backend.connections).toBe(connections);
    expect(await metric('byokey_codex_ws_reused_total', { provider_instance: 'codex-ws' })).toBe(reused + 3);
    expect(await metric('byokey_codex_ws_opened_total', { provider_instance: 'codex-ws' })).toBe(opened);
    // The socket that served them is still open, and the pool (size 2) never holds more.
    const open = await metric('byokey_codex_ws_open', { provider_instance: 'codex-ws' });
    expect(open).toBeGreaterThanOrEqual(1);
    expect(open).toBeLessThanOrEqual(2);
  });

  it('opens more sockets for concurrent requests, up to the pool size', async () => {
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map(ask));
    expect(answers.map((a) => a.choices[0].message.content)).toEqual(['You said: a', 'You said: b', 'You said: c', 'You said: d']);
    expect(backend.openConnections).toBeLessThanOrEqual(2);
  });

  it('replaces a socket the server closed, and the request still succeeds', async () => {
    await ask('before');
    const connections = backend.connections;
    backend.script({ kind: 'connection_limit' });
    expect((await ask('after the limit')).choices[0].message.content).toBe('You said: after the limit');
    expect(backend.connections).toBeGreaterThan(connections);
  });

  it('retries on a fresh socket when the connection breaks before any output', async () => {
    backend.script({ kind: 'stream', transport: 'ws', dropAfter: 1 });
    const connections = backend.connections;
    expect((await ask('survive the drop')).choices[0].message.content).toBe('You said: survive the drop');
    expect(backend.connections).toBeGreaterThan(connections);
  });

  it('sends a request too big for a frame (1009) over HTTP instead', async () => {
    const before = await fallbacks('codex-ws', 'too_big');
    backend.script({ kind: 'close', code: 1009 });
    const answer = await ask('too big');
    expect(answer.choices[0].message.content).toBe('You said: too big');
    expect(backend.lastRequest.transport).toBe('http');
    expect(await fallbacks('codex-ws', 'too_big')).toBe(before + 1);
  });
});

describe('Codex WebSocket fallbacks', () => {
  it('falls back to HTTP when the upgrade is refused with 426, and stays on HTTP', async () => {
    const upgrades = backend.upgrades.length;
    backend.scriptUpgrades({ kind: 'refuse', status: 426 });
    const first = await gateway.openai.chat.completions.create({ model: 'codex-refused/gpt-5.1-codex', messages: [{ role: 'user', content: 'refused' }] });
    expect(first.choices[0].message.content).toBe('You said: refused');
    expect(backend.lastRequest.transport).toBe('http');
    expect(backend.upgrades.slice(upgrades).map((u) => u.outcome)).toEqual(['refused']);
    expect(await fallbacks('codex-refused', 'refused')).toBe(1);

    await gateway.openai.chat.completions.create({ model: 'codex-refused/gpt-5.1-codex', messages: [{ role: 'user', content: 'again' }] });
    expect(backend.lastRequest.transport).toBe('http');
    expect(backend.upgrades.length).toBe(upgrades + 1);
    // WebSockets are off for the instance now: the request went over HTTP without trying one.
    expect(await fallbacks('codex-refused', 'refused')).toBe(1);
    expect(await fallbacks('codex-refused', 'disabled')).toBe(1);
    expect(await metric('byokey_codex_ws_opened_total', { provider_instance: 'codex-refused' })).toBe(0);
  });

  it('opens another socket when the server closes a new one at once (1008)', async () => {
    backend.scriptUpgrades({ kind: 'close', code: 1008 });
    const answer = await gateway.openai.chat.completions.create({ model: 'codex-policy/gpt-5.1-codex', messages: [{ role: 'user', content: 'policy' }] });
    expect(answer.choices[0].message.content).toBe('You said: policy');
    expect(backend.lastRequest.transport).toBe('ws');
  });
});

describe('Codex WebSocket timeouts', () => {
  const model = 'codex-slow/gpt-5.1-codex';

  it('answers 504 when the upstream never starts answering the request', async () => {
    // Nothing at all after response.create: no metadata frames, no events.
    backend.script({ kind: 'stream', transport: 'ws', metadataFrames: false, holdAfter: 0 });
    const aborted = backend.abortedResponses;
    const started = Date.now();
    const error = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'anyone there?' }], stream: true }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
    // The instance's own 250 ms, not the 600 s default: named in the message, and far from it in time.
    expect(error.message).toMatch(/upstream codex-slow did not start answering within the timeout \(250 ms\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The gateway closed the socket of the timed-out response (held by the fake: never, otherwise).
    await backend.waitForAborts(aborted + 1, 5000);
    expect(backend.clientDisconnects[backend.clientDisconnects.length - 1]).toMatchObject({ transport: 'ws', connection: backend.lastRequest.connection, eventsSent: 0 });
  });

  it('answers 504 in the Responses API too', async () => {
    backend.script({ kind: 'stream', transport: 'ws', metadataFrames: false, holdAfter: 0 });
    const error = await gateway.openai.responses.create({ model, input: 'anyone there?' }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
  });

  it('keeps the deltas of a stream whose upstream goes silent, then reports the timeout in the stream and ends it', async () => {
    // Events 0-5: created, in_progress, the message item and part, then the deltas "one " and "two ".
    backend.script({ kind: 'stream', transport: 'ws', reasoning: false, text: 'one two three four', holdAfter: 6 });
    const started = Date.now();
    const stream = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e) => e);
    expect(text).toBe('one two ');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    // The instance's idle_ms (250 ms), not the 600 s default.
    expect(error.message).toMatch(/upstream codex-slow went silent mid-response for longer than the timeout \(250 ms\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('moves a request whose WebSocket upstream timed out before answering to the next target', async () => {
    // `patient` tries codex-slow (WebSocket) first, then codex (HTTP).
    backend.script({ kind: 'stream', transport: 'ws', metadataFrames: false, holdAfter: 0 });
    const answer = await gateway.openai.chat.completions.create({ model: 'patient', messages: [{ role: 'user', content: 'try elsewhere' }] });
    expect(answer.choices[0].message.content).toBe('You said: try elsewhere');
    expect(backend.requests.slice(-2).map((r) => r.transport)).toEqual(['ws', 'http']);
  });

  it('sends the request over HTTP when the WebSocket handshake outlasts connect_ms', async () => {
    const upgrades = backend.upgrades.length;
    backend.scriptUpgrades({ kind: 'stall' });
    const started = Date.now();
    const answer = await gateway.openai.chat.completions.create({ model: 'codex-stalled/gpt-5.1-codex', messages: [{ role: 'user', content: 'stalled' }] });
    expect(answer.choices[0].message.content).toBe('You said: stalled');
    expect(backend.lastRequest.transport).toBe('http');
    expect(backend.upgrades.slice(upgrades).map((u) => u.outcome)).toEqual(['stalled']);
    // Given up after connect_ms (250 ms); without it the handshake would be waited on for 30 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await fallbacks('codex-stalled', 'failed')).toBe(1);
  });

  it('serves the next request on a fresh socket after a timeout', async () => {
    backend.script({ kind: 'stream', transport: 'ws', metadataFrames: false, holdAfter: 0 });
    await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'lost' }] }).catch(() => undefined);
    const timedOut = backend.lastRequest.connection;
    const connections = backend.connections;

    const answer = await gateway.openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'found' }] });
    expect(answer.choices[0].message.content).toBe('You said: found');
    expect(backend.lastRequest.transport).toBe('ws');
    expect(backend.lastRequest.connection).not.toBe(timedOut);
    expect(backend.connections).toBe(connections + 1);
  });
});

describe('Codex credentials', () => {
  it('refreshes the token once after a 401 and retries with the new one', async () => {
    const before = oauth.tokenCallCount('refresh_token', 'openai');
    const seen = backend.requests.length;
    backend.script({ kind: 'http_error', transport: 'http', status: 401, body: { detail: 'Unauthorized' } });
    const answer = await gateway.openai.chat.completions.create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'again' }] });
    expect(answer.choices[0].message.content).toBe('You said: again');
    expect(oauth.tokenCallCount('refresh_token', 'openai')).toBe(before + 1);
    const [rejected, retried] = backend.requests.slice(seen);
    expect(rejected.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(retried.headers.authorization).not.toBe(`Bearer ${ACCESS_TOKEN}`);
  });
});

describe('/v1/responses for other providers', () => {
  const chat = new FakeOpenAIUpstream();
  let other: RunningGateway;

  beforeAll(async () => {
    await chat.start();
    other = await startGateway(`providers:\n  local:\n    type: openai-compatible\n    base_url: ${chat.url}\n    models: [m]\n`);
  });
  afterAll(async () => {
    await other.close();
    await chat.stop();
  });

  it('serves a chat-only model: the same answer as /v1/chat/completions, as a Response, whole and streamed', async () => {
    const expected = (await other.openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).choices[0].message.content;
    const whole = await other.openai.responses.create({ model: 'm', input: 'x' });
    expect(whole.output_text).toBe(expected);
    expect(whole.status).toBe('completed');
    const received = chat.requests.at(-1)!.body as { messages: unknown[] };
    expect(received.messages).toEqual([{ role: 'user', content: 'x' }]);

    const streamed = await other.openai.responses.stream({ model: 'm', input: 'x', instructions: 'be brief' }).finalResponse();
    expect(streamed.output_text).toBe(expected);
    const streamedBody = chat.requests.at(-1)!.body as { messages: unknown[]; stream_options?: unknown };
    expect(streamedBody.messages).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'x' }]);
    expect(streamedBody.stream_options).toEqual({ include_usage: true });
  });

  it('refuses what a chat upstream cannot do with a clear 400: hosted tools and previous_response_id', async () => {
    const requests = chat.requests.length;
    const search = await other.openai.responses.create({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] }).catch((e) => e);
    expect(search).toBeInstanceOf(OpenAI.BadRequestError);
    expect(search.message).toMatch(/web_search/);
    const previous = await other.openai.responses.create({ model: 'm', input: 'x', previous_response_id: 'resp_1' }).catch((e) => e);
    expect(previous).toBeInstanceOf(OpenAI.BadRequestError);
    expect(previous.message).toMatch(/previous_response_id/);
    expect(chat.requests.length).toBe(requests);
  });
});
