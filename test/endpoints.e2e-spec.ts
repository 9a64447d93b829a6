// The endpoints every model has besides generation, through the real gateway with the official
// SDKs: GET /v1/models/{id} in the caller's dialect (ids with slashes and suffixes, unknown ids),
// POST /v1/embeddings passed through to an openai-compatible upstream (base64 and float answers,
// every input shape, failover, usage, refusals), and POST /v1/messages/count_tokens — Claude's
// own count by API key and by login, the estimate for other models and when Claude cannot count.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { ClientKeyCache } from '../src/access/client-key-cache';
import { createClientKey } from '../src/access/client-key-specs';
import { RequestRouter } from '../src/routing/request-router.service';
import { ClientKeyStore } from '../src/store/client-key-store';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import type { UsageRecord } from '../src/store/usage-record';
import { estimateInputTokens } from '../src/translate/estimate-tokens';
import { UsageBus } from '../src/usage/usage-bus';
import { FAKE_API_KEY, FAKE_OAUTH_TOKEN, FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { fakeEmbedding, FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';
import { awayFromMinuteEnd } from './support/minute-window';

const EMBED = 'text-embedding-3-small';
const SONNET = 'claude-sonnet-5-5';

const openaiUpstream = new FakeOpenAIUpstream();
const pooledUpstream = new FakeOpenAIUpstream();
const anthropicUpstream = new FakeAnthropicUpstream();
let home: string;
let gateway: RunningGateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  await Promise.all([openaiUpstream.start(), pooledUpstream.start(), anthropicUpstream.start()]);
  openaiUpstream.apiKey = 'sk-upstream';
  home = mkdtempSync(join(tmpdir(), 'byokey-endpoints-'));
  // A logged-in Claude account (what `byokey login claude` stores), for the instance without a key.
  const store = SqliteAccountStore.open({ home });
  await store.save({
    provider: 'claude',
    accountId: 'max',
    tokens: { accessToken: FAKE_OAUTH_TOKEN, refreshToken: 'refresh-unused' },
    expiresAt: Date.now() + 3_600_000,
    claims: {},
  });
  await store.close();
  gateway = await startGateway(
    `
providers:
  local:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
    api_key: sk-upstream
    models: [${EMBED}, llama-3.1-8b, meta-llama/llama-3.1-70b]
  pool:
    type: openai-compatible
    base_url: ${pooledUpstream.url}
    api_keys: [sk-one, sk-two]
    models: [pooled-embedder]
  claude:
    base_url: ${anthropicUpstream.url}
    api_key: ${FAKE_API_KEY}
  claude-max:
    type: claude
    base_url: ${anthropicUpstream.url}
routing:
  aliases:
    embedder: [${EMBED}]
`,
    { home },
  );
  openai = gateway.openai;
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([openaiUpstream.stop(), pooledUpstream.stop(), anthropicUpstream.stop()]);
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  openaiUpstream.clearScript();
  pooledUpstream.clearScript();
  // A failure rests the credential that got it; each case starts with ready credentials.
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${gateway.url}${path}`, { headers });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Float32s in little-endian order, base64-encoded: OpenAI's `encoding_format: "base64"`. */
function decodeBase64Floats(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}

describe('GET /v1/models/{id}', () => {
  it('answers a listed model exactly as the list does (openai SDK)', async () => {
    const list = await openai.models.list();
    const listed = list.data.find((m) => m.id === 'llama-3.1-8b');
    expect(listed).toBeDefined();
    const model = await openai.models.retrieve('llama-3.1-8b');
    expect(model).toEqual(listed);
    expect(model).toMatchObject({ id: 'llama-3.1-8b', object: 'model', owned_by: 'local' });
  });

  it('takes an id with a slash, encoded (as the SDK sends it) or as it is', async () => {
    expect(await openai.models.retrieve('meta-llama/llama-3.1-70b')).toMatchObject({ id: 'meta-llama/llama-3.1-70b', owned_by: 'local' });
    const raw = await get('/v1/models/meta-llama/llama-3.1-70b');
    expect(raw.status).toBe(200);
    expect(JSON.parse(raw.text)).toMatchObject({ id: 'meta-llama/llama-3.1-70b', object: 'model', owned_by: 'local' });
  });

  it('answers a name that reaches a listed model (`instance/model`, a thinking suffix, an alias) under that name', async () => {
    expect(await openai.models.retrieve('local/llama-3.1-8b')).toMatchObject({ id: 'local/llama-3.1-8b', object: 'model', owned_by: 'local' });
    const claude = (await openai.models.list()).data.find((m) => m.id === SONNET)!;
    expect(await openai.models.retrieve(`${SONNET}(high)`)).toEqual({ ...claude, id: `${SONNET}(high)` });
    expect(await openai.models.retrieve('embedder')).toMatchObject({ id: 'embedder', owned_by: 'local' });
  });

  it('answers in Anthropic\'s shape to the Anthropic SDK, display name and date from the upstream\'s list', async () => {
    const model = await anthropic.models.retrieve(SONNET);
    expect(model).toEqual({ type: 'model', id: SONNET, display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00.000Z' });
    // The same model on the second Claude instance is listed under its prefixed id.
    const prefixed = await anthropic.models.retrieve(`claude-max/${SONNET}`);
    expect(prefixed).toMatchObject({ type: 'model', id: `claude-max/${SONNET}`, display_name: 'Claude Sonnet 4.5' });
  });

  it('answers an unknown id with a 404 model_not_found in each dialect', async () => {
    const error = await rejection(openai.models.retrieve('no-such-model'));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    expect(error.message).toContain('no-such-model');

    const anthropicError = await rejection(anthropic.models.retrieve('no-such-model'));
    expect(anthropicError).toBeInstanceOf(Anthropic.NotFoundError);
    expect(anthropicError.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(anthropicError.error.error.message).toContain('no-such-model');
  });

  it('answers 404, not 500, for an empty id, a slash-only id and a bad suffix', async () => {
    for (const path of ['/v1/models/', '/v1/models/%2F', '/v1/models/llama-3.1-8b(nonsense)', '/v1/models/local/']) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(JSON.parse(res.text).error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    }
  });
});

describe('POST /v1/embeddings', () => {
  it('passes the SDK\'s default (base64) request through and decodes to the upstream\'s vectors', async () => {
    const answer = await openai.embeddings.create({ model: EMBED, input: 'hello world' });
    expect(answer.object).toBe('list');
    expect(answer.model).toBe(EMBED);
    expect(answer.data).toHaveLength(1);
    expect(answer.data[0].embedding).toEqual(fakeEmbedding('hello world'));
    expect(answer.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const sent = openaiUpstream.lastRequest;
    expect(sent.url).toBe('/v1/embeddings');
    expect(sent.headers.authorization).toBe('Bearer sk-upstream');
    expect(sent.body).toEqual({ model: EMBED, input: 'hello world', encoding_format: 'base64' });
  });

  it('returns base64 as base64 when the client asks for it', async () => {
    const answer = await openai.embeddings.create({ model: EMBED, input: 'hello', encoding_format: 'base64' });
    const encoded = answer.data[0].embedding as unknown as string;
    expect(typeof encoded).toBe('string');
    expect(decodeBase64Floats(encoded)).toEqual(fakeEmbedding('hello'));
  });

  it('embeds arrays of texts and token ids, floats in order, unknown fields and dimensions passed on', async () => {
    const texts = await openai.embeddings.create({ model: EMBED, input: ['first', 'second', 'third'], encoding_format: 'float', dimensions: 4 });
    expect(texts.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(texts.data.map((d) => d.embedding)).toEqual([fakeEmbedding('first', 4), fakeEmbedding('second', 4), fakeEmbedding('third', 4)]);

    const tokens = await openai.embeddings.create({ model: EMBED, input: [15339, 1917], encoding_format: 'float' });
    expect(tokens.data[0].embedding).toEqual(fakeEmbedding([15339, 1917]));
    expect(tokens.usage.prompt_tokens).toBe(2);

    const tokenArrays = await openai.embeddings.create({ model: EMBED, input: [[1, 2, 3], [4]], encoding_format: 'float', truncate_prompt_tokens: 512 } as OpenAI.EmbeddingCreateParams);
    expect(tokenArrays.data.map((d) => d.embedding)).toEqual([fakeEmbedding([1, 2, 3]), fakeEmbedding([4])]);
    expect(openaiUpstream.lastRequest.body).toMatchObject({ input: [[1, 2, 3], [4]], truncate_prompt_tokens: 512 });
  });

  it('sends the upstream\'s answer on as the bytes it came as', async () => {
    const rawBody = '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5, -0.25]}],\n "model":"text-embedding-3-small","usage":{"prompt_tokens":1,"total_tokens":1},"x_extra":true}';
    openaiUpstream.script({ kind: 'json', rawBody });
    const res = await request(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: EMBED, input: 'x', encoding_format: 'float' }),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe(rawBody);
  });

  it('routes `instance/model` and aliases, sending the upstream its own model id', async () => {
    await openai.embeddings.create({ model: `local/${EMBED}`, input: 'x' });
    expect(openaiUpstream.lastRequest.body.model).toBe(EMBED);
    const viaAlias = await openai.embeddings.create({ model: 'embedder', input: 'x', encoding_format: 'float' });
    expect(openaiUpstream.lastRequest.body.model).toBe(EMBED);
    expect(viaAlias.data[0].embedding).toEqual(fakeEmbedding('x'));
  });

  it('fails over to the next credential before answering', async () => {
    const before = pooledUpstream.requests.length;
    pooledUpstream.script({ kind: 'error', status: 500 });
    const answer = await openai.embeddings.create({ model: 'pooled-embedder', input: 'again', encoding_format: 'float' });
    expect(answer.data[0].embedding).toEqual(fakeEmbedding('again'));
    const tried = pooledUpstream.requests.slice(before).map((r) => r.headers.authorization);
    expect(tried).toHaveLength(2);
    expect(new Set(tried)).toEqual(new Set(['Bearer sk-one', 'Bearer sk-two']));
  });

  it('records usage for the request: route, model, instance and the upstream\'s prompt tokens', async () => {
    const records: UsageRecord[] = [];
    const unsubscribe = gateway.app.get(UsageBus).subscribe((record) => records.push(record));
    try {
      await openai.embeddings.create({ model: EMBED, input: ['one two three four five six seven eight'] });
      const deadline = Date.now() + 2000;
      while (records.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      unsubscribe();
    }
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/v1/embeddings', modelRequested: EMBED, modelServed: EMBED, instance: 'local', status: 200, stream: false, attempts: 1 });
    expect(records[0].tokens).toMatchObject({ input: 10, output: 0 });
  });

  it.each<[string, object, string, string]>([
    ['no input', { model: EMBED }, 'input', 'missing_required_parameter'],
    ['an empty array', { model: EMBED, input: [] }, 'input', 'empty_array'],
    ['mixed items', { model: EMBED, input: ['a', 1] }, 'input[1]', 'invalid_type'],
    ['an object input', { model: EMBED, input: { text: 'a' } }, 'input', 'invalid_type'],
    ['an unknown encoding', { model: EMBED, input: 'a', encoding_format: 'int8' }, 'encoding_format', 'invalid_value'],
    ['no model', { input: 'a' }, 'model', 'missing_required_parameter'],
  ])('refuses %s with a 400 in OpenAI\'s dialect, before any upstream call', async (_label, body, param, code) => {
    const before = openaiUpstream.requests.length;
    const error = await rejection(openai.embeddings.create(body as OpenAI.EmbeddingCreateParams));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(openaiUpstream.requests.length).toBe(before);
  });

  it('refuses a model whose provider cannot embed with unsupported_model_for_endpoint', async () => {
    const error = await rejection(openai.embeddings.create({ model: SONNET, input: 'x' }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', param: 'model', code: 'unsupported_model_for_endpoint' });
    expect(error.message).toContain('claude');
    expect(anthropicUpstream.requests.filter((r) => r.path.includes('embeddings'))).toHaveLength(0);
  });

  it('answers an unknown model with a 404 model_not_found', async () => {
    const error = await rejection(openai.embeddings.create({ model: 'no-such-embedder', input: 'x' }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toMatchObject({ code: 'model_not_found' });
  });

  it('passes the upstream\'s own refusal on in OpenAI\'s dialect', async () => {
    openaiUpstream.script({
      kind: 'error',
      status: 400,
      body: { error: { message: 'This model\'s maximum context length is 8192 tokens.', type: 'invalid_request_error', param: 'input', code: null } },
    });
    const error = await rejection(openai.embeddings.create({ model: EMBED, input: 'too long' }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('maximum context length is 8192 tokens');
  });
});

describe('POST /v1/messages/count_tokens', () => {
  const MESSAGES: Anthropic.MessageParam[] = [{ role: 'user', content: 'count these tokens please, all of them' }];

  async function countRaw(body: object, headers: Record<string, string> = {}) {
    const res = await request(`${gateway.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as any };
  }

  it('counts upstream on a Claude model with the instance\'s API key', async () => {
    const count = await anthropic.messages.countTokens({ model: SONNET, messages: MESSAGES });
    expect(count.input_tokens).toBeGreaterThan(0);
    const sent = anthropicUpstream.lastRequest;
    expect(sent.endpoint).toBe('count_tokens');
    expect(sent.auth).toMatchObject({ kind: 'api-key', token: FAKE_API_KEY });
    const raw = await countRaw({ model: SONNET, messages: MESSAGES });
    expect(raw.headers['x-byokey-token-count']).toBe('upstream');
  });

  it('counts upstream with a logged-in account, chosen the way routing chooses it', async () => {
    const count = await anthropic.messages.countTokens({ model: `claude-max/${SONNET}`, messages: MESSAGES });
    expect(count.input_tokens).toBeGreaterThan(0);
    const sent = anthropicUpstream.lastRequest;
    expect(sent.endpoint).toBe('count_tokens');
    expect(sent.auth).toMatchObject({ kind: 'oauth', token: FAKE_OAUTH_TOKEN });
    expect(sent.body.model).toBe(SONNET);
    // The login's Claude Code identity (system blocks) is counted; its `metadata`, which count_tokens refuses, is not sent.
    expect(sent.body.metadata).toBeUndefined();
    expect(sent.claudeCode?.identityBlock).toBe(true);
  });

  it('counts with the thinking a model suffix asks for, as the message would carry it', async () => {
    await anthropic.messages.countTokens({ model: `${SONNET}(4096)`, messages: MESSAGES });
    expect(anthropicUpstream.lastRequest.endpoint).toBe('count_tokens');
    expect(anthropicUpstream.lastRequest.body).toMatchObject({ model: SONNET, thinking: { type: 'enabled', budget_tokens: 4096 } });
  });

  it('leaves out the generation-only fields count_tokens refuses', async () => {
    const count = await anthropic.messages.countTokens({ model: SONNET, messages: MESSAGES, temperature: 0.2, top_k: 5, metadata: { user_id: 'u' } } as Anthropic.MessageCountTokensParams);
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(anthropicUpstream.lastRequest.rejected).toBeUndefined();
    expect(Object.keys(anthropicUpstream.lastRequest.body).sort()).toEqual(['messages', 'model']);
  });

  it('estimates for a chat model, without calling its upstream', async () => {
    const before = openaiUpstream.requests.length;
    const body = { model: 'llama-3.1-8b', messages: [{ role: 'user' as const, content: 'a'.repeat(400) }] };
    const count = await anthropic.messages.countTokens(body);
    expect(count).toEqual({ input_tokens: estimateInputTokens({ ...body, max_tokens: 1 }) });
    expect(count.input_tokens).toBeGreaterThanOrEqual(100);
    expect(openaiUpstream.requests.length).toBe(before);
    expect((await countRaw(body)).headers['x-byokey-token-count']).toBe('estimate');
  });

  it('falls back to the estimate when Claude cannot count right now (overloaded)', async () => {
    anthropicUpstream.script({ kind: 'overloaded', endpoint: 'count_tokens' });
    const body = { model: 'claude/' + SONNET, messages: [{ role: 'user' as const, content: 'count these tokens please, all of them' }] };
    const raw = await countRaw(body);
    expect(raw.status).toBe(200);
    expect(raw.json).toEqual({ input_tokens: estimateInputTokens({ ...body, max_tokens: 1 }) });
    expect(raw.headers['x-byokey-token-count']).toBe('estimate');
    expect(anthropicUpstream.lastRequest.rejected?.type).toBe('overloaded_error');
  });

  it('passes Claude\'s refusal of the request itself on, in Anthropic\'s dialect', async () => {
    anthropicUpstream.script({ kind: 'bad_request', message: 'messages.0.content: Input should be a valid list', endpoint: 'count_tokens' });
    const error = await rejection(anthropic.messages.countTokens({ model: SONNET, messages: MESSAGES }));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(error.error.error.message).toContain('Input should be a valid list');
  });

  it('answers an unknown model with Anthropic\'s 404', async () => {
    const error = await rejection(anthropic.messages.countTokens({ model: 'no-such-model', messages: MESSAGES }));
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('the OpenAPI document', () => {
  it('describes the model lookup (with its id parameter), embeddings and count_tokens', async () => {
    const document = JSON.parse((await get('/openapi.json')).text) as { paths: Record<string, Record<string, any>> };
    expect(document.paths['/v1/models/{path}']).toBeUndefined();
    const lookup = document.paths['/v1/models/{model}'].get;
    expect(lookup.summary).toBe('One model this gateway serves');
    expect(lookup.parameters).toEqual([expect.objectContaining({ name: 'model', in: 'path', required: true })]);
    const embeddings = document.paths['/v1/embeddings'].post;
    expect(embeddings.requestBody.content['application/json'].schema.required).toEqual(['model', 'input']);
    expect(embeddings.responses['4XX'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OpenAIError' });
    expect(document.paths['/v1/messages/count_tokens'].post.responses['4XX'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AnthropicError' });
  });
});

describe('client keys on these endpoints', () => {
  const upstream = new FakeOpenAIUpstream();
  let keyed: RunningGateway;

  beforeAll(async () => {
    await upstream.start();
    keyed = await startGateway(`
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    models: [${EMBED}, other-embedder, llama-3.1-8b]
`);
  });

  afterAll(async () => {
    await keyed?.close();
    await upstream.stop();
  });

  async function newKey(name: string, spec: { models?: string[]; rpm?: number }): Promise<string> {
    const { secret } = await createClientKey(keyed.app.get(ClientKeyStore), { name, ...spec });
    await keyed.app.get(ClientKeyCache).refresh();
    return secret;
  }

  function client(apiKey: string): OpenAI {
    return new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey, maxRetries: 0 });
  }

  it('guards embeddings and model lookup: a key, its scope and its limits', async () => {
    const scoped = client(await newKey('scoped', { models: ['text-embedding-*'] }));
    expect((await scoped.embeddings.create({ model: EMBED, input: 'x' })).data).toHaveLength(1);
    expect(await scoped.models.retrieve(EMBED)).toMatchObject({ id: EMBED });

    const outside = await rejection(scoped.embeddings.create({ model: 'other-embedder', input: 'x' }));
    expect(outside).toBeInstanceOf(OpenAI.PermissionDeniedError);
    // Out of scope is as absent as it is from the list.
    expect(await rejection(scoped.models.retrieve('other-embedder'))).toBeInstanceOf(OpenAI.NotFoundError);

    const noKey = await rejection(client('bk-not-a-key').embeddings.create({ model: EMBED, input: 'x' }));
    expect(noKey).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(await rejection(client('bk-not-a-key').models.retrieve(EMBED))).toBeInstanceOf(OpenAI.AuthenticationError);

    const limited = client(await newKey('limited', { rpm: 1 }));
    // rpm windows are the clock's minutes: both requests must fall in one.
    await awayFromMinuteEnd();
    await limited.embeddings.create({ model: EMBED, input: 'x' });
    const limitedError = await rejection(limited.embeddings.create({ model: EMBED, input: 'x' }));
    expect(limitedError).toBeInstanceOf(OpenAI.RateLimitError);
    // Looking a model up costs no generation: not limited.
    expect(await limited.models.retrieve(EMBED)).toMatchObject({ id: EMBED });
  });
});
