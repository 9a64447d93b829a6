// The antigravity plugin end to end: a logged-in Antigravity account (stored as `byokey login
// antigravity` stores it) served through the fake Code Assist in its Antigravity flavour, which
// insists on Antigravity's User-Agent, envelope fields and ideType. The project comes from
// loadCodeAssist (onboardUser when there is none), once, and is remembered across a restart.
// Gemini and Claude models answer the openai SDK (chat, stream and not, a tool round trip),
// @anthropic-ai/sdk and @google/genai; a Claude model's whole answer is asked for as a stream
// and collected. The hosts are tried in order, the next only after a connection failure or a
// 5xx — never after a 429, which is a 429 with retry-after in every dialect.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { CodeAssistTiming } from '../src/providers/gemini/code-assist/code-assist-timing';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeCodeAssist } from './fakes/code-assist.fake';
import { GEMINI_FAKE_SIGNATURE } from './fakes/gemini-api.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const antigravity = new FakeCodeAssist('antigravity');
/** A host that is up but failing: every call a 503. */
const down = new FakeCodeAssist('antigravity');
let closedHost: string;
let home: string;
let gateway: RunningGateway;
let anthropic: Anthropic;

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

/** A loopback URL nothing listens on (a port taken and let go). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function start(): Promise<void> {
  gateway = await startGateway(
    `
providers:
  antigravity:
    base_urls: [${closedHost}, ${down.origin}, ${antigravity.origin}]
  antigravity-direct:
    type: antigravity
    base_urls: [${antigravity.origin}, ${down.origin}]
`,
    { home },
  );
  gateway.app.get(CodeAssistTiming).pollIntervalMs = 20;
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
}

beforeAll(async () => {
  await antigravity.start();
  await down.start();
  down.failEverything = 503;
  antigravity.pollsBeforeDone = 1;
  closedHost = await closedPort();
  home = mkdtempSync(join(tmpdir(), 'byokey-antigravity-'));
  const store = SqliteAccountStore.open({ home });
  await store.save({
    provider: 'antigravity',
    accountId: 'default',
    label: 'me@example.com',
    tokens: { accessToken: 'google-access-1', refreshToken: 'google-refresh-1' },
    expiresAt: Date.now() + 3_600_000,
    claims: { email: 'me@example.com' },
  });
  await store.close();
  await start();
});

afterAll(async () => {
  await gateway?.close();
  await antigravity.stop();
  await down.stop();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  antigravity.clearScript();
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

const genai = () => new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: gateway.url } });

describe('a logged-in Antigravity account', () => {
  test('is set up once (loadCodeAssist with ideType ANTIGRAVITY, then onboardUser), past a host that cannot be reached and one that answers 503', async () => {
    antigravity.script({ kind: 'text', text: 'Hello from Antigravity.' });
    const downBefore = down.requests.length;
    const completion = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('Hello from Antigravity.');
    expect(antigravity.calls('loadCodeAssist')).toHaveLength(1);
    expect(antigravity.calls('loadCodeAssist')[0].body.metadata).toMatchObject({ ideType: 'ANTIGRAVITY', pluginType: 'GEMINI' });
    expect(antigravity.calls('onboardUser')).toHaveLength(1);
    expect(antigravity.calls('operation')).toHaveLength(1);
    // Each call (load, onboard, poll, generate) went to the failing host first.
    expect(down.requests.length - downBefore).toBe(4);

    const sent = antigravity.lastGeneration();
    expect(sent.path).toBe('/v1internal:generateContent');
    expect(sent.headers.authorization).toBe('Bearer google-access-1');
    expect(sent.headers['user-agent']).toMatch(/^antigravity\/[\d.]+ /);
    expect(sent.body).toMatchObject({ model: 'gemini-2.5-flash', project: 'fake-project-4242', userAgent: 'antigravity', requestType: 'agent', requestId: expect.stringMatching(/^agent-[0-9a-f-]{36}$/) });
    expect(sent.body.request.sessionId).toEqual(expect.any(String));
    expect(sent.body.request.contents).toEqual([{ role: 'user', parts: [{ text: 'hi' }] }]);
  });

  test('streams chat completions with a tool call round trip under one session id; a public Gemini 3 name goes by its Antigravity name', async () => {
    antigravity.script({ kind: 'tools', calls: [{ name: 'get_weather', args: { city: 'Paris' } }] }, { kind: 'text', text: 'Sunny in Paris.' });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await gateway.openai.chat.completions.stream({ model: 'gemini-3-flash-preview', messages, tools: TOOLS }).finalChatCompletion();
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const firstSent = antigravity.lastGeneration();
    expect(firstSent.body.model).toBe('gemini-3-flash');
    expect(firstSent.path).toBe('/v1internal:streamGenerateContent');

    messages.push({ role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
    const second = await gateway.openai.chat.completions.stream({ model: 'gemini-3-flash-preview', messages, tools: TOOLS }).finalChatCompletion();
    expect(second.choices[0].message.content).toBe('Sunny in Paris.');
    const secondSent = antigravity.lastGeneration();
    expect(secondSent.body.request.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: GEMINI_FAKE_SIGNATURE }] });
    expect(secondSent.body.request.sessionId).toBe(firstSent.body.request.sessionId);
    expect(secondSent.body.requestId).not.toBe(firstSent.body.requestId);
  });

  test('a Claude model answers the Anthropic SDK, whole (asked for as a stream and collected) and streamed', async () => {
    antigravity.script({ kind: 'text', text: 'Claude via Antigravity.' }, { kind: 'text', text: 'Claude streamed.', thought: 'Considering.' });
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5-thinking', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Claude via Antigravity.' })]);
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    expect(antigravity.lastGeneration().path).toBe('/v1internal:streamGenerateContent');
    expect(antigravity.lastGeneration().body.model).toBe('claude-sonnet-4-5-thinking');

    const streamed = await anthropic.messages.stream({ model: 'claude-sonnet-4-5-thinking', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(streamed.content[1]).toMatchObject({ type: 'text', text: 'Claude streamed.' });
  });

  test('the Gemini route (@google/genai) gets answers and token counts', async () => {
    antigravity.script({ kind: 'text', text: 'Gemini client, Antigravity upstream.' });
    const answer = await genai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(answer.text).toBe('Gemini client, Antigravity upstream.');
    const counted = await genai().models.countTokens({ model: 'gemini-3-pro-preview', contents: 'Count me' });
    expect(counted.totalTokens).toBe(42);
    expect(antigravity.calls('countTokens').at(-1)?.body.request.model).toBe('models/gemini-3-pro-high');
  });

  test('lists its catalog, Gemini and Claude, in GET /v1/models', async () => {
    const ids = (await gateway.openai.models.list()).data.filter((m) => m.owned_by === 'antigravity').map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gemini-3-pro-high', 'gemini-3-flash-preview', 'gemini-2.5-flash', 'claude-sonnet-4-5', 'claude-opus-4-5-thinking']));
  });

  test('a 429 is not retried on another host, and reaches every dialect with retry-after', async () => {
    const quota = { kind: 'quota', retryDelay: '30s', reason: 'RATE_LIMIT_EXCEEDED' } as const;
    antigravity.script(quota, quota, quota);
    const downBefore = down.requests.length;
    const chat = (await gateway.openai.chat.completions.create({ model: 'antigravity-direct/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(chat).toBeInstanceOf(OpenAI.APIError);
    expect(chat.status).toBe(429);
    expect(chat.headers?.get('retry-after')).toBe('30');
    expect(down.requests.length).toBe(downBefore);

    gateway.app.get(RequestRouter).states.clearAllCooldowns();
    const messages = (await anthropic.messages.create({ model: 'antigravity-direct/gemini-2.5-flash', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(messages.status).toBe(429);
    expect(messages.headers?.get('retry-after')).toBe('30');

    gateway.app.get(RequestRouter).states.clearAllCooldowns();
    const google = await genai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }).catch((e: unknown) => e);
    expect(google).toBeInstanceOf(ApiError);
    expect((google as ApiError).status).toBe(429);
  });

  test('a restarted gateway remembers the project', async () => {
    await gateway.close();
    const loads = antigravity.calls('loadCodeAssist').length;
    await start();
    antigravity.script({ kind: 'text', text: 'Again.' });
    const completion = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('Again.');
    expect(antigravity.calls('loadCodeAssist')).toHaveLength(loads);
    expect(antigravity.calls('onboardUser')).toHaveLength(1);
    expect(antigravity.lastGeneration().body.project).toBe('fake-project-4242');
  });
});
