// Client keys on the running gateway, driven by the openai and Anthropic SDKs and plain HTTP:
// who is let in (no key, unknown, revoked, expired → 401 in each route's dialect), which models
// a key may use (403, and /v1/models filtered), each per-key limit (429 with retry-after, then
// recovery), a revoke seen within a second, the Responses WebSocket upgrade, and the admin API's
// /admin/v1/keys — with no secret in any list or log line.
import Anthropic from '@anthropic-ai/sdk';
import { PassThrough } from 'node:stream';
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { request } from 'undici';
import { AccessClock } from '../src/access/access-clock';
import { ClientKeyCache } from '../src/access/client-key-cache';
import { createClientKey, type KeySpec } from '../src/access/client-key-specs';
import { ClientKeyStore } from '../src/store/client-key-store';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { SqliteClientKeyStore } from '../src/store/sqlite/sqlite-client-key-store';
import { UsageBus } from '../src/usage/usage-bus';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';
import { awayFromMinuteEnd } from './support/minute-window';

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const USER = [{ role: 'user' as const, content: 'hello' }];

describe('client keys on the public routes', () => {
  const upstream = new FakeOpenAIUpstream();
  const logs = new PassThrough();
  let logText = '';
  let gateway: RunningGateway;
  let clock: AccessClock;
  let names = 0;

  beforeAll(async () => {
    await upstream.start();
    logs.on('data', (chunk: Buffer) => (logText += chunk.toString()));
    gateway = await startGateway(
      `
admin:
  key: ${ADMIN_KEY}
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-upstream
    models: [gpt-5-mini, llama-3.1-8b, claude-test-1]
`,
      { logLevel: 'info', logDestination: logs },
    );
    clock = gateway.app.get(AccessClock);
  });

  afterAll(async () => {
    await gateway.close();
    await upstream.stop();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    upstream.clearScript();
  });

  /** A new key in the gateway's store, in force at once. */
  async function newKey(spec: Omit<KeySpec, 'name'> = {}): Promise<{ id: string; name: string; secret: string }> {
    const name = `key-${++names}`;
    const { key, secret } = await createClientKey(gateway.app.get(ClientKeyStore), { name, ...spec });
    await gateway.app.get(ClientKeyCache).refresh();
    return { id: key.id, name, secret };
  }

  function openai(apiKey: string): OpenAI {
    return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
  }

  function anthropic(apiKey: string): Anthropic {
    return new Anthropic({ baseURL: gateway.url, apiKey, maxRetries: 0 });
  }

  async function post(path: string, body: object, headers: Record<string, string> = {}) {
    const res = await request(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as any };
  }

  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await request(`${gateway.url}${path}`, { headers });
    return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as any };
  }

  const chat = (key: string, model = 'gpt-5-mini') => openai(key).chat.completions.create({ model, messages: USER });
  const message = (key: string, model = 'claude-test-1') => anthropic(key).messages.create({ model, max_tokens: 16, messages: USER });

  async function rejection(promise: Promise<unknown>): Promise<any> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected the request to be refused');
  }

  /** Moves the access clock `ms` ahead of the real one. */
  function advance(ms: number): void {
    const skew = ms;
    jest.spyOn(clock, 'now').mockImplementation(() => Date.now() + skew);
  }

  it('lets everyone in while no key exists (open), then needs a key as soon as one exists', async () => {
    expect((await chat('anything')).choices[0].message.content).toBeTruthy();
    await newKey();
    const error = await rejection(chat('anything'));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  describe('401 in the route’s dialect', () => {
    let revoked: string;
    let expired: string;

    beforeAll(async () => {
      revoked = (await newKey()).secret;
      await gateway.app.get(ClientKeyStore).revoke(`key-${names}`);
      expired = (await newKey({ expiresAt: Date.now() - 1000 })).secret;
      await gateway.app.get(ClientKeyCache).refresh();
    });

    // The SDKs refuse to send a request without a key; plain HTTP does below.
    it.each([
      ['an unknown key', () => 'bk-unknown-key-0000000000000000000000000000000000'],
      ['a revoked key', () => revoked],
      ['an expired key', () => expired],
    ])('openai SDK with %s: AuthenticationError, authentication_error / invalid_api_key', async (_label, key) => {
      const error = await rejection(chat(key()));
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error.status).toBe(401);
      expect(error.type).toBe('authentication_error');
      expect(error.code).toBe('invalid_api_key');
    });

    it.each([
      ['an unknown key', () => 'bk-unknown-key-0000000000000000000000000000000000'],
      ['a revoked key', () => revoked],
      ['an expired key', () => expired],
    ])('Anthropic SDK with %s: AuthenticationError, type authentication_error', async (_label, key) => {
      const error = await rejection(message(key()));
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(error.status).toBe(401);
      expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    });

    it('refuses a request without a key: 401 in OpenAI’s dialect on chat, Anthropic’s on messages', async () => {
      const openaiRes = await post('/v1/chat/completions', { model: 'gpt-5-mini', messages: USER });
      expect(openaiRes.status).toBe(401);
      expect(openaiRes.json).toEqual({
        error: { message: expect.stringContaining('needs a client key'), type: 'authentication_error', param: null, code: 'invalid_api_key' },
      });
      const anthropicRes = await post('/v1/messages', { model: 'claude-test-1', max_tokens: 16, messages: USER }, { 'anthropic-version': '2023-06-01' });
      expect(anthropicRes.status).toBe(401);
      expect(anthropicRes.json).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: expect.stringContaining('x-api-key') } });
    });

    it('answers an unknown and a revoked key with the same body', async () => {
      const unknown = await post('/v1/chat/completions', { model: 'gpt-5-mini', messages: USER }, { authorization: 'Bearer bk-nope' });
      const gone = await post('/v1/chat/completions', { model: 'gpt-5-mini', messages: USER }, { authorization: `Bearer ${revoked}` });
      expect(gone.status).toBe(401);
      expect(gone.json).toEqual(unknown.json);
    });

    it.each([
      ['POST /v1/responses', () => post('/v1/responses', { model: 'gpt-5-mini', input: 'hi' })],
      ['POST /v1/messages/count_tokens', () => post('/v1/messages/count_tokens', { model: 'claude-test-1', messages: USER })],
      ['GET /v1/models', () => get('/v1/models')],
    ])('guards %s too', async (_route, call) => {
      const res = await call();
      expect(res.status).toBe(401);
      const type = res.json.type === 'error' ? res.json.error.type : res.json.error.type;
      expect(type).toBe('authentication_error');
    });

    it('does not guard /healthz', async () => {
      expect((await get('/healthz')).status).toBe(200);
    });

    it('refuses the Responses WebSocket upgrade without a key with 401 JSON', async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${gateway.url}/v1/responses`, {
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('upgrade', () => reject(new Error('the upgrade was accepted')));
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });
    });
  });

  it('serves a valid key from the openai SDK (Bearer) and the Anthropic SDK (x-api-key)', async () => {
    const { secret } = await newKey();
    expect((await chat(secret)).choices[0].message.content).toBeTruthy();
    expect((await message(secret)).content[0]).toMatchObject({ type: 'text' });
    const goog = await post('/v1/chat/completions', { model: 'gpt-5-mini', messages: USER }, { 'x-goog-api-key': secret });
    expect(goog.status).toBe(200);
  });

  describe('model scope', () => {
    let scoped: string;

    beforeAll(async () => {
      scoped = (await newKey({ models: ['gpt-5*', 'claude-*'] })).secret;
    });

    it('refuses a model outside the scope with 403 naming it, in both dialects', async () => {
      const error = await rejection(chat(scoped, 'llama-3.1-8b'));
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(error.message).toContain('`llama-3.1-8b`');
      const anthropicError = await rejection(message(scoped, 'llama-3.1-8b'));
      expect(anthropicError).toBeInstanceOf(Anthropic.PermissionDeniedError);
      expect(anthropicError.error).toMatchObject({ error: { type: 'permission_error' } });
      expect((await chat(scoped, 'gpt-5-mini')).choices).toHaveLength(1);
    });

    it('lists only the models the key may use in /v1/models (OpenAI and Anthropic shapes)', async () => {
      const listed = (await openai(scoped).models.list()).data.map((m) => m.id).sort();
      expect(listed).toEqual(['claude-test-1', 'gpt-5-mini']);
      const page = await anthropic(scoped).models.list();
      expect(page.data.map((m) => m.id).sort()).toEqual(['claude-test-1', 'gpt-5-mini']);
      const everything = (await openai((await newKey()).secret).models.list()).data.map((m) => m.id);
      expect(everything).toContain('llama-3.1-8b');
    });
  });

  describe('limits: 429 with retry-after, then recovery', () => {
    it('requests per minute', async () => {
      const { secret } = await newKey({ rpm: 2 });
      await awayFromMinuteEnd();
      await chat(secret);
      await message(secret);
      const error = await rejection(chat(secret));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.message).toContain('limit of 2 requests per minute');
      expect(Number(error.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(error.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      const anthropicError = await rejection(message(secret));
      expect(anthropicError).toBeInstanceOf(Anthropic.RateLimitError);
      expect(anthropicError.error).toMatchObject({ error: { type: 'rate_limit_error' } });
      expect(anthropicError.headers.get('retry-after')).toBeTruthy();
      // The refusal's log line says why, for which key and model (written as the response ends).
      const requestId = error.headers.get('x-request-id');
      const refusedLine = () => logText.split('\n').find((l) => l.includes(`"reqId":"${requestId}"`) && l.includes('request refused'));
      await waitFor(async () => refusedLine() !== undefined);
      expect(JSON.parse(refusedLine()!)).toMatchObject({ model: 'gpt-5-mini', status: 429, error: { status: 429, type: 'rate_limit_error' } });
      advance(60_000);
      expect((await chat(secret)).choices).toHaveLength(1);
    });

    it('tokens per minute, charged from finished requests’ usage records', async () => {
      const { id, secret } = await newKey({ tpm: 100 });
      await awayFromMinuteEnd();
      await chat(secret);
      gateway.app.get(UsageBus).publish(usageRecord(id, 80, 30));
      const error = await rejection(chat(secret));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.message).toContain('limit of 100 tokens per minute');
      expect(error.headers.get('retry-after')).toBeTruthy();
      advance(60_000);
      await chat(secret);
    });

    it('tokens per minute from the answers themselves: a stream’s usage (17 tokens) fills a tpm of 30 on the second request', async () => {
      const { id, secret } = await newKey({ tpm: 30 });
      await awayFromMinuteEnd();
      // The usage record reaches the limiter (an earlier listener on the bus) when each response
      // closes, just after the client has read it: wait for both records, not a fixed time.
      let records = 0;
      const stop = gateway.app.get(UsageBus).subscribe((record) => {
        if (record.keyId === id) records++;
      });
      const streamed = async () => {
        const stream = await openai(secret).chat.completions.create({ model: 'gpt-5-mini', messages: USER, stream: true });
        for await (const _ of stream) continue;
      };
      try {
        await streamed();
        await streamed();
        await waitFor(async () => records === 2);
      } finally {
        stop();
      }
      // The charge itself settles on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      const error = await rejection(openai(secret).chat.completions.create({ model: 'gpt-5-mini', messages: USER }));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.message).toContain('limit of 30 tokens per minute');
    });

    it('a daily token budget', async () => {
      const { id, secret } = await newKey({ budget: { tokens: 1000, per: 'day' } });
      gateway.app.get(UsageBus).publish(usageRecord(id, 900, 100));
      const res = await post('/v1/messages', { model: 'claude-test-1', max_tokens: 16, messages: USER }, { 'x-api-key': secret });
      expect(res.status).toBe(429);
      expect(res.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      expect(res.json.error.message).toContain('limit of 1000 tokens per day');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      advance(86_400_000);
      expect((await message(secret)).content).toBeDefined();
    });

    it('concurrent requests, released when a stream ends', async () => {
      const { secret } = await newKey({ concurrency: 1 });
      upstream.script({ kind: 'stream', events: [chunk('a'), chunk('b'), chunk('c')], delayMs: 300 });
      const stream = await openai(secret).chat.completions.create({ model: 'gpt-5-mini', messages: USER, stream: true });
      const error = await rejection(chat(secret));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.message).toContain('limit of 1 concurrent requests');
      expect(error.headers.get('retry-after')).toBe('1');
      for await (const _chunk of stream) {
        // drain
      }
      await waitFor(async () => (await post('/v1/chat/completions', { model: 'gpt-5-mini', messages: USER }, { authorization: `Bearer ${secret}` })).status === 200);
    });

    it('concurrent requests, released when the client goes away mid-stream', async () => {
      const { secret } = await newKey({ concurrency: 1 });
      upstream.script({ kind: 'stream', initialDelayMs: 1500 });
      const seen = upstream.requests.length;
      const controller = new AbortController();
      const pending = openai(secret).chat.completions.create({ model: 'gpt-5-mini', messages: USER, stream: true }, { signal: controller.signal });
      // Once it is at the upstream it holds the key's one slot (a fixed wait could end before that).
      await waitFor(async () => upstream.requests.length > seen);
      expect((await rejection(chat(secret))).status).toBe(429);
      controller.abort();
      await pending.catch(() => undefined);
      await waitFor(async () => (await post('/v1/chat/completions', { model: 'gpt-5-mini', messages: USER }, { authorization: `Bearer ${secret}` })).status === 200);
    });
  });

  it('stops a key revoked by another process (the CLI) within a second', async () => {
    const { name, secret } = await newKey();
    expect((await chat(secret)).choices).toHaveLength(1);
    const accounts = SqliteAccountStore.open({ home: gateway.home });
    try {
      await new SqliteClientKeyStore(accounts.connection).revoke(name);
    } finally {
      await accounts.close();
    }
    // The revision is polled every 500 ms (KEY_POLL_MS): refused about half a second after the
    // revoke. 5 s leaves a loaded machine room; a cache that never re-read the store would let the
    // key in until a restart.
    const revokedAt = Date.now();
    await waitFor(async () => (await post('/v1/chat/completions', { model: 'gpt-5-mini', messages: USER }, { authorization: `Bearer ${secret}` })).status === 401, 5000);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
  });

  describe('/admin/v1/keys', () => {
    const admin = (path = '') => `${gateway.url}/admin/v1/keys${path}`;

    async function call(method: string, path: string, body?: object, key: string | null = ADMIN_KEY) {
      const res = await request(admin(path), {
        method: method as 'GET',
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.body.text();
      return { status: res.statusCode, text, json: text ? JSON.parse(text) : undefined };
    }

    it.each([
      ['no admin key', null],
      ['a wrong admin key', 'admin-key-wrong-wrong-wrong'],
      ['a client key', 'bk-client-keys-are-not-admin-keys-000000000000'],
    ])('refuses %s with 401 on every endpoint', async (_label, key) => {
      for (const [method, path, body] of [
        ['GET', ''],
        ['POST', '', { name: 'x' }],
        ['GET', '/x'],
        ['PATCH', '/x', { rpm: 1 }],
        ['DELETE', '/x'],
      ] as const) {
        const res = await call(method, path, body, key);
        expect([method, path, res.status]).toEqual([method, path, 401]);
        expect(res.json.error.type).toBe('authentication_error');
      }
    });

    it('creates (secret once), lists and shows (prefix only), updates limits and revokes; the key works until revoked', async () => {
      const created = await call('POST', '', { name: 'team-admin', models: ['gpt-5*'], rpm: 100, budget: { tokens: 5000, per: 'month' }, expires_in: '30d' });
      expect(created.status).toBe(201);
      const secret: string = created.json.secret;
      expect(secret).toMatch(/^bk-[A-Za-z0-9_-]{43}$/);
      expect(created.json.key).toMatchObject({
        name: 'team-admin',
        prefix: `${secret.slice(0, 9)}…`,
        status: 'active',
        models: ['gpt-5*'],
        rpm: 100,
        tpm: null,
        budget: { tokens: 5000, per: 'month' },
        revoked_at: null,
      });
      expect(Date.parse(created.json.key.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);
      const id: string = created.json.key.id;

      expect((await chat(secret)).choices).toHaveLength(1);

      const listed = await call('GET', '');
      expect(listed.status).toBe(200);
      expect(listed.json.data.map((k: { name: string }) => k.name)).toContain('team-admin');
      expect(listed.text).not.toContain(secret);
      expect(listed.text).not.toContain(secret.slice(9));
      expect(listed.text).not.toMatch(/secret|hash/i);
      const shown = await call('GET', '/team-admin');
      expect(shown.json).toEqual(listed.json.data.find((k: { id: string }) => k.id === id));

      const updated = await call('PATCH', `/${id}`, { rpm: null, concurrency: 2, models: [] });
      expect(updated.status).toBe(200);
      expect(updated.json).toMatchObject({ rpm: null, concurrency: 2, models: [] });
      expect((await chat(secret, 'llama-3.1-8b')).choices).toHaveLength(1);

      const revoked = await call('DELETE', '/team-admin');
      expect(revoked.status).toBe(200);
      expect(revoked.json.status).toBe('revoked');
      expect(await rejection(chat(secret))).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((await call('GET', `/${id}`)).json.status).toBe('revoked');
    });

    it('answers invalid bodies, taken names and unknown keys with errors a person can act on', async () => {
      const bad = await call('POST', '', { name: 'bad name!', rpm: 0, budget: { tokens: 5 }, colour: 'blue' });
      expect(bad.status).toBe(400);
      for (const part of ['name is not a valid name', 'rpm must be at least 1', 'budget.per must be day or month', 'colour is not a known field']) {
        expect(bad.json.error.message).toContain(part);
      }
      await call('POST', '', { name: 'twice' });
      const taken = await call('POST', '', { name: 'twice' });
      expect([taken.status, taken.json.error.code]).toEqual([409, 'key_name_taken']);
      const missing = await call('PATCH', '/nobody', { rpm: 5 });
      expect([missing.status, missing.json.error.code]).toEqual([404, 'key_not_found']);
      expect((await call('DELETE', '/nobody')).status).toBe(404);
    });

    it('never writes a client secret to the log', async () => {
      const from = logText.length;
      const created = await call('POST', '', { name: 'logged' });
      await chat(created.json.secret);
      await rejection(chat(`${created.json.secret}x`));
      // Wait for the refusal's line, the last of these requests' lines (rather than a fixed time).
      await waitFor(async () => logText.slice(from).includes('request refused'));
      expect(logText).toContain('/admin/v1/keys');
      expect(logText).not.toContain(created.json.secret);
      expect(logText).not.toContain(ADMIN_KEY);
    });
  });
});

function chunk(content: string) {
  return { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'gpt-5-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }] };
}

function usageRecord(keyId: string, input: number, output: number) {
  return {
    at: Date.now(),
    requestId: `req-${keyId}`,
    keyId,
    route: '/v1/chat/completions',
    status: 200,
    tokens: { input, output, cached: 0, reasoning: 0 },
    durationMs: 5,
    stream: false,
    attempts: 1,
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
