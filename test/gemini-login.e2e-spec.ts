// The gemini plugin with Gemini CLI's "Login with Google" end to end: a logged-in Google account
// (stored as `byokey login gemini` stores it) served through the fake Code Assist API. The first
// requests set the account up once (loadCodeAssist, onboardUser for the free tier without a
// project, the operation polled until done), however many arrive together; the project is kept
// with the account, so a restarted gateway goes straight to work. Requests travel in the
// `{model, project, user_prompt_id, request}` envelope with Gemini CLI's headers and come back
// out of `{response}`: the openai SDK (chat, stream and not, a tool round trip with its thought
// signature), @anthropic-ai/sdk and @google/genai all get answers. A quota error is a 429 with
// retry-after in every dialect. An account already set up elsewhere (a current tier) is used as
// loadCodeAssist names it, and an instance with an API key keeps using the key.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI, type Content } from '@google/genai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { CodeAssistTiming } from '../src/providers/gemini/code-assist/code-assist-timing';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeCodeAssist } from './fakes/code-assist.fake';
import { FakeGeminiApi, GEMINI_FAKE_SIGNATURE } from './fakes/gemini-api.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const codeAssist = new FakeCodeAssist('gemini-cli');
/** A second Code Assist, for an account set up before byokey saw it. */
const setUpElsewhere = new FakeCodeAssist('gemini-cli');
const keyed = new FakeGeminiApi();
/** A Code Assist whose accounts get the paid (standard) tier: a project of their own is needed. */
const standard = new FakeCodeAssist('gemini-cli');
let home: string;
let gateway: RunningGateway;
let anthropic: Anthropic;

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

const config = () => `
providers:
  gemini:
    base_url: ${codeAssist.origin}
    accounts: [default]
  gemini-work:
    type: gemini
    base_url: ${setUpElsewhere.origin}
    accounts: [work]
  gemini-pinned:
    type: gemini
    base_url: ${standard.origin}
    accounts: [corp]
    project: pinned-project-7
  gemini-unpinned:
    type: gemini
    base_url: ${standard.origin}
    accounts: [corp2]
  gemini-keyed:
    type: gemini
    base_url: ${keyed.origin}
    api_key: gemini-key-1
    models: [gemini-keyed-model]
`;

async function start(): Promise<void> {
  gateway = await startGateway(config(), { home });
  // Onboarding polls every 5 s in Gemini CLI; the test has no time to wait.
  gateway.app.get(CodeAssistTiming).pollIntervalMs = 20;
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
}

beforeAll(async () => {
  await codeAssist.start();
  await setUpElsewhere.start();
  await keyed.start();
  await standard.start();
  standard.tokens = new Set(['google-access-corp', 'google-access-corp2']);
  standard.allowedTiers = [{ id: 'standard-tier', name: 'Gemini Code Assist Standard', isDefault: true }];
  standard.pollsBeforeDone = 0;
  setUpElsewhere.tokens = new Set(['google-access-work']);
  setUpElsewhere.onboarded = { tierId: 'standard-tier' };
  setUpElsewhere.project = 'corp-project-1';
  home = mkdtempSync(join(tmpdir(), 'byokey-gemini-login-'));
  const store = SqliteAccountStore.open({ home });
  const expiresAt = Date.now() + 3_600_000;
  await store.save({ provider: 'gemini', accountId: 'default', label: 'me@example.com', tokens: { accessToken: 'google-access-1', refreshToken: 'google-refresh-1' }, expiresAt, claims: { email: 'me@example.com' } });
  await store.save({ provider: 'gemini', accountId: 'work', label: 'me@corp.example', tokens: { accessToken: 'google-access-work', refreshToken: 'google-refresh-2' }, expiresAt, claims: { email: 'me@corp.example' } });
  for (const id of ['corp', 'corp2']) {
    await store.save({ provider: 'gemini', accountId: id, tokens: { accessToken: `google-access-${id}` }, expiresAt, claims: { email: `${id}@corp.example` } });
  }
  await store.close();
  await start();
});

afterAll(async () => {
  await gateway?.close();
  await codeAssist.stop();
  await setUpElsewhere.stop();
  await keyed.stop();
  await standard.stop();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  codeAssist.clearScript();
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

const genai = () => new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: gateway.url } });

describe('a logged-in Google account (Code Assist)', () => {
  test('is set up once for the first requests, even together: loadCodeAssist, onboardUser (free tier, no project), the operation polled until done', async () => {
    codeAssist.script({ kind: 'text', text: 'Bonjour.', thought: 'French, then.' }, { kind: 'text', text: 'Streamed hello.' });
    const [whole, streamed] = await Promise.all([
      gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Greet me' }], reasoning_effort: 'high' }),
      gateway.openai.chat.completions.stream({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Greet me too' }], stream_options: { include_usage: true } }).finalChatCompletion(),
    ]);
    const texts = [whole.choices[0].message.content, streamed.choices[0].message.content].sort();
    expect(texts).toEqual(['Bonjour.', 'Streamed hello.']);
    expect(codeAssist.calls('loadCodeAssist')).toHaveLength(1);
    const onboard = codeAssist.calls('onboardUser');
    expect(onboard).toHaveLength(1);
    expect(onboard[0].body).toEqual({ tierId: 'free-tier', metadata: { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } });
    expect(codeAssist.calls('operation').map((r) => r.method)).toEqual(['GET', 'GET']);

    for (const sent of codeAssist.generations) {
      expect(sent.headers.authorization).toBe('Bearer google-access-1');
      expect(sent.body).toMatchObject({ project: 'fake-project-4242', user_prompt_id: expect.any(String) });
      expect(sent.body.request.model).toBeUndefined();
      expect(sent.headers['user-agent']).toMatch(new RegExp(`^GeminiCLI/[\\d.]+/${sent.body.model.replace(/\./g, '\\.')} \\(\\w+; \\w+; terminal\\)$`));
    }
    const pro = codeAssist.generations.find((r) => r.body.model === 'gemini-2.5-pro')!;
    expect(pro.path).toBe('/v1internal:generateContent');
    expect(pro.body.request.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(pro.body.request.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    const flash = codeAssist.generations.find((r) => r.body.model === 'gemini-2.5-flash')!;
    expect(flash.path).toBe('/v1internal:streamGenerateContent');
    expect(flash.query.get('alt')).toBe('sse');
    expect(streamed.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });

    const store = SqliteAccountStore.open({ home });
    expect((await store.get('gemini', 'default'))?.claims).toMatchObject({ email: 'me@example.com', code_assist_project: 'fake-project-4242' });
    await store.close();
  });

  test('streams chat completions with a tool call round trip, its thought signature echoed back inside the envelope', async () => {
    codeAssist.script({ kind: 'tools', calls: [{ name: 'get_weather', args: { city: 'Paris' } }] }, { kind: 'text', text: 'Sunny in Paris.' });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await gateway.openai.chat.completions.stream({ model: 'gemini-2.5-pro', messages, tools: TOOLS }).finalChatCompletion();
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(codeAssist.lastGeneration().body.request.tools[0].functionDeclarations[0].name).toBe('get_weather');

    messages.push({ role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
    const second = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages, tools: TOOLS });
    expect(second.choices[0].message.content).toBe('Sunny in Paris.');
    const contents = codeAssist.lastGeneration().body.request.contents as Content[];
    expect(contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: GEMINI_FAKE_SIGNATURE }] });
    expect(contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'sunny, 21C' } } }] });
  });

  test('answers the Anthropic SDK, whole and streamed', async () => {
    codeAssist.script({ kind: 'text', text: 'Hi from Code Assist.' }, { kind: 'text', text: 'Streamed from Code Assist.', thought: 'Hmm.' });
    const message = await anthropic.messages.create({ model: 'gemini-2.5-pro', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hi from Code Assist.' })]);
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    const streamed = await anthropic.messages.stream({ model: 'gemini-2.5-pro', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(streamed.content[1]).toMatchObject({ type: 'text', text: 'Streamed from Code Assist.' });
  });

  test('the Gemini route passes through unwrapped answers, and countTokens goes to Code Assist', async () => {
    codeAssist.script({ kind: 'text', text: 'Passed through.' });
    const answer = await genai().models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' });
    expect(answer.text).toBe('Passed through.');
    expect(answer.candidates?.[0]?.finishReason).toBe('STOP');
    expect((answer as unknown as { response?: unknown }).response).toBeUndefined();
    let text = '';
    for await (const chunk of await genai().models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'stream it' })) text += chunk.text ?? '';
    expect(text).toBe('Hello from Code Assist.');

    const counted = await genai().models.countTokens({ model: 'gemini-2.5-pro', contents: 'Count me' });
    expect(counted.totalTokens).toBe(42);
    const sent = codeAssist.calls('countTokens').at(-1)!;
    expect(sent.body).toEqual({ request: { model: 'models/gemini-2.5-pro', contents: [{ role: 'user', parts: [{ text: 'Count me' }] }] } });
  });

  test('a spent quota (QUOTA_EXHAUSTED) is a 429 with retry-after from RetryInfo in every dialect, and rests the account', async () => {
    const quota = { kind: 'quota', retryDelay: '51.8s', reason: 'QUOTA_EXHAUSTED' } as const;
    codeAssist.script(quota, quota, quota);
    const chat = (await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(chat).toBeInstanceOf(OpenAI.APIError);
    expect(chat.status).toBe(429);
    expect(chat.headers?.get('retry-after')).toBe('52');
    const before = codeAssist.generations.length;
    // The account rests: the next request is refused by the gateway without reaching Google.
    const rested = (await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(rested.status).toBe(429);
    expect(Number(rested.headers?.get('retry-after'))).toBeGreaterThan(40);
    expect(codeAssist.generations.length).toBe(before);

    gateway.app.get(RequestRouter).states.clearAllCooldowns();
    const messages = (await anthropic.messages.stream({ model: 'gemini-2.5-pro', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage().catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(messages).toBeInstanceOf(Anthropic.APIError);
    expect(messages.status).toBe(429);
    expect(messages.headers?.get('retry-after')).toBe('52');
    expect((messages.error as { error?: { type?: string } }).error?.type).toBe('rate_limit_error');

    gateway.app.get(RequestRouter).states.clearAllCooldowns();
    const google = await genai().models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' }).catch((e: unknown) => e);
    expect(google).toBeInstanceOf(ApiError);
    expect((google as ApiError).status).toBe(429);
    expect(JSON.parse((google as ApiError).message).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
  });

  test('a rate limit (RATE_LIMIT_EXCEEDED) rests the account only for its RetryInfo delay', async () => {
    codeAssist.script({ kind: 'quota', retryDelay: '1s', reason: 'RATE_LIMIT_EXCEEDED' }, { kind: 'text', text: 'Back again.' });
    const limited = (await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(limited.status).toBe(429);
    expect(limited.headers?.get('retry-after')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] });
    expect(again.choices[0].message.content).toBe('Back again.');
  });

  test('an account already set up (a current tier) uses the project loadCodeAssist names, with no onboarding', async () => {
    setUpElsewhere.script({ kind: 'text', text: 'From the corp project.' });
    const completion = await gateway.openai.chat.completions.create({ model: 'gemini-work/gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('From the corp project.');
    expect(setUpElsewhere.calls('loadCodeAssist')).toHaveLength(1);
    expect(setUpElsewhere.calls('onboardUser')).toHaveLength(0);
    expect(setUpElsewhere.lastGeneration().body.project).toBe('corp-project-1');
    expect(setUpElsewhere.lastGeneration().headers.authorization).toBe('Bearer google-access-work');
  });

  test('a paid tier is onboarded in the project the instance pins (project:), named to loadCodeAssist and onboardUser', async () => {
    standard.script({ kind: 'text', text: 'From the pinned project.' });
    const completion = await gateway.openai.chat.completions.create({ model: 'gemini-pinned/gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('From the pinned project.');
    const metadata = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI', duetProject: 'pinned-project-7' };
    expect(standard.calls('loadCodeAssist')[0].body).toEqual({ cloudaicompanionProject: 'pinned-project-7', metadata });
    expect(standard.calls('onboardUser')[0].body).toEqual({ tierId: 'standard-tier', cloudaicompanionProject: 'pinned-project-7', metadata });
    expect(standard.lastGeneration().body.project).toBe('pinned-project-7');
  });

  test('a paid tier with no project named is a 503 saying to set project:', async () => {
    const refused = (await gateway.openai.chat.completions.create({ model: 'gemini-unpinned/gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(503);
    expect(refused.message).toContain('set `project: <project id>` on providers.gemini-unpinned');
    expect(standard.generations.filter((r) => r.headers.authorization === 'Bearer google-access-corp2')).toHaveLength(0);
  });

  test('an instance with an API key keeps using the key (Generative Language API), not the login', async () => {
    keyed.script({ kind: 'text', text: 'By key.' });
    const completion = await gateway.openai.chat.completions.create({ model: 'gemini-keyed-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('By key.');
    expect(keyed.lastGeneration().headers['x-goog-api-key']).toBe('gemini-key-1');
    expect(keyed.lastGeneration().headers.authorization).toBeUndefined();
  });

  test('a restarted gateway remembers the project: no loadCodeAssist, no onboarding', async () => {
    await gateway.close();
    const loads = codeAssist.calls('loadCodeAssist').length;
    const onboards = codeAssist.calls('onboardUser').length;
    await start();
    codeAssist.script({ kind: 'text', text: 'After the restart.' });
    const completion = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('After the restart.');
    expect(codeAssist.calls('loadCodeAssist')).toHaveLength(loads);
    expect(codeAssist.calls('onboardUser')).toHaveLength(onboards);
    expect(codeAssist.lastGeneration().body.project).toBe('fake-project-4242');
  });
});
