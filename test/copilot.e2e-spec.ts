// GitHub Copilot accounts through the gateway (the copilot plugin): the real app on a random port,
// a real SQLite store holding the logins, and a fake GitHub + Copilot (fakes/copilot.fake.ts)
// that refuses any call without the editor headers. Clients are the official openai and
// Anthropic SDKs. Covers the token exchange (renewed once ahead of expiry, shared by concurrent
// requests), each model on the endpoint its list entry names, Copilot's stream quirks, the
// X-Initiator rule, two accounts in one pool, the premium quota, and a revoked login.
import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import type { Account } from '../src/store/account';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeCopilot, REQUIRED_COPILOT_HEADERS } from './fakes/copilot.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { CliSandbox, runCli } from './support/cli-process';
import { startGateway, type RunningGateway } from './support/gateway';

const ADMIN_KEY = 'admin-key-for-copilot-tests-0123456789';
const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup', description: 'Looks a thing up', parameters: { type: 'object', properties: { q: { type: 'string' } } } } },
];

const fake = new FakeCopilot();
let home: string;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'byokey-copilot-'));
  fake.reset();
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(home, { recursive: true, force: true });
});

/** Stores GitHub logins as `byokey login copilot` does (no refresh token, no expiry). */
async function seed(...accounts: string[]): Promise<void> {
  const store = SqliteAccountStore.open({ home });
  try {
    for (const accountId of accounts) {
      fake.githubTokens.add(githubToken(accountId));
      await store.save({ provider: 'copilot', accountId, tokens: { accessToken: githubToken(accountId) } });
    }
  } finally {
    await store.close();
  }
}

function githubToken(accountId: string): string {
  return `ghu_${accountId}0000000000000000000000000000`;
}

async function stored(accountId: string): Promise<Account | undefined> {
  const store = SqliteAccountStore.open({ home });
  try {
    return await store.get('copilot', accountId);
  } finally {
    await store.close();
  }
}

async function start(extra = ''): Promise<RunningGateway> {
  gateway = await startGateway(
    `
admin:
  key: ${ADMIN_KEY}
providers:
  copilot:
    github_api_url: ${fake.githubApiUrl}
${extra}`,
    { home },
  );
  return gateway;
}

function anthropic(gw: RunningGateway): Anthropic {
  return new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
}

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<OpenAI.Chat.Completions.ChatCompletionChunk[]> {
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('GitHub Copilot through the gateway', () => {
  it('answers chat completions, whole and streamed, with the editor headers and a Copilot token', async () => {
    await seed('alice');
    const gw = await start();

    const whole = await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello' }] });
    expect(whole.choices).toHaveLength(1);
    expect(whole.choices[0].message.content).toBe('Copilot says: hello');
    const sent = fake.lastModelCall;
    expect(sent.path).toBe('/chat/completions');
    expect(sent.body.stream).toBe(false);
    for (const name of REQUIRED_COPILOT_HEADERS) expect(sent.headers[name]).toBeTruthy();
    expect(sent.headers).toMatchObject({
      'copilot-integration-id': 'vscode-chat',
      'editor-version': 'vscode/1.107.0',
      'editor-plugin-version': 'copilot-chat/0.35.0',
      'user-agent': 'GitHubCopilotChat/0.35.0',
      'openai-intent': 'conversation-panel',
      'x-github-api-version': '2025-04-01',
      'x-initiator': 'user',
    });
    expect(sent.copilotToken).toMatch(/^tid=fake\d+;exp=/);
    expect(sent.githubToken).toBe(githubToken('alice'));
    // The exchange went to GitHub with the login token, the word `token` and not Bearer.
    const exchange = fake.requests.find((r) => r.path === '/copilot_internal/v2/token')!;
    expect(exchange.headers.authorization).toBe(`token ${githubToken('alice')}`);
    expect(exchange.headers['editor-version']).toBe('vscode/1.107.0');

    const chunks = await collect(await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'stream it' }], stream: true }));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Copilot says: stream it');
    const streamed = fake.lastModelCall;
    expect(streamed.body.stream).toBe(true);
    expect(streamed.body.stream_options).toEqual({ include_usage: true });
    expect(streamed.headers['accept-encoding']).toBe('identity');
    // Each request its own id.
    expect(streamed.headers['x-request-id']).not.toBe(sent.headers['x-request-id']);
    // One exchange served both.
    expect(fake.exchanges()).toBe(1);
    expect(fake.missingHeaders).toEqual([]);
  });

  it('passes reasoning_text on as reasoning_content', async () => {
    await seed('alice');
    const gw = await start();
    const chunks = await collect(await gw.openai.chat.completions.create({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'think' }], stream: true }));
    const reasoning = chunks.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '').join('');
    expect(reasoning).toBe('Thinking it over.');
    expect(chunks.some((c) => 'reasoning_text' in (c.choices[0]?.delta ?? {}))).toBe(false);
    const whole = await gw.openai.chat.completions.create({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'think' }] });
    expect((whole.choices[0].message as { reasoning_content?: string }).reasoning_content).toBe('Thinking it over.');
  });

  it('folds a tool call sent under a second choices index into the one choice asked for, and says who started each turn', async () => {
    await seed('alice');
    const gw = await start();
    const ask: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather?' }];

    const chunks = await collect(await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: ask, tools: TOOLS, stream: true }));
    expect(chunks.every((c) => c.choices.every((choice) => choice.index === 0))).toBe(true);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_copilot_1', function: { name: 'lookup' } });
    expect(calls.map((c) => c.function?.arguments ?? '').join('')).toBe('{"q":"weather"}');
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Copilot says: weather?');
    expect(fake.lastModelCall.headers['x-initiator']).toBe('user');

    const whole = await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: ask, tools: TOOLS });
    expect(whole.choices).toHaveLength(1);
    expect(whole.choices[0].finish_reason).toBe('tool_calls');
    expect(whole.choices[0].message.content).toBe('Copilot says: weather?');
    expect(whole.choices[0].message.tool_calls?.[0]).toMatchObject({ id: 'call_copilot_1', function: { name: 'lookup', arguments: '{"q":"weather"}' } });
    expect(fake.lastModelCall.headers['x-initiator']).toBe('user');

    // The tool's answer goes back: an agent's turn, which spends no premium request.
    const answered = await gw.openai.chat.completions.create({
      model: 'gpt-4.1',
      tools: TOOLS,
      messages: [...ask, { role: 'assistant', content: null, tool_calls: whole.choices[0].message.tool_calls }, { role: 'tool', tool_call_id: 'call_copilot_1', content: 'sunny' }],
    });
    expect(answered.choices[0].message.content).toBe('Copilot says: tool result sunny');
    expect(fake.lastModelCall.headers['x-initiator']).toBe('agent');
  });

  it('collects a whole answer from a stream when Copilot refuses "stream": false', async () => {
    await seed('alice');
    fake.rejectNonStream = true;
    const gw = await start();
    const whole = await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'whole please' }] });
    expect(whole.choices[0].message.content).toBe('Copilot says: whole please');
    expect(whole.usage?.total_tokens).toBe(30);
    // Learnt once: the next whole answer is asked for as a stream at once.
    const before = fake.modelCalls().length;
    await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'again' }] });
    expect(fake.modelCalls().length).toBe(before + 1);
    expect(fake.lastModelCall.body.stream).toBe(true);
  });

  it('serves each model on the endpoint its list entry names: Claude over Messages, Codex-class over Responses', async () => {
    await seed('alice');
    const gw = await start();
    const listed = (await gw.openai.models.list()).data.map((m) => m.id);
    expect(listed).toEqual(expect.arrayContaining(['gpt-4.1', 'gpt-5-mini', 'claude-sonnet-4.5', 'gpt-5.1-codex']));
    expect(listed).not.toContain('text-embedding-3-small');

    const client = anthropic(gw);
    const message = await client.messages.create({ model: 'claude-sonnet-4.5', max_tokens: 100, messages: [{ role: 'user', content: 'hi claude' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Copilot says: hi claude' }]);
    expect(fake.lastModelCall.path).toBe('/v1/messages');
    // The client's own anthropic-version, passed on.
    expect(fake.lastModelCall.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(fake.lastModelCall.headers['x-initiator']).toBe('user');

    const streamed = client.messages.stream({ model: 'claude-sonnet-4.5', max_tokens: 100, messages: [{ role: 'user', content: 'stream claude' }] });
    expect((await streamed.finalMessage()).content).toEqual([{ type: 'text', text: 'Copilot says: stream claude' }]);
    expect(fake.lastModelCall.path).toBe('/v1/messages');

    const toolTurn = await client.messages.create({
      model: 'claude-sonnet-4.5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'weather' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
      ],
    });
    expect(toolTurn.content).toEqual([{ type: 'text', text: 'Copilot says: tool result sunny' }]);
    expect(fake.lastModelCall.headers['x-initiator']).toBe('agent');

    // A chat client reaches a Claude model over Messages too (chat ⇄ Messages bridge).
    const viaChat = await gw.openai.chat.completions.create({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'chat to claude' }] });
    expect(viaChat.choices[0].message.content).toBe('Copilot says: chat to claude');
    expect(fake.lastModelCall.path).toBe('/v1/messages');

    // gpt-5.1-codex has only /responses: the Responses API passes through, less service_tier.
    const response = await gw.openai.responses.create({ model: 'gpt-5.1-codex', input: 'hi codex', service_tier: 'priority' });
    expect(response.output_text).toBe('Copilot says: hi codex');
    expect(fake.lastModelCall.path).toBe('/responses');
    expect(fake.lastModelCall.body.service_tier).toBeUndefined();

    const codexChat = await gw.openai.chat.completions.create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'chat to codex' }] });
    expect(codexChat.choices[0].message.content).toBe('Copilot says: chat to codex');
    expect(fake.lastModelCall.path).toBe('/responses');

    // A chat model asked through the Responses API goes to /chat/completions.
    const chatModel = await gw.openai.responses.create({ model: 'gpt-4.1', input: 'responses to chat' });
    expect(chatModel.output_text).toBe('Copilot says: responses to chat');
    expect(fake.lastModelCall.path).toBe('/chat/completions');
    expect(fake.missingHeaders).toEqual([]);
  });

  it('renews the Copilot token ahead of its expiry exactly once, while 10 requests wait, and none fails', async () => {
    await seed('alice');
    // A 4 s token: renewed half-way (it lives less than twice the 5-minute margin).
    fake.tokenTtlSeconds = 4;
    const gw = await start();
    await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'first' }] });
    expect(fake.exchanges()).toBe(1);
    const firstToken = fake.lastModelCall.copilotToken;

    await new Promise((resolve) => setTimeout(resolve, 2300));
    const before = fake.modelCalls().length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: `n${i}` }] })),
    );
    expect(answers.map((a) => a.choices[0].message.content)).toEqual(Array.from({ length: 10 }, (_, i) => `Copilot says: n${i}`));
    expect(fake.exchanges()).toBe(2);
    const calls = fake.modelCalls().slice(before);
    // Every call was answered on the first try, with the renewed token.
    expect(calls).toHaveLength(10);
    const used = new Set(calls.map((c) => c.copilotToken));
    expect(used.size).toBe(1);
    expect(used.has(firstToken)).toBe(false);
  });

  it('rotates two accounts round-robin in one pool, and keeps each one\'s premium quota', async () => {
    await seed('alice', 'bob');
    fake.quotas.set(githubToken('alice'), { percentRemaining: 25 });
    fake.quotas.set(githubToken('bob'), { percentRemaining: 0, unlimited: true });
    const gw = await start('    strategy: round-robin\n');
    for (let i = 0; i < 4; i++) await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: `r${i}` }] });
    const served = fake.modelCalls().map((c) => c.githubToken);
    expect(served.filter((t) => t === githubToken('alice'))).toHaveLength(2);
    expect(served.filter((t) => t === githubToken('bob'))).toHaveLength(2);
    expect(fake.exchanges(githubToken('alice'))).toBe(1);
    expect(fake.exchanges(githubToken('bob'))).toBe(1);

    // The quota is read in the background of the first request of each account.
    let accounts: Array<{ account_id: string; quota?: { windows: Array<Record<string, unknown>> } }> = [];
    for (let i = 0; i < 50; i++) {
      const answer = await request(`${gw.url}/admin/v1/accounts`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      accounts = ((await answer.body.json()) as { data: typeof accounts }).data;
      if (accounts.every((a) => a.quota)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const quota = (id: string) => accounts.find((a) => a.account_id === id)?.quota?.windows;
    expect(quota('alice')).toEqual([{ window: 'premium', used_percent: 75, resets_at: '2026-12-31T00:00:00.000Z' }]);
    expect(quota('bob')).toEqual([{ window: 'premium', status: 'unlimited' }]);
    const quotaCalls = fake.requests.filter((r) => r.path === '/copilot_internal/user');
    expect(quotaCalls.map((r) => r.headers.authorization).sort()).toEqual([`token ${githubToken('alice')}`, `token ${githubToken('bob')}`]);
  });

  it('answers a revoked GitHub login with a 503 that says to log in again, and marks the account as needing one', async () => {
    await seed('alice');
    const gw = await start();
    fake.revoke(githubToken('alice'));
    const failure = await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const error = failure as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(503);
    // Whichever call met the refusal first (this request, or the model list fetched at start),
    // the answer is a 503 that names the command to run, never a 500.
    expect(['needs_relogin', 'no_credentials']).toContain(error.code);
    expect(error.message).toMatch(/The copilot account "alice" must sign in again.*run `byokey login copilot --account alice`|no active account for copilot: run `byokey login copilot`/);
    expect(error.headers?.get('x-should-retry')).toBe('false');
    const account = await stored('alice');
    expect(account?.status).toBe('needs_relogin');
    expect(account?.statusReason).toContain('GitHub refused the login token (401');

    // The next request does not even try GitHub again.
    const exchanges = fake.exchanges();
    const again = await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((again as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect(fake.exchanges()).toBe(exchanges);

    // `byokey status` (the built CLI, on the same store) says so, and that nothing serves copilot now.
    const sandbox = new CliSandbox();
    try {
      const config = sandbox.write('providers.yaml', `providers:\n  copilot:\n    github_api_url: ${fake.githubApiUrl}\n`);
      const status = await runCli(['status', '--config', config], sandbox, { home });
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^copilot\s+alice\s+yes\s+needs re-login\s/m);
      expect(status.stdout).toMatch(/^copilot\s+copilot\s+no\s/m);
    } finally {
      sandbox.remove();
    }
  });

  it('serves from the other account when one login is revoked', async () => {
    await seed('alice', 'bob');
    fake.revoke(githubToken('alice'));
    const gw = await start('    strategy: round-robin\n');
    for (let i = 0; i < 3; i++) {
      const answer = await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: `still ${i}` }] });
      expect(answer.choices[0].message.content).toBe(`Copilot says: still ${i}`);
    }
    expect(fake.modelCalls().every((c) => c.githubToken === githubToken('bob'))).toBe(true);
    expect((await stored('alice'))?.status).toBe('needs_relogin');
    expect((await stored('bob'))?.status).toBe('active');
  });

  it('serves a login made with `byokey login copilot` (device flow against the fake GitHub)', async () => {
    const oauth = new FakeOAuthServer();
    await oauth.start();
    const sandbox = new CliSandbox();
    try {
      const config = sandbox.write(
        'providers.yaml',
        [
          'providers:',
          '  copilot:',
          `    github_api_url: ${fake.githubApiUrl}`,
          '    oauth:',
          `      device_code_url: ${oauth.urls.github.deviceCode}`,
          `      token_url: ${oauth.urls.github.token}`,
          '',
        ].join('\n'),
      );
      oauth.deviceInterval = 1;
      oauth.deviceAutoApprove = true;
      const login = await runCli(['login', 'copilot', '--no-browser', '--config', config], sandbox, { home }, 15_000);
      expect(login.code).toBe(0);
      expect(login.stdout).toContain('Logged in to GitHub Copilot: account "default", the default.');
      expect(login.stdout).toContain(`Provider instance copilot (${config}) serves it`);
      // GitHub knows the token it issued.
      const account = await stored('default');
      expect(account?.tokens.accessToken).toMatch(/^ghu_/);
      fake.githubTokens.add(account!.tokens.accessToken);

      const gw = await start();
      const answer = await gw.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'after login' }] });
      expect(answer.choices[0].message.content).toBe('Copilot says: after login');
      expect(fake.lastModelCall.githubToken).toBe(account!.tokens.accessToken);
    } finally {
      sandbox.remove();
      await oauth.stop();
    }
  });
});
