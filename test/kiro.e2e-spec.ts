// The kiro plugin end to end: a Kiro IDE login (a kiro-auth-token.json written as the IDE writes
// it) imported the way `byokey accounts import kiro` imports it, then used by the real gateway
// against the fake Kiro API, which answers in real AWS event-stream frames: the official `openai`
// SDK and `@anthropic-ai/sdk`, whole and streamed, text and a tool round trip (the call's input
// assembled from its fragments); frames split across TCP writes at odd offsets; a corrupt CRC and
// an exception frame ending the stream with a clean error in both dialects; an expired token
// refreshed exactly once (social and IAM Identity Center logins).
import Anthropic from '@anthropic-ai/sdk';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { importCredentialsFile } from '../src/auth/importers/credential-importer';
import { KIRO_IDE_IMPORTER } from '../src/providers/kiro/kiro-ide.importer';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeKiro, KIRO_IDC_CLIENT, KIRO_PROFILE_ARN } from './fakes/kiro.fake';
import { CliSandbox, runCli } from './support/cli-process';
import { startGateway, type RunningGateway } from './support/gateway';

const kiro = new FakeKiro();
let home: string;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  await kiro.start();
});
afterAll(async () => {
  await kiro.stop();
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'byokey-kiro-'));
  kiro.clearScript();
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(home, { recursive: true, force: true });
});

/** Writes the Kiro IDE's token file (and, for IdC, its client registration) and imports it. */
async function importLogin(options: { expiresAt?: number; idc?: boolean } = {}): Promise<{ accessToken: string; refreshToken: string }> {
  const cache = join(home, 'sso-cache');
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache);
  const expiresAt = options.expiresAt ?? Date.now() + 3_600_000;
  const accessToken = kiro.issueAccessToken(expiresAt);
  const refreshToken = kiro.issueRefreshToken();
  const file = join(cache, 'kiro-auth-token.json');
  const token: Record<string, unknown> = { accessToken, refreshToken, expiresAt: new Date(expiresAt).toISOString(), profileArn: KIRO_PROFILE_ARN };
  if (options.idc) {
    Object.assign(token, { authMethod: 'IdC', provider: 'Enterprise', region: 'us-east-1', clientIdHash: 'a1b2c3d4' });
    writeFileSync(join(cache, 'a1b2c3d4.json'), JSON.stringify({ ...KIRO_IDC_CLIENT, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }));
  } else Object.assign(token, { authMethod: 'social', provider: 'Google' });
  writeFileSync(file, JSON.stringify(token));
  const store = SqliteAccountStore.open({ home });
  try {
    await store.save(importCredentialsFile(KIRO_IDE_IMPORTER, file));
  } finally {
    await store.close();
  }
  return { accessToken, refreshToken };
}

async function stored() {
  const store = SqliteAccountStore.open({ home });
  try {
    return await store.get('kiro', 'kiro-ide');
  } finally {
    await store.close();
  }
}

async function start(): Promise<RunningGateway> {
  gateway = await startGateway(
    `
admin:
  key: ${ADMIN_KEY}
providers:
  kiro:
    base_url: ${kiro.origin}
    oauth:
      token_url: ${kiro.refreshUrl}
`,
    { home },
  );
  return gateway;
}

const ADMIN_KEY = 'kiro-e2e-admin-key-0123';

/** The request's usage record, once the writer has stored it (it writes every second). */
async function usageOf(gw: RunningGateway, requestId: string | null): Promise<{ tokens: { input: number; output: number }; instance: string; stream: boolean }> {
  expect(requestId).toBeTruthy();
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${gw.url}/admin/v1/usage/records?limit=100`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const found = ((await res.json()) as { data: Array<{ request_id: string }> }).data.find((r) => r.request_id === requestId);
    if (found) return found as never;
    if (Date.now() > deadline) throw new Error(`no usage record for request ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const anthropicOf = (gw: RunningGateway) => new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
const lastCall = () => kiro.calls('/generateAssistantResponse').at(-1)!;
const MODEL = 'kiro-claude-sonnet-4-5';
const WEATHER_TOOL: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

async function readChatStream(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) {
  let text = '';
  let finish: string | null | undefined;
  let usage: OpenAI.CompletionUsage | undefined;
  const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    text += choice?.delta?.content ?? '';
    finish = choice?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
    for (const call of choice?.delta?.tool_calls ?? []) {
      const known = (calls[call.index] ??= { arguments: '' });
      known.id ??= call.id;
      known.name ??= call.function?.name;
      known.arguments += call.function?.arguments ?? '';
    }
  }
  return { text, finish, usage, calls };
}

describe('kiro plugin', () => {
  it('answers the openai SDK whole, as the Kiro IDE would ask: headers, modelId, profile ARN', async () => {
    const { accessToken } = await importLogin();
    const gw = await start();
    const { data: completion, response } = await gw.openai.chat.completions
      .create({
        model: MODEL,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello kiro' },
        ],
      })
      .withResponse();
    expect(completion.choices[0].message.content).toBe('You said: hello kiro');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.model).toBe(MODEL);
    // 1.5 % of Kiro's 200k context; output estimated from 20 characters.
    expect(completion.usage).toMatchObject({ prompt_tokens: 3000, completion_tokens: 5, total_tokens: 3005 });
    const sent = lastCall();
    expect(sent.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(sent.headers['x-amzn-kiro-agent-mode']).toBe('vibe');
    expect(sent.headers['x-amzn-codewhisperer-optout']).toBe('true');
    expect(sent.headers['amz-sdk-invocation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.headers['user-agent']).toContain('KiroIDE');
    expect(sent.body.profileArn).toBe(KIRO_PROFILE_ARN);
    const message = sent.body.conversationState.currentMessage.userInputMessage;
    expect(message).toMatchObject({ modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' });
    expect(message.content).toBe('--- SYSTEM PROMPT ---\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhello kiro');
    // The usage record counts what the answer reported, read from Kiro's own events.
    expect(await usageOf(gw, response.headers.get('x-request-id'))).toMatchObject({ instance: 'kiro', stream: false, tokens: { input: 3000, output: 5 } });
  });

  it('streams to the openai SDK with usage, ending cleanly, even with frames cut at odd offsets', async () => {
    await importLogin();
    const gw = await start();
    for (const splitEvery of [undefined, 7, 1]) {
      kiro.script({ splitEvery });
      const stream = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'stream to me please' }], stream: true, stream_options: { include_usage: true } });
      const read = await readChatStream(stream);
      expect(read.text).toBe('You said: stream to me please');
      expect(read.finish).toBe('stop');
      expect(read.usage).toMatchObject({ prompt_tokens: 3000, completion_tokens: 8 });
    }
  });

  it('thinks when asked: reasoning_effort or a model-name level switch Kiro\'s thinking on, and its inline thinking comes back as reasoning', async () => {
    await importLogin();
    const gw = await start();
    const thought = 'The user said "think about foxes"; I will echo it.';
    kiro.script({ splitEvery: 5 });
    const stream = await gw.openai.chat.completions.create({ model: MODEL, reasoning_effort: 'high', messages: [{ role: 'user', content: 'think about foxes' }], stream: true });
    let reasoning = '';
    let text = '';
    for await (const chunk of stream) {
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(reasoning).toBe(thought);
    expect(text).toBe('You said: think about foxes');
    expect(lastCall().body.conversationState.currentMessage.userInputMessage.content).toBe(
      '--- SYSTEM PROMPT ---\n<thinking_mode>enabled</thinking_mode><max_thinking_length>24576</max_thinking_length>\n--- END SYSTEM PROMPT ---\n\nthink about foxes',
    );

    const whole = await gw.openai.chat.completions.create({ model: `${MODEL}(low)`, messages: [{ role: 'user', content: 'think about foxes' }] });
    expect(whole.choices[0].message.content).toBe('You said: think about foxes');
    expect((whole.choices[0].message as { reasoning_content?: string }).reasoning_content).toBe(thought);
    expect(lastCall().body.conversationState.currentMessage.userInputMessage.content).toContain('<max_thinking_length>1024</max_thinking_length>');

    // Not asked: no tags go to Kiro and nothing comes back as reasoning.
    const plain = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'think about foxes' }] });
    expect(plain.choices[0].message).not.toHaveProperty('reasoning_content');
    expect(lastCall().body.conversationState.currentMessage.userInputMessage.content).toBe('think about foxes');
  });

  it('makes a tool round trip with the openai SDK: the call assembled from its fragments, then its result', async () => {
    await importLogin();
    const gw = await start();
    const stream = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools: [WEATHER_TOOL], stream: true });
    const read = await readChatStream(stream);
    expect(read.text).toBe('Let me check.');
    expect(read.finish).toBe('tool_calls');
    expect(read.calls).toEqual([{ id: 'tooluse_kiro_1', name: 'get_weather', arguments: '{"city": "Paris"}' }]);
    expect(lastCall().body.conversationState.currentMessage.userInputMessage.userInputMessageContext.tools[0].toolSpecification).toEqual({
      name: 'get_weather',
      description: 'Weather of a city',
      inputSchema: { json: WEATHER_TOOL.function.parameters },
    });

    const whole = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER_TOOL] });
    expect(whole.choices[0].finish_reason).toBe('tool_calls');
    const call = whole.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });

    const answer = await gw.openai.chat.completions.create({
      model: MODEL,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '18C and sunny' },
      ],
    });
    expect(answer.choices[0].message.content).toBe('Tool said: 18C and sunny');
    const state = lastCall().body.conversationState;
    expect(state.history).toEqual([
      { userInputMessage: expect.objectContaining({ content: 'Weather in Paris?', modelId: 'claude-sonnet-4.5' }) },
      { assistantResponseMessage: { content: '', toolUses: [{ toolUseId: 'tooluse_kiro_1', name: 'get_weather', input: { city: 'Paris' } }] } },
    ]);
    expect(state.currentMessage.userInputMessage.userInputMessageContext.toolResults).toEqual([
      { toolUseId: 'tooluse_kiro_1', status: 'success', content: [{ text: '18C and sunny' }] },
    ]);
  });

  it('answers the Anthropic SDK on /v1/messages, whole and streamed, with a tool round trip', async () => {
    await importLogin();
    const gw = await start();
    const anthropic = anthropicOf(gw);
    const message = await anthropic.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hola' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'You said: hola' })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 3000, output_tokens: 4 });

    const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    kiro.script({ splitEvery: 5 });
    const final = await anthropic.messages.stream({ model: MODEL, max_tokens: 64, tools, messages: [{ role: 'user', content: 'weather in Paris?' }] }).finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const use = final.content.find((block) => block.type === 'tool_use')!;
    expect(use).toMatchObject({ type: 'tool_use', id: 'tooluse_kiro_1', name: 'get_weather', input: { city: 'Paris' } });

    const answer = await anthropic.messages.stream({
      model: MODEL,
      max_tokens: 64,
      tools,
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: final.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tooluse_kiro_1', content: '18C' }] },
      ],
    }).finalMessage();
    expect(answer.content.map((block) => (block.type === 'text' ? block.text : '')).join('')).toBe('Tool said: 18C');
    expect(answer.stop_reason).toBe('end_turn');
  });

  it.each([
    ['a corrupt prelude CRC', { corrupt: { frame: 1, where: 'prelude' as const } }, /broken event stream.*prelude CRC32/],
    ['a corrupt message CRC', { corrupt: { frame: 1, where: 'message' as const } }, /broken event stream.*checksum/],
    ['an exception frame', { exception: { type: 'ThrottlingException', message: 'Too many requests, slow down' } }, /slow down/],
  ])('ends the stream with a clean error on %s, in both dialects', async (_name, scenario, message) => {
    await importLogin();
    const gw = await start();
    kiro.script(scenario);
    const stream = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'a long answer please' }], stream: true });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })(),
    ).rejects.toThrow(message);
    // The first frame arrived before the broken one.
    expect(text).toBe('You ');

    kiro.script(scenario);
    const events: string[] = [];
    const anthropicStream = anthropicOf(gw).messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'a long answer please' }] });
    anthropicStream.on('streamEvent', (event) => events.push(event.type));
    await expect(anthropicStream.finalMessage()).rejects.toThrow(message);
    expect(events).toContain('message_start');
    expect(events).not.toContain('message_stop');
    // The gateway is fine afterwards.
    const after = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'still there?' }] });
    expect(after.choices[0].message.content).toBe('You said: still there?');
  });

  it('answers a 502 in the client\'s dialect when the very first frame is broken (nothing was sent yet)', async () => {
    await importLogin();
    const gw = await start();
    kiro.script({ corrupt: { frame: 0, where: 'message' } });
    const failed = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ status: 502, message: expect.stringMatching(/broken event stream/) });
    kiro.script({ corrupt: { frame: 0, where: 'prelude' } });
    const refused = await anthropicOf(gw).messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    expect((refused as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
  });

  it('refreshes an expired social login exactly once at Kiro\'s auth service, stores it and uses it', async () => {
    const seeded = await importLogin({ expiresAt: Date.now() - 60_000 });
    const gw = await start();
    const before = { ...kiro.refreshes };
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `n${i}` }] })));
    expect(answers.map((a) => a.choices[0].message.content)).toEqual(Array.from({ length: 4 }, (_, i) => `You said: n${i}`));
    expect(kiro.refreshes).toEqual({ social: before.social + 1, idc: before.idc });
    expect(kiro.calls('/refreshToken').at(-1)!.body).toEqual({ refreshToken: seeded.refreshToken });
    const account = (await stored())!;
    expect(account.tokens.accessToken).not.toBe(seeded.accessToken);
    expect(account.claims).toMatchObject({ auth_method: 'social', profile_arn: KIRO_PROFILE_ARN });
    expect(lastCall().headers.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
  });

  it('refreshes an expired IAM Identity Center login with its client registration', async () => {
    const seeded = await importLogin({ expiresAt: Date.now() - 60_000, idc: true });
    const imported = (await stored())!;
    expect(imported.claims).toMatchObject({ auth_method: 'idc', client_id: KIRO_IDC_CLIENT.clientId, region: 'us-east-1' });
    expect(JSON.stringify(imported.claims)).not.toContain(KIRO_IDC_CLIENT.clientSecret);
    const gw = await start();
    const before = { ...kiro.refreshes };
    const completion = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'idc' }] });
    expect(completion.choices[0].message.content).toBe('You said: idc');
    expect(kiro.refreshes).toEqual({ social: before.social, idc: before.idc + 1 });
    expect(kiro.calls('/refreshToken').at(-1)!.body).toEqual({ ...KIRO_IDC_CLIENT, grantType: 'refresh_token', refreshToken: seeded.refreshToken });
    // The client secret stays with the login across the refresh.
    expect((await stored())!.tokens.clientSecret).toBe(KIRO_IDC_CLIENT.clientSecret);
  });

  it('imports the IDE\'s login with the built CLI (`byokey accounts import kiro --file`), and says login is by import', async () => {
    const sandbox = new CliSandbox();
    try {
      const expiresAt = Date.now() + 3_600_000;
      const file = sandbox.write(
        'kiro-auth-token.json',
        JSON.stringify({ accessToken: kiro.issueAccessToken(expiresAt), refreshToken: kiro.issueRefreshToken(), expiresAt: new Date(expiresAt).toISOString(), profileArn: KIRO_PROFILE_ARN, authMethod: 'social', provider: 'Github' }),
      );
      const imported = await runCli(['accounts', 'import', 'kiro', '--file', file], sandbox);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('kiro-ide');
      home = sandbox.home;
      const gw = await start();
      const completion = await gw.openai.chat.completions.create({ model: 'kiro-claude-haiku-4-5', messages: [{ role: 'user', content: 'from the CLI' }] });
      expect(completion.choices[0].message.content).toBe('You said: from the CLI');
      expect(lastCall().body.conversationState.currentMessage.userInputMessage.modelId).toBe('claude-haiku-4.5');

      const login = await runCli(['login', 'kiro'], sandbox);
      expect(login.code).toBe(1);
      expect(login.stderr).toContain('byokey login kiro: log in with the Kiro IDE, then run `byokey accounts import kiro`');
    } finally {
      await gateway?.close();
      gateway = undefined;
      sandbox.remove();
    }
  });

  it('refreshes once and retries when Kiro refuses a token that looked fresh', async () => {
    const seeded = await importLogin();
    const gw = await start();
    kiro.revoke(seeded.accessToken);
    const before = kiro.refreshes.social;
    const completion = await gw.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'again' }] });
    expect(completion.choices[0].message.content).toBe('You said: again');
    expect(kiro.refreshes.social).toBe(before + 1);
  });
});
