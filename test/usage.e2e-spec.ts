// Usage accounting through the real gateway: requests made with the official openai and
// Anthropic SDKs on every route, against fake OpenAI-compatible, Anthropic and Codex upstreams,
// streamed and not. Each one's usage record — read back through the admin API, as an operator
// would — must say what the upstream counted (cached and reasoning tokens included), which
// instance, model and credential served it, and how it ended. `byokey usage` (the built CLI, on
// the same BYOKEY_HOME) must print the same totals the admin API returns.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { request } from 'undici';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { SqliteUsageStore } from '../src/store/sqlite/sqlite-usage-store';
import { FAKE_API_KEY, FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { DEFAULT_USAGE as CODEX_USAGE, FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, killAllCli, runCli } from './support/cli-process';
import { startGateway, type RunningGateway } from './support/gateway';

const ADMIN_KEY = 'admin-secret-for-usage';
const LLAMA = 'llama-3.1-8b';
const SONNET = 'claude-sonnet-5-5';
const CODEX = 'gpt-5.1-codex';

const openaiUpstream = new FakeOpenAIUpstream();
const anthropicUpstream = new FakeAnthropicUpstream();
const codexBackend = new FakeCodexBackend();
let home: string;
let gateway: RunningGateway;
let anthropic: Anthropic;

interface Tokens {
  input: number;
  output: number;
  cached: number;
  reasoning: number;
}

/** A usage record as GET /admin/v1/usage/records returns it. */
interface RecordJson {
  id: number;
  at: string;
  request_id: string;
  key_id: string | null;
  route: string;
  model_requested: string | null;
  model_served: string | null;
  instance: string | null;
  credential: string | null;
  status: number;
  error_type: string | null;
  tokens: Tokens;
  ttfb_ms: number | null;
  duration_ms: number;
  stream: boolean;
  attempts: number;
}

// ---------------------------------------------------------------- what each upstream counts

/** OpenAI chat usage with every detail set, so a lost field shows. */
const CHAT_USAGE = {
  prompt_tokens: 40,
  completion_tokens: 12,
  total_tokens: 52,
  prompt_tokens_details: { cached_tokens: 16 },
  completion_tokens_details: { reasoning_tokens: 5 },
};
const CHAT_TOKENS: Tokens = { input: 40, output: 12, cached: 16, reasoning: 5 };

/** Anthropic counts cache reads and writes beside input_tokens; the record counts them as input. */
const MESSAGES_USAGE = { input_tokens: 21, cache_creation_input_tokens: 7, cache_read_input_tokens: 300, output_tokens: 9 };
const MESSAGES_TOKENS: Tokens = { input: 328, output: 9, cached: 300, reasoning: 0 };

const CODEX_TOKENS: Tokens = {
  input: CODEX_USAGE.input_tokens,
  output: CODEX_USAGE.output_tokens,
  cached: CODEX_USAGE.input_tokens_details.cached_tokens,
  reasoning: CODEX_USAGE.output_tokens_details.reasoning_tokens,
};

const CREATED = 1767225600;

function chatCompletion(model: string): object {
  return {
    id: 'chatcmpl-usage',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'counted', refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: CHAT_USAGE,
  };
}

/** A stream as OpenAI sends it when usage was asked for. */
function chatChunks(model: string): object[] {
  const base = { id: 'chatcmpl-usage', object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: null };
  const chunk = (delta: object, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
  return [chunk({ role: 'assistant', content: '' }), chunk({ content: 'coun' }), chunk({ content: 'ted' }), chunk({}, 'stop'), { ...base, choices: [], usage: CHAT_USAGE }];
}

// ---------------------------------------------------------------- helpers

/** GET an admin route with the admin key, another key, or none (null). */
async function admin(path: string, key: string | null = ADMIN_KEY): Promise<{ status: number; body: any }> {
  const res = await request(`${gateway.url}/admin/v1${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: res.statusCode, body: await res.body.json() };
}

/** The request's usage record, once the writer has stored it (it writes every second). */
async function recordOf(requestId: string | null): Promise<RecordJson> {
  expect(requestId).toBeTruthy();
  const deadline = Date.now() + 5000;
  for (;;) {
    const { body } = await admin('/usage/records?limit=100');
    const found = (body.data as RecordJson[]).find((r) => r.request_id === requestId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no usage record for request ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectServed(record: RecordJson, expected: { route: string; model: string; instance: string; credential: string | null; tokens: Tokens; stream: boolean }): void {
  expect(record).toMatchObject({
    route: expected.route,
    model_requested: expected.model,
    model_served: expected.model,
    instance: expected.instance,
    credential: expected.credential,
    status: 200,
    error_type: null,
    tokens: expected.tokens,
    stream: expected.stream,
    attempts: 1,
    key_id: null,
  });
  expect(record.ttfb_ms).toEqual(expect.any(Number));
  expect(record.ttfb_ms!).toBeGreaterThanOrEqual(0);
  expect(record.ttfb_ms!).toBeLessThanOrEqual(record.duration_ms);
}

/** The gateway's request id on an SDK's APIError (both SDKs keep the response headers). */
function requestIdOf(error: unknown): string | null {
  return (error as { headers?: Headers }).headers?.get('x-request-id') ?? null;
}

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

// ---------------------------------------------------------------- the gateway

beforeAll(async () => {
  await Promise.all([openaiUpstream.start(), anthropicUpstream.start(), codexBackend.start()]);
  home = mkdtempSync(join(tmpdir(), 'byokey-usage-'));
  const store = SqliteAccountStore.open({ home });
  await store.save({ provider: 'codex', accountId: 'default', tokens: { accessToken: 'codex-token' }, claims: { chatgpt_account_id: 'acc-1' } });
  await store.close();
  openaiUpstream.apiKey = 'sk-local';
  gateway = await startGateway(
    `
admin:
  key: ${ADMIN_KEY}
providers:
  local:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
    api_keys: [sk-local]
    models: [${LLAMA}]
  claude:
    base_url: ${anthropicUpstream.url}
    api_key: ${FAKE_API_KEY}
  codex:
    base_url: ${codexBackend.httpUrl}
`,
    { home },
  );
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([openaiUpstream.stop(), anthropicUpstream.stop(), codexBackend.stop()]);
  await killAllCli();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  openaiUpstream.clearScript();
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

// ---------------------------------------------------------------- every route × upstream

describe('usage records equal the upstream usage', () => {
  describe('POST /v1/chat/completions (openai SDK)', () => {
    const route = '/v1/chat/completions';
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'count me' }];

    it('openai-compatible, JSON', async () => {
      openaiUpstream.script({ kind: 'json', body: chatCompletion(LLAMA) });
      const { response } = await gateway.openai.chat.completions.create({ model: LLAMA, messages }).withResponse();
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: LLAMA, instance: 'local', credential: 'api_keys[0]', tokens: CHAT_TOKENS, stream: false });
    });

    it('openai-compatible, stream the client asked usage for', async () => {
      openaiUpstream.script({ kind: 'stream', events: chatChunks(LLAMA) });
      const { data, response } = await gateway.openai.chat.completions
        .create({ model: LLAMA, messages, stream: true, stream_options: { include_usage: true } })
        .withResponse();
      const chunks = await drain(data);
      expect(chunks[chunks.length - 1].usage).toEqual(CHAT_USAGE);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: LLAMA, instance: 'local', credential: 'api_keys[0]', tokens: CHAT_TOKENS, stream: true });
    });

    it('openai-compatible, stream without include_usage: the gateway asks for it, records it, and the client never sees it', async () => {
      // The fake answers like OpenAI: a usage chunk (and `usage: null` elsewhere) only when asked.
      const { data, response } = await gateway.openai.chat.completions.create({ model: LLAMA, messages, stream: true }).withResponse();
      const chunks = await drain(data);
      expect(openaiUpstream.lastRequest.body.stream_options).toEqual({ include_usage: true });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: count me');
      expect(chunks.every((c) => !('usage' in c))).toBe(true);
      const record = await recordOf(response.headers.get('x-request-id'));
      expect(record.tokens).toEqual({ input: 12, output: 5, cached: 0, reasoning: 0 });
    });

    it('claude (translated), JSON', async () => {
      anthropicUpstream.script({ kind: 'answer', usage: MESSAGES_USAGE });
      const { data, response } = await gateway.openai.chat.completions.create({ model: SONNET, messages }).withResponse();
      // What the client sees is translated; the record keeps the upstream's own count.
      expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(300);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: SONNET, instance: 'claude', credential: 'api_key', tokens: MESSAGES_TOKENS, stream: false });
    });

    it('claude (translated), stream', async () => {
      anthropicUpstream.script({ kind: 'answer', usage: MESSAGES_USAGE });
      const { data, response } = await gateway.openai.chat.completions.create({ model: SONNET, messages, stream: true }).withResponse();
      await drain(data);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: SONNET, instance: 'claude', credential: 'api_key', tokens: MESSAGES_TOKENS, stream: true });
    });

    it('codex (translated), JSON', async () => {
      const { response } = await gateway.openai.chat.completions.create({ model: CODEX, messages }).withResponse();
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: CODEX, instance: 'codex', credential: 'account:default', tokens: CODEX_TOKENS, stream: false });
    });

    it('codex (translated), stream', async () => {
      const { data, response } = await gateway.openai.chat.completions.create({ model: CODEX, messages, stream: true }).withResponse();
      await drain(data);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: CODEX, instance: 'codex', credential: 'account:default', tokens: CODEX_TOKENS, stream: true });
    });
  });

  describe('POST /v1/messages (Anthropic SDK)', () => {
    const route = '/v1/messages';
    const params = (model: string) => ({ model, max_tokens: 256, messages: [{ role: 'user' as const, content: 'count me' }] });

    it('claude (passthrough), JSON', async () => {
      anthropicUpstream.script({ kind: 'answer', usage: MESSAGES_USAGE });
      const { data, response } = await anthropic.messages.create(params(SONNET)).withResponse();
      expect(data.usage).toMatchObject(MESSAGES_USAGE);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: SONNET, instance: 'claude', credential: 'api_key', tokens: MESSAGES_TOKENS, stream: false });
    });

    it('claude (passthrough), stream', async () => {
      anthropicUpstream.script({ kind: 'answer', usage: MESSAGES_USAGE });
      const { data, response } = await anthropic.messages.create({ ...params(SONNET), stream: true }).withResponse();
      await drain(data);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: SONNET, instance: 'claude', credential: 'api_key', tokens: MESSAGES_TOKENS, stream: true });
    });

    it('openai-compatible (translated), JSON', async () => {
      openaiUpstream.script({ kind: 'json', body: chatCompletion(LLAMA) });
      const { response } = await anthropic.messages.create(params(LLAMA)).withResponse();
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: LLAMA, instance: 'local', credential: 'api_keys[0]', tokens: CHAT_TOKENS, stream: false });
    });

    it('openai-compatible (translated), stream', async () => {
      openaiUpstream.script({ kind: 'stream', events: chatChunks(LLAMA) });
      const { data, response } = await anthropic.messages.create({ ...params(LLAMA), stream: true }).withResponse();
      await drain(data);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: LLAMA, instance: 'local', credential: 'api_keys[0]', tokens: CHAT_TOKENS, stream: true });
    });

    it('codex (translated), JSON', async () => {
      const { response } = await anthropic.messages.create(params(CODEX)).withResponse();
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: CODEX, instance: 'codex', credential: 'account:default', tokens: CODEX_TOKENS, stream: false });
    });

    it('codex (translated), stream', async () => {
      const { data, response } = await anthropic.messages.create({ ...params(CODEX), stream: true }).withResponse();
      await drain(data);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: CODEX, instance: 'codex', credential: 'account:default', tokens: CODEX_TOKENS, stream: true });
    });
  });

  describe('POST /v1/responses (openai SDK)', () => {
    const route = '/v1/responses';

    it('codex, JSON', async () => {
      const { response } = await gateway.openai.responses.create({ model: CODEX, input: 'count me' }).withResponse();
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: CODEX, instance: 'codex', credential: 'account:default', tokens: CODEX_TOKENS, stream: false });
    });

    it('codex, stream', async () => {
      const { data, response } = await gateway.openai.responses.create({ model: CODEX, input: 'count me', stream: true }).withResponse();
      await drain(data);
      expectServed(await recordOf(response.headers.get('x-request-id')), { route, model: CODEX, instance: 'codex', credential: 'account:default', tokens: CODEX_TOKENS, stream: true });
    });
  });
});

// ---------------------------------------------------------------- failures

describe('failed requests are recorded with their status and error type', () => {
  it('an upstream error answered as an HTTP error', async () => {
    openaiUpstream.script({
      kind: 'error',
      status: 400,
      body: { error: { message: 'max_tokens is too large', type: 'invalid_request_error', param: 'max_tokens', code: null } },
    });
    const error = await gateway.openai.chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400 });
    const record = await recordOf(requestIdOf(error));
    expect(record).toMatchObject({ status: 400, error_type: 'invalid_request_error', instance: 'local', credential: 'api_keys[0]', attempts: 1, tokens: { input: 0, output: 0, cached: 0, reasoning: 0 } });
  });

  it('a model nothing serves: refused before any upstream', async () => {
    const error = await anthropic.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
    const record = await recordOf(requestIdOf(error));
    expect(record).toMatchObject({ route: '/v1/messages', model_requested: 'no-such-model', model_served: null, instance: null, status: 404, error_type: 'invalid_request_error', attempts: 0 });
  });

  it('an error inside a stream that had started: status 200, the error type, the tokens counted so far', async () => {
    anthropicUpstream.script({ kind: 'answer', usage: MESSAGES_USAGE, errorAfter: 4, error: { type: 'overloaded_error', message: 'Overloaded' } });
    const { data, response } = await anthropic.messages.create({ model: SONNET, max_tokens: 256, messages: [{ role: 'user', content: 'count me' }], stream: true }).withResponse();
    await expect(drain(data)).rejects.toThrow(/Overloaded/);
    const record = await recordOf(response.headers.get('x-request-id'));
    expect(record).toMatchObject({ status: 200, error_type: 'overloaded_error', stream: true, instance: 'claude' });
    // message_start had the input side; the final output count never came.
    expect(record.tokens).toMatchObject({ input: 328, cached: 300 });
  });
});

// ---------------------------------------------------------------- reading usage back

describe('admin usage API', () => {
  it('refuses a caller without the admin key, or with another one', async () => {
    expect((await admin('/usage', null)).status).toBe(401);
    const wrong = await admin('/usage/records', 'not-the-key');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_admin_key');
  });

  it('aggregates by model: requests, errors and tokens per model served', async () => {
    const { status, body } = await admin('/usage?since=1h&by=model');
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'usage.aggregate', by: 'model' });
    const records = ((await admin('/usage/records?limit=1000')).body.data as RecordJson[]).filter((r) => r.model_served === CODEX);
    const codex = body.data.find((g: { group: string }) => g.group === CODEX);
    expect(codex).toMatchObject({
      requests: records.length,
      errors: 0,
      tokens: { input: CODEX_TOKENS.input * records.length, cached: CODEX_TOKENS.cached * records.length },
    });
    expect(codex.p50_ttfb_ms).toEqual(expect.any(Number));
  });

  it('groups by instance and account, and by key (none on an open gateway)', async () => {
    const instances = (await admin('/usage?by=instance')).body.data.map((g: { group: string }) => g.group);
    expect(instances).toEqual(expect.arrayContaining(['local', 'claude', 'codex', null]));
    const accounts = (await admin('/usage?by=account')).body.data.map((g: { group: string }) => g.group);
    expect(accounts).toEqual(expect.arrayContaining(['local/api_keys[0]', 'claude/api_key', 'codex/account:default']));
    const keys = (await admin('/usage?by=key')).body.data;
    expect(keys).toHaveLength(1);
    expect(keys[0].group).toBeNull();
  });

  it('pages the recent records, newest first', async () => {
    const first = (await admin('/usage/records?limit=3')).body;
    expect(first.data).toHaveLength(3);
    expect(first.has_more).toBe(true);
    const second = (await admin(`/usage/records?limit=3&before=${first.next_before}`)).body;
    expect(second.data[0].id).toBeLessThan(first.data[2].id);
    const ids = [...first.data, ...second.data].map((r: RecordJson) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('answers a query it cannot read with a 400 naming the parameter', async () => {
    const bad = await admin('/usage?by=user');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ param: 'by', code: 'invalid_query' });
    expect(bad.body.error.message).toContain('key, model, account, instance');
    const limit = await admin('/usage/records?limit=0');
    expect(limit.status).toBe(400);
    expect(limit.body.error.param).toBe('limit');
  });
});

describe('byokey usage (the built CLI)', () => {
  it('prints, per instance, the totals the admin API returns', async () => {
    const sandbox = new CliSandbox();
    try {
      const result = await runCli(['usage', '--since', '1h', '--by', 'instance'], sandbox, { home });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines.find((l) => l.startsWith('INSTANCE'))).toMatch(/^INSTANCE\s+REQUESTS\s+ERRORS\s+INPUT\s+OUTPUT\s+CACHED\s+REASONING\s+P50 TTFB\s+P50 TIME$/);
      const groups = (await admin('/usage?since=1h&by=instance')).body.data as Array<{ group: string | null; requests: number; errors: number; tokens: Tokens }>;
      for (const group of groups) {
        const label = group.group ?? '(none)';
        const row = lines.find((l) => l.startsWith(`${label} `));
        expect(row).toBeDefined();
        const n = (value: number) => value.toLocaleString('en-US');
        expect(row!.split(/\s{2,}/).slice(1, 7)).toEqual([
          n(group.requests),
          n(group.errors),
          n(group.tokens.input),
          n(group.tokens.output),
          n(group.tokens.cached),
          n(group.tokens.reasoning),
        ]);
      }
      expect(lines.some((l) => l.startsWith('TOTAL '))).toBe(true);
    } finally {
      sandbox.remove();
    }
  });

  it('refuses a grouping it does not know, with the usage', async () => {
    const sandbox = new CliSandbox();
    try {
      const result = await runCli(['usage', '--by', 'colour'], sandbox, { home });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('"colour" is not a grouping');
      expect(result.stderr).toContain('Usage: byokey usage');
    } finally {
      sandbox.remove();
    }
  });
});

describe('shutdown', () => {
  it('stores the records still queued when the gateway stops', async () => {
    const ownHome = mkdtempSync(join(tmpdir(), 'byokey-usage-stop-'));
    try {
      const own = await startGateway(
        `
providers:
  local:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
    api_key: sk-local
    models: [${LLAMA}]
`,
        { home: ownHome },
      );
      openaiUpstream.script({ kind: 'json', body: chatCompletion(LLAMA) });
      const { response } = await own.openai.chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'last one' }] }).withResponse();
      // At once, well within the writer's one-second interval.
      await own.close();
      const store = SqliteAccountStore.open({ home: ownHome });
      try {
        const { records } = await new SqliteUsageStore(store.connection).recent({ limit: 10 });
        expect(records.map((r) => [r.requestId, r.tokens])).toEqual([[response.headers.get('x-request-id'), CHAT_TOKENS]]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(ownHome, { recursive: true, force: true });
    }
  });
});
