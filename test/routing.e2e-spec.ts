// Routing and resilience through the real gateway: credential pools and their strategies,
// cooldowns until the upstream's announced reset, failover before the first byte (never after),
// fallbacks, aliases, excluded models, thinking suffixes, payload rules, timeouts, keepalives,
// and hot reload of providers.yaml. Fake upstreams fail on command.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { ConfigReloader } from '../src/registry/config-reloader.service';
import { PluginRegistry } from '../src/registry/plugin-registry.service';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const USER = [{ role: 'user' as const, content: 'hi' }];
const main = new FakeOpenAIUpstream();
const backup = new FakeOpenAIUpstream();
let home: string;
let gateway: RunningGateway;

function providersYaml(extra = ''): string {
  return `
server:
  sse_keepalive_ms: 150
routing:
  cooldown_ms: 60000
  max_attempts: 4
  aliases:
    fast: llama
    sturdy: [dead-model, llama]
  fallbacks:
    dead-model: [backup-model]
    flaky-model: [backup-model]
  payload:
    default:
      - models: ["llama*"]
        params: { "metadata.gateway": "byokey", "temperature": 0.5 }
    override:
      - models: [llama]
        params: { "top_p": 0.9 }
    filter:
      - models: ["*"]
        params: [user]
providers:
  qwen:
    base_url: ${main.url}
    api_keys: [k1, k2, k3]
    accounts: all
  fill:
    type: openai-compatible
    base_url: ${main.url}
    strategy: fill-first
    api_keys: [f1, f2]
    models: [fill-model]
  busy:
    type: openai-compatible
    base_url: ${main.url}
    strategy: least-busy
    api_keys: [b1, b2]
    models: [busy-model]
  local:
    type: openai-compatible
    base_url: ${main.url}
    api_key: l1
    models: [llama, "llama-3.1-8b", "llama-3.1-8b-mini", flaky-model]
    excluded_models: ["*-mini"]
  slow:
    type: openai-compatible
    base_url: ${main.url}
    api_keys: [s1, s2]
    models: [slow-model]
    timeouts: { first_byte_ms: 300, idle_ms: 700, total_ms: 1500 }
  dead:
    type: openai-compatible
    base_url: http://127.0.0.1:9/v1
    models: [dead-model]
  spare:
    type: openai-compatible
    base_url: ${backup.url}
    api_key: b
    models: [backup-model]
${extra}`;
}

beforeAll(async () => {
  await main.start();
  await backup.start();
  home = mkdtempSync(join(tmpdir(), 'byokey-routing-'));
  const store = SqliteAccountStore.open({ home });
  await store.save({ provider: 'qwen', accountId: 'first', tokens: { accessToken: 'acct-first' }, expiresAt: Date.now() + 3_600_000 });
  await store.save({ provider: 'qwen', accountId: 'second', tokens: { accessToken: 'acct-second' }, expiresAt: Date.now() + 3_600_000 });
  await store.close();
  gateway = await startGateway(providersYaml(), { home });
});

afterAll(async () => {
  await gateway?.close();
  await main.stop();
  await backup.stop();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => gateway.app.get(RequestRouter).states.clearAllCooldowns());

const bearer = (r: { headers: Record<string, unknown> }) => String(r.headers.authorization).replace('Bearer ', '');
const ask = (model: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
  gateway.openai.chat.completions.create({ model, messages: USER, ...extra });
const askStream = (model: string) => gateway.openai.chat.completions.create({ model, messages: USER, stream: true });

describe('credential pools', () => {
  it('round-robin spreads requests over three keys and two accounts', async () => {
    const seen = main.requests.length;
    for (let i = 0; i < 10; i++) await ask('qwen3-coder-plus');
    const used = main.requests.slice(seen).map(bearer);
    expect(used).toEqual(['k1', 'k2', 'k3', 'acct-first', 'acct-second', 'k1', 'k2', 'k3', 'acct-first', 'acct-second']);
  });

  it('fill-first keeps using the first key until it is rate limited, then the next', async () => {
    const seen = main.requests.length;
    await ask('fill-model');
    await ask('fill-model');
    main.script({ kind: 'error', status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'slow down', type: 'requests', param: null, code: null } } });
    await ask('fill-model');
    await ask('fill-model');
    expect(main.requests.slice(seen).map(bearer)).toEqual(['f1', 'f1', 'f1', 'f2', 'f2']);
  });

  it('least-busy sends a request to the key with fewer requests in flight', async () => {
    const events = Array.from({ length: 2 }, (_, i) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `${i}` }, finish_reason: null }] }));
    // The upstream goes quiet after the first event: the stream stays in flight until we leave it,
    // however long the second request takes to arrive.
    main.script({ kind: 'stream', events, hangAfter: 1 });
    const seen = main.requests.length;
    const leave = new AbortController();
    const slow = await gateway.openai.chat.completions.create({ model: 'busy-model', messages: USER, stream: true }, { signal: leave.signal });
    await ask('busy-model');
    leave.abort();
    await (async () => {
      for await (const _ of slow) {
        // drain
      }
    })().catch(() => undefined);
    expect(main.requests.slice(seen).map(bearer)).toEqual(['b1', 'b2']);
  });
});

describe('cooldowns and failover before the first byte', () => {
  it('rests a key until the announced reset, then uses it again', async () => {
    const seen = main.requests.length;
    main.script({ kind: 'error', status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'limit', type: 'requests', param: null, code: null } } });
    const answer = await ask('fill-model');
    expect(answer.choices[0].message.content).toBe('You said: hi');
    await ask('fill-model');
    await new Promise((r) => setTimeout(r, 1100));
    await ask('fill-model');
    expect(main.requests.slice(seen).map(bearer)).toEqual(['f1', 'f2', 'f2', 'f1']);
    expect(gateway.app.get(RequestRouter).states.cooldown('fill\u0000api_keys[0]')).toBeUndefined();
  });

  it('hides a failing credential from the client: a 500 moves the request to the next one', async () => {
    main.script({ kind: 'error', status: 500, rawBody: 'boom' });
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fill-model', messages: USER }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-should-retry']).toBeUndefined();
    await res.body.dump();
  });

  it('says x-should-retry: false when every attempt failed', async () => {
    main.script(
      { kind: 'error', status: 503, rawBody: 'down' },
      { kind: 'error', status: 503, rawBody: 'down' },
    );
    const error = await ask('fill-model').catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.headers.get('x-should-retry')).toBe('false');
  });

  it('does not retry a request the upstream called bad', async () => {
    const seen = main.requests.length;
    main.script({ kind: 'error', status: 400, body: { error: { message: 'bad field', type: 'invalid_request_error', param: 'x', code: null } } });
    const error = await ask('fill-model').catch((e) => e);
    expect(error.status).toBe(400);
    expect(main.requests.length).toBe(seen + 1);
    expect(error.headers.get('x-should-retry')).toBeNull();
  });

  it('answers 429 with retry-after when every credential is resting', async () => {
    main.script(
      { kind: 'error', status: 429, headers: { 'retry-after': '40' }, body: { error: { message: 'l', type: 'x', param: null, code: null } } },
      { kind: 'error', status: 429, headers: { 'retry-after': '20' }, body: { error: { message: 'l', type: 'x', param: null, code: null } } },
    );
    await ask('fill-model').catch(() => undefined);
    const seen = main.requests.length;
    const error = await ask('fill-model').catch((e) => e);
    expect(error.status).toBe(429);
    expect(error.code).toBe('credentials_cooling_down');
    expect(Number(error.headers.get('retry-after'))).toBeGreaterThanOrEqual(19);
    expect(Number(error.headers.get('retry-after'))).toBeLessThanOrEqual(20);
    expect(main.requests.length).toBe(seen);
  });

  it('falls back to another model when a whole provider is down', async () => {
    const seen = backup.requests.length;
    const answer = await ask('dead-model');
    expect(answer.choices[0].message.content).toBe('You said: hi');
    expect(backup.requests.length).toBe(seen + 1);
    expect(backup.lastRequest.body.model).toBe('backup-model');
  });

  it('falls back after the model failed before its first byte on a stream', async () => {
    main.script({ kind: 'stream', events: [], dropAfter: 0 });
    const stream = await askStream('flaky-model');
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('You said: hi');
    expect(backup.lastRequest.body.stream).toBe(true);
  });

  it('never resends a stream that failed after its first byte', async () => {
    const chunk = (content: string) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    main.script({ kind: 'stream', events: [chunk('one '), chunk('two')], dropAfter: 1 });
    const seenMain = main.requests.length;
    const seenBackup = backup.requests.length;
    const stream = await askStream('flaky-model');
    let text = '';
    const error = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().catch((e) => e);
    expect(text).toBe('one ');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(main.requests.length).toBe(seenMain + 1);
    expect(backup.requests.length).toBe(seenBackup);
  });

  it('starts no new attempt after the deadline', async () => {
    // Two keys whose attempts each hang until first_byte_ms (300 ms), past routing.deadline_ms.
    const bounded = await startGateway(`
routing:
  deadline_ms: 100
providers:
  slow:
    type: openai-compatible
    base_url: ${main.url}
    api_keys: [d1, d2]
    models: [slow-model]
    timeouts: { first_byte_ms: 300 }
`);
    try {
      main.script({ kind: 'hang' }, { kind: 'hang' });
      const seen = main.requests.length;
      const error = await bounded.openai.chat.completions.create({ model: 'slow-model', messages: USER }).catch((e) => e);
      expect(error.status).toBe(504);
      expect(error.code).toBe('upstream_timeout');
      expect(main.requests.length).toBe(seen + 1);
    } finally {
      main.clearScript(); // the second hang was never used
      await bounded.close();
    }
  });

  it('retries a timed-out attempt on the next key within the deadline, then says not to retry', async () => {
    main.script({ kind: 'stream', events: [], dropAfter: 0 }, { kind: 'stream', events: [], dropAfter: 0 });
    const seen = main.requests.length;
    const error = await ask('slow-model').catch((e) => e);
    expect(main.requests.length).toBe(seen + 2);
    expect(error.status).toBe(502);
    expect(error.headers.get('x-should-retry')).toBe('false');
  });
});

describe('model routing', () => {
  it('serves an alias, and lists aliases with the models', async () => {
    expect((await ask('fast')).choices[0].message.content).toBe('You said: hi');
    expect(main.lastRequest.body.model).toBe('llama');
    const models = (await gateway.openai.models.list()).data.map((m) => m.id);
    expect(models).toEqual(expect.arrayContaining(['fast', 'sturdy', 'llama']));
  });

  it('tries an alias list in order', async () => {
    const answer = await ask('sturdy');
    expect(answer.choices[0].message.content).toBe('You said: hi');
  });

  it('hides and refuses excluded models', async () => {
    const models = (await gateway.openai.models.list()).data.map((m) => m.id);
    expect(models).toContain('llama-3.1-8b');
    expect(models).not.toContain('llama-3.1-8b-mini');
    const error = await ask('llama-3.1-8b-mini').catch((e) => e);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/excluded on provider instance `local`/);
  });

  it('maps a thinking suffix to the reasoning effort', async () => {
    await ask('llama(high)');
    expect(main.lastRequest.body).toMatchObject({ model: 'llama', reasoning_effort: 'high' });
    await ask('llama(512)');
    expect(main.lastRequest.body.reasoning_effort).toBe('low');
    await ask('llama(none)', { reasoning_effort: 'high' });
    expect(main.lastRequest.body).not.toHaveProperty('reasoning_effort');
  });

  it('applies payload rules: defaults, overrides and filters', async () => {
    await ask('llama', { temperature: 0.1, top_p: 0.2, user: 'someone' });
    expect(main.lastRequest.body).toMatchObject({ temperature: 0.1, top_p: 0.9, metadata: { gateway: 'byokey' } });
    expect(main.lastRequest.body).not.toHaveProperty('user');
    await ask('llama-3.1-8b');
    expect(main.lastRequest.body).toMatchObject({ temperature: 0.5, metadata: { gateway: 'byokey' } });
    expect(main.lastRequest.body).not.toHaveProperty('top_p');
  });
});

describe('timeouts and keepalives', () => {
  const chunk = (content: string) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

  it('ends a stream silent for longer than idle_ms with an in-stream timeout', async () => {
    main.script({ kind: 'stream', events: [chunk('a'), chunk('b')], hangAfter: 1 });
    const stream = await askStream('slow-model');
    let text = '';
    const error = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().catch((e) => e);
    expect(text).toBe('a');
    expect(error?.message).toMatch(/went silent/);
  });

  it('ends a stream that runs past total_ms with an in-stream timeout', async () => {
    // 60 events 200 ms apart (never idle for 700 ms): 12 s of stream, cut at total_ms (1.5 s).
    main.script({ kind: 'stream', events: Array.from({ length: 60 }, (_, i) => chunk(`${i} `)), delayMs: 200 });
    const started = Date.now();
    const stream = await askStream('slow-model');
    const error = await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().catch((e) => e);
    expect(error?.message).toMatch(/total time/);
    // Cut at about 1.5 s; 7.5 s leaves a loaded machine room and is still far from the 12 s the
    // whole stream takes.
    expect(Date.now() - started).toBeLessThan(7500);
  });

  it('starts the response and sends keepalives while the upstream thinks before its first event', async () => {
    main.script({ kind: 'stream', events: [chunk('late'), chunk(' answer')], initialDelayMs: 900 });
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama', messages: USER, stream: true }),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    const firstData = text.indexOf('data: ');
    expect(text.slice(0, firstData)).toMatch(/^: keep-alive$/m);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('hot reload of providers.yaml', () => {
  let reloading: RunningGateway;
  let file: string;

  beforeAll(async () => {
    reloading = await startGateway(`providers:\n  local:\n    type: openai-compatible\n    base_url: ${main.url}\n    api_key: r1\n    models: [before-model]\n`);
    file = reloading.app.get(PluginRegistry).config.source;
  });
  afterAll(() => reloading?.close());

  /** Rewrites the file and waits until the watcher has reloaded it (well under a second; 10 s at most). */
  async function rewrite(text: string): Promise<void> {
    const reloader = reloading.app.get(ConfigReloader);
    const before = reloader.reloads;
    writeFileSync(file, text);
    await reloaded(before);
  }

  async function reloaded(before: number): Promise<void> {
    const reloader = reloading.app.get(ConfigReloader);
    for (const deadline = Date.now() + 10_000; reloader.reloads === before; ) {
      if (Date.now() > deadline) throw new Error('the watcher did not reload the edited providers.yaml within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('applies a changed model list and key without a restart', async () => {
    await rewrite(`providers:\n  local:\n    type: openai-compatible\n    base_url: ${main.url}\n    api_key: r2\n    models: [after-model]\n`);
    const models = (await reloading.openai.models.list()).data.map((m) => m.id);
    expect(models).toEqual(['after-model']);
    await reloading.openai.chat.completions.create({ model: 'after-model', messages: USER });
    expect(bearer(main.lastRequest)).toBe('r2');
  });

  it('keeps the running configuration when the edit is invalid', async () => {
    const reloader = reloading.app.get(ConfigReloader);
    const before = reloader.reloads;
    writeFileSync(file, `providers:\n  local:\n    type: openai-compatibel\n`);
    await new Promise((r) => setTimeout(r, 500));
    expect(reloader.reloads).toBe(before);
    expect((await reloading.openai.chat.completions.create({ model: 'after-model', messages: USER })).choices[0].message.content).toBe('You said: hi');
  });

  it('reloads under load without failing a request, and lets a running stream finish', async () => {
    const reloader = reloading.app.get(ConfigReloader);
    const chunk = (content: string) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    main.script({ kind: 'stream', events: [chunk('a'), chunk('b'), chunk('c'), chunk('d')], delayMs: 100 });
    const inFlight = reloading.openai.chat.completions.create({ model: 'after-model', messages: USER, stream: true });
    let stop = false;
    let ok = 0;
    const load = (async () => {
      while (!stop) {
        await reloading.openai.chat.completions.create({ model: 'after-model', messages: USER });
        ok++;
      }
      return ok;
    })();
    const before = reloader.reloads;
    writeFileSync(file, `providers:\n  local:\n    type: openai-compatible\n    base_url: ${main.url}\n    api_key: r3\n    models: [after-model, extra-model]\n`);
    await reloaded(before);
    // Load on both sides of the reload: a few more requests once it is in force, however slow the machine.
    const atReload = ok;
    for (const deadline = Date.now() + 10_000; ok < atReload + 3 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    expect(await load).toBeGreaterThan(3);
    expect(ok).toBeGreaterThanOrEqual(atReload + 3);
    let text = '';
    for await (const c of (await inFlight)) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('abcd');
    expect(reloader.reloads).toBeGreaterThan(before);
    expect((await reloading.openai.models.list()).data.map((m) => m.id)).toEqual(['after-model', 'extra-model']);
  });
});
