// Each client's default model works out of the box (issue 12): a model id newer than the built-in
// catalogs reaches the upstream — `claude-opus-6` through a claude instance on /v1/messages,
// `gpt-6.2-sol` through codex on /v1/responses and /v1/chat/completions — and an id the upstream
// does not know comes back as the upstream's own 404 in the client's dialect, not the gateway's
// "no provider". GET /v1/models merges each upstream's live list (Anthropic's Models API, the
// Codex backend's `/models`, an openai-compatible server's `/models`) with the built-in ones, in
// OpenAI's shape or, for clients sending `anthropic-version`, in Anthropic's; ids an upstream
// lists route to it. Real clients (openai and @anthropic-ai/sdk) against the fakes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { CLAUDE_MODELS } from '../src/providers/claude/claude.catalog';
import { CODEX_MODELS } from '../src/providers/codex/codex.catalog';
import { CODEX_CLI_VERSION } from '../src/providers/codex/codex-headers';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FAKE_API_KEY, FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const CLAUDE_DEFAULT = 'claude-opus-5-5';
/** A Claude id no built-in catalog has yet (the default is in the catalog now). */
const CLAUDE_NEWER = 'claude-opus-6';
const CODEX_DEFAULT = 'gpt-6.2-sol';
const CHATGPT_ACCOUNT = 'acc-live-1';

const anthropicUpstream = new FakeAnthropicUpstream();
const codexBackend = new FakeCodexBackend();
const openaiUpstream = new FakeOpenAIUpstream();
let home: string;
let gateway: RunningGateway;
let anthropic: Anthropic;

beforeAll(async () => {
  await Promise.all([anthropicUpstream.start(), codexBackend.start(), openaiUpstream.start()]);
  // The upstreams know their new models and refuse made-up ones, as the real ones do.
  anthropicUpstream.knownModels = [...CLAUDE_MODELS, CLAUDE_DEFAULT, CLAUDE_NEWER];
  codexBackend.supportedModels = [...CODEX_MODELS, CODEX_DEFAULT];
  codexBackend.accountId = CHATGPT_ACCOUNT;
  openaiUpstream.listedModels = [
    { id: 'llama-4-scout', object: 'model', created: 1_767_225_600, owned_by: 'vllm' },
    { id: 'qwen3-coder-30b', object: 'model', created: 1_767_225_600, owned_by: 'vllm' },
  ];
  home = mkdtempSync(join(tmpdir(), 'byokey-live-models-'));
  const store = SqliteAccountStore.open({ home });
  await store.save({ provider: 'codex', accountId: 'default', tokens: { accessToken: 'codex-token' }, claims: { chatgpt_account_id: CHATGPT_ACCOUNT } });
  await store.close();
  gateway = await startGateway(
    `
routing:
  aliases:
    smartest: [${CLAUDE_DEFAULT}]
providers:
  claude:
    base_url: ${anthropicUpstream.url}
    api_key: ${FAKE_API_KEY}
  codex:
    base_url: ${codexBackend.httpUrl}
  vllm:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
  codex-ws:
    type: codex
    transport: websocket
    base_url: ${codexBackend.httpUrl}
    ws_url: ${codexBackend.wsUrl}
`,
    { home },
  );
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([anthropicUpstream.stop(), codexBackend.stop(), openaiUpstream.stop()]);
  rmSync(home, { recursive: true, force: true });
});

const hello = [{ role: 'user' as const, content: 'hello' }];

describe("a model newer than the built-in catalogs (each client's default)", () => {
  it(`${CLAUDE_NEWER} answers on /v1/messages through the claude instance, whole and streamed`, async () => {
    expect(CLAUDE_MODELS).not.toContain(CLAUDE_NEWER);
    const message = await anthropic.messages.create({ model: CLAUDE_NEWER, max_tokens: 64, messages: hello });
    expect(message.type).toBe('message');
    expect(message.content.some((b) => b.type === 'text' && b.text.length > 0)).toBe(true);
    expect(anthropicUpstream.lastRequest.body.model).toBe(CLAUDE_NEWER);

    const stream = anthropic.messages.stream({ model: CLAUDE_NEWER, max_tokens: 64, messages: hello });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('end_turn');
    expect(anthropicUpstream.lastRequest).toMatchObject({ stream: true, body: { model: CLAUDE_NEWER } });
  });

  it(`${CODEX_DEFAULT} answers on /v1/responses through codex, whole and streamed`, async () => {
    expect(CODEX_MODELS).not.toContain(CODEX_DEFAULT);
    const response = await gateway.openai.responses.create({ model: CODEX_DEFAULT, input: 'hello' });
    expect(response.status).toBe('completed');
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(codexBackend.lastRequest.body.model).toBe(CODEX_DEFAULT);

    const stream = await gateway.openai.responses.create({ model: CODEX_DEFAULT, input: 'hello', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[types.length - 1]).toBe('response.completed');
    expect(codexBackend.lastRequest.body.model).toBe(CODEX_DEFAULT);
  });

  it(`${CODEX_DEFAULT} answers on /v1/chat/completions through codex`, async () => {
    const completion = await gateway.openai.chat.completions.create({ model: CODEX_DEFAULT, messages: hello });
    expect(completion.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(completion.model).toBe(CODEX_DEFAULT);
    expect(codexBackend.lastRequest.body.model).toBe(CODEX_DEFAULT);
  });
});

describe('an id the upstream does not know', () => {
  it("comes back from codex as its own 404 in OpenAI's dialect, on responses and chat", async () => {
    const seen = codexBackend.requests.length;
    const responses = await gateway.openai.responses.create({ model: 'gpt-0-nope', input: 'hello' }).catch((e: unknown) => e);
    expect(responses).toBeInstanceOf(OpenAI.NotFoundError);
    const error = responses as InstanceType<typeof OpenAI.NotFoundError>;
    expect(error.code).toBe('model_not_found');
    expect(error.message).toContain("The 'gpt-0-nope' model is not supported when using Codex with a ChatGPT account.");
    expect(error.message).toContain('from upstream codex');

    const chat = await gateway.openai.chat.completions.create({ model: 'gpt-0-nope', messages: hello }).catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(OpenAI.NotFoundError);
    // Both went upstream: the backend said no, not the gateway.
    expect(codexBackend.requests.length).toBe(seen + 2);
    expect(codexBackend.lastRequest.rejected?.status).toBe(400);
  });

  it('comes back as a 404 over the Codex WebSocket too, where the refusal is an error frame', async () => {
    const error = await gateway.openai.responses.create({ model: 'codex-ws/gpt-0-nope', input: 'hello' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect(codexBackend.lastRequest).toMatchObject({ transport: 'ws', rejected: { status: 400 } });
  });

  it("comes back from Anthropic as its own 404 in Anthropic's dialect, and from codex too on /v1/messages", async () => {
    const seen = anthropicUpstream.requests.length;
    const claude = await anthropic.messages.create({ model: 'claude-nope-1', max_tokens: 64, messages: hello }).catch((e: unknown) => e);
    expect(claude).toBeInstanceOf(Anthropic.NotFoundError);
    const error = claude as InstanceType<typeof Anthropic.NotFoundError>;
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('model: claude-nope-1') } });
    expect(anthropicUpstream.requests.length).toBe(seen + 1);

    const codex = await anthropic.messages.create({ model: 'gpt-0-nope', max_tokens: 64, messages: hello }).catch((e: unknown) => e);
    expect(codex).toBeInstanceOf(Anthropic.NotFoundError);
    expect((codex as InstanceType<typeof Anthropic.NotFoundError>).message).toContain('not supported when using Codex');
  });

  it('of no known shape is still the gateway\'s 404: nothing is sent to codex', async () => {
    const seen = codexBackend.requests.length;
    const error = await gateway.openai.chat.completions.create({ model: 'llama-3', messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('does not exist or is not served by any enabled provider');
    expect(codexBackend.requests.length).toBe(seen);
  });

  it('of any shape reaches codex with an explicit `codex/` prefix', async () => {
    const error = await gateway.openai.chat.completions.create({ model: 'codex/llama-3', messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(codexBackend.lastRequest.body.model).toBe('llama-3');
  });
});

describe('GET /v1/models', () => {
  it("merges each upstream's live list with the built-in ones, aliases included (openai SDK)", async () => {
    const models = (await gateway.openai.models.list()).data;
    const owner = (id: string) => models.find((m) => m.id === id)?.owned_by;
    // Live only: from Anthropic's Models API, the Codex backend and the vLLM server.
    expect([owner(CLAUDE_DEFAULT), owner(CODEX_DEFAULT), owner('llama-4-scout'), owner('qwen3-coder-30b')]).toEqual(['claude', 'codex', 'vllm', 'vllm']);
    // Built-in, kept although the upstream lists other ids.
    expect([owner('claude-sonnet-5-5'), owner('gpt-5.1-codex'), owner('o3')]).toEqual(['claude', 'codex', 'codex']);
    expect(owner('smartest')).toBe('claude');
    // A model the Codex CLI hides from its picker is not listed either.
    expect(owner('codex-auto-review')).toBeUndefined();
    expect(new Set(models.map((m) => m.id)).size).toBe(models.length);
    expect(models.find((m) => m.id === CLAUDE_DEFAULT)?.created).toBe(Date.parse('2026-11-24T00:00:00Z') / 1000);

    const codexAsked = codexBackend.modelListRequests[codexBackend.modelListRequests.length - 1];
    expect(codexAsked.query).toEqual({ client_version: CODEX_CLI_VERSION });
    expect(codexAsked.headers).toMatchObject({ authorization: 'Bearer codex-token', 'chatgpt-account-id': CHATGPT_ACCOUNT, originator: 'codex_cli_rs' });
    const anthropicAsked = anthropicUpstream.modelListRequests[anthropicUpstream.modelListRequests.length - 1];
    expect(anthropicAsked.headers).toMatchObject({ 'x-api-key': FAKE_API_KEY, 'anthropic-version': '2023-06-01' });
    expect(anthropicAsked.query.limit).toBe('1000');
  });

  it('serves the cached lists afterwards without asking the upstreams again', async () => {
    const asked = [anthropicUpstream.modelListRequests.length, codexBackend.modelListRequests.length, openaiUpstream.modelListRequests.length];
    await gateway.openai.models.list();
    await gateway.openai.models.list();
    expect([anthropicUpstream.modelListRequests.length, codexBackend.modelListRequests.length, openaiUpstream.modelListRequests.length]).toEqual(asked);
  });

  it("answers Anthropic's shape to the Anthropic SDK, display names and dates from the upstream", async () => {
    const page = await anthropic.models.list({ limit: 1000 });
    const opus = page.data.find((m) => m.id === CLAUDE_DEFAULT);
    expect(opus).toEqual({ type: 'model', id: CLAUDE_DEFAULT, display_name: 'Claude Opus 5.5', created_at: '2026-11-24T00:00:00.000Z' });
    expect(page.data.find((m) => m.id === CODEX_DEFAULT)).toMatchObject({ type: 'model', display_name: 'GPT-6.2 Sol' });
    expect(page.data.map((m) => m.id)).toEqual(expect.arrayContaining(['claude-sonnet-5-5', 'gpt-5.4', 'llama-4-scout', 'smartest']));
  });

  it('pages as the Models API does for a raw request like Claude Code\'s (`?limit=1000`, anthropic headers)', async () => {
    const headers = { 'anthropic-version': '2023-06-01', 'x-api-key': 'client-key', 'anthropic-beta': 'claude-code-20250219' };
    const all = await request(`${gateway.url}/v1/models?limit=1000`, { headers });
    expect(all.statusCode).toBe(200);
    const body = (await all.body.json()) as { data: Array<{ id: string }>; has_more: boolean; first_id: string; last_id: string };
    expect(body.has_more).toBe(false);
    expect([body.first_id, body.last_id]).toEqual([body.data[0].id, body.data[body.data.length - 1].id]);
    const two = await request(`${gateway.url}/v1/models?limit=2&after_id=${encodeURIComponent(body.data[0].id)}`, { headers });
    const page = (await two.body.json()) as { data: Array<{ id: string }>; has_more: boolean };
    expect(page.data.map((m) => m.id)).toEqual(body.data.slice(1, 3).map((m) => m.id));
    expect(page.has_more).toBe(true);
  });

  it('lets an id only an upstream lists route to it (the openai-compatible instance has no `models:`)', async () => {
    const completion = await gateway.openai.chat.completions.create({ model: 'llama-4-scout', messages: hello });
    expect(completion.choices[0].message.content).toBe('You said: hello');
    expect(openaiUpstream.lastRequest.body.model).toBe('llama-4-scout');
  });
});

describe('an upstream whose list cannot be had', () => {
  const broken = new FakeAnthropicUpstream();
  let other: RunningGateway;

  beforeAll(async () => {
    await broken.start();
    broken.modelListStatus = 500;
    other = await startGateway(`
providers:
  claude:
    base_url: ${broken.url}
    api_key: ${FAKE_API_KEY}
`);
  });
  afterAll(async () => {
    await other?.close();
    await broken.stop();
  });

  it('leaves the built-in list, and new ids still route by pattern', async () => {
    const ids = (await other.openai.models.list()).data.map((m) => m.id);
    expect(ids).toEqual([...CLAUDE_MODELS]);
    expect(broken.modelListRequests).toHaveLength(1);
    const message = await new Anthropic({ baseURL: other.url, apiKey: 'k', maxRetries: 0 }).messages.create({ model: CLAUDE_DEFAULT, max_tokens: 16, messages: hello });
    expect(message.type).toBe('message');
    // Not asked again at once: a failing upstream is left alone for a while.
    await other.openai.models.list();
    expect(broken.modelListRequests).toHaveLength(1);
  });
});
