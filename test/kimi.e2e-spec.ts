// The kimi plugin end to end: a Kimi Code device login (the real flow against the fake Kimi OAuth
// server, with the Kimi CLI's device headers) stored as `byokey login kimi` stores it, then used by
// the real gateway through the official `openai` SDK (stream and not) and `@anthropic-ai/sdk` on
// /v1/messages (translated through the protocol table), with the model list fetched live from the
// upstream; an expired token is refreshed exactly once; an upstream 401 refreshes and retries once.
import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOAuthOverrides } from '../src/auth/oauth-definition';
import { runDeviceCodeFlow } from '../src/auth/device-code-flow';
import { KIMI_OAUTH } from '../src/providers/kimi/kimi.oauth';
import type { Account } from '../src/store/account';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeKimi, KIMI_DEVICE_HEADERS } from './fakes/kimi.fake';
import { FakeLoginUi } from './fakes/login-ui.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const kimi = new FakeKimi();
let home: string;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  await kimi.start();
});
afterAll(async () => {
  await kimi.stop();
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'byokey-kimi-'));
  kimi.rejectNextChats = 0;
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(home, { recursive: true, force: true });
});

async function withStore<T>(use: (store: SqliteAccountStore) => Promise<T>): Promise<T> {
  const store = SqliteAccountStore.open({ home });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** `byokey login kimi`: the device flow against the fake, the result saved as the login command saves it. */
async function loginKimi(): Promise<Account> {
  const definition = applyOAuthOverrides(KIMI_OAUTH, { device_code_url: kimi.deviceCodeUrl, token_url: kimi.tokenUrl });
  const obtained = await runDeviceCodeFlow({ definition, ui: new FakeLoginUi(false), noBrowser: true });
  return withStore((store) =>
    store.save({ provider: 'kimi', accountId: 'default', tokens: obtained.tokens, expiresAt: obtained.expiresAt, claims: obtained.claims }),
  );
}

/** A stored login whose access token expires at `expiresAt`, with a live refresh token. */
async function seedAccount(expiresAt: number): Promise<Account> {
  const accessToken = kimi.issueAccessToken(expiresAt);
  return withStore((store) =>
    store.save({ provider: 'kimi', accountId: 'default', tokens: { accessToken, refreshToken: kimi.issueRefreshToken() }, expiresAt, claims: {} }),
  );
}

const stored = () => withStore((store) => store.get('kimi', 'default'));

async function start(): Promise<RunningGateway> {
  gateway = await startGateway(
    `
providers:
  kimi:
    base_url: ${kimi.apiUrl}
    oauth:
      device_code_url: ${kimi.deviceCodeUrl}
      token_url: ${kimi.tokenUrl}
`,
    { home },
  );
  return gateway;
}

const anthropicOf = (gw: RunningGateway) => new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
const lastChat = () => kimi.calls('POST', '/coding/v1/chat/completions').at(-1)!;

describe('kimi plugin', () => {
  it('logs in with the device flow and the device headers, then serves chat with the same identity', async () => {
    const seen = kimi.requests.length;
    const account = await loginKimi();
    const oauthCalls = kimi.requests.slice(seen);
    expect(oauthCalls.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/oauth/device_authorization', 'POST /api/oauth/token']);
    expect(oauthCalls[1].body.grant_type).toBe('urn:ietf:params:oauth:grant-type:device_code');
    expect(account.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    const deviceId = oauthCalls[0].headers['x-msh-device-id'];
    expect(deviceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const gw = await start();
    const completion = await gw.openai.chat.completions.create({ model: 'kimi-for-coding', messages: [{ role: 'user', content: 'hi kimi' }] });
    expect(completion.choices[0].message.content).toBe('You said: hi kimi');
    const sent = lastChat();
    expect(sent.headers.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
    expect(sent.headers['user-agent']).toBe('KimiCLI/1.10.6');
    expect(sent.headers['x-msh-platform']).toBe('kimi_cli');
    expect(sent.headers['x-msh-version']).toBe('1.10.6');
    // One device, for the login and for the requests.
    for (const name of KIMI_DEVICE_HEADERS) expect(sent.headers[name]).toBe(oauthCalls[0].headers[name]);
    expect(sent.body.model).toBe('kimi-for-coding');
  });

  it('lists the upstream\'s own models, fetched with the account\'s token and the device headers', async () => {
    const account = await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    const ids = (await gw.openai.models.list()).data.map((m) => m.id);
    // kimi-k2-turbo-preview is in no built-in catalog: only the live list names it.
    expect(ids).toEqual(expect.arrayContaining(['kimi-for-coding', 'kimi-k2-turbo-preview']));
    const listing = kimi.calls('GET', '/coding/v1/models').at(-1)!;
    expect(listing.headers.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
    expect(listing.headers['user-agent']).toBe('KimiCLI/1.10.6');

    const completion = await gw.openai.chat.completions.create({ model: 'kimi-k2-turbo-preview', messages: [{ role: 'user', content: 'turbo' }] });
    expect(completion.choices[0].message.content).toBe('You said: turbo');
  });

  it('streams through the openai SDK, ending cleanly', async () => {
    await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    const stream = await gw.openai.chat.completions.create({
      model: 'kimi-for-coding',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('You said: stream please');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5 });
    expect(lastChat().body.stream).toBe(true);
  });

  it('answers the Anthropic SDK on /v1/messages, whole and streamed', async () => {
    await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    const anthropic = anthropicOf(gw);
    const message = await anthropic.messages.create({ model: 'kimi-for-coding', max_tokens: 64, messages: [{ role: 'user', content: 'hola' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'You said: hola', citations: null }].map(({ type, text }) => expect.objectContaining({ type, text })));
    expect(message.stop_reason).toBe('end_turn');
    // The upstream got OpenAI chat, translated from the Anthropic request.
    expect(lastChat().body.messages).toEqual([{ role: 'user', content: 'hola' }]);

    const stream = anthropic.messages.stream({ model: 'kimi-for-coding', max_tokens: 64, messages: [{ role: 'user', content: 'streamed hola' }] });
    const final = await stream.finalMessage();
    expect(final.content.map((block) => (block.type === 'text' ? block.text : '')).join('')).toBe('You said: streamed hola');
    expect(final.stop_reason).toBe('end_turn');
  });

  it('refreshes an expired token exactly once, stores it, and uses it', async () => {
    const seeded = await seedAccount(Date.now() - 60_000);
    const gw = await start();
    const before = kimi.grants('refresh_token');
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => gw.openai.chat.completions.create({ model: 'kimi-for-coding', messages: [{ role: 'user', content: `n${i}` }] })),
    );
    expect(answers.map((a) => a.choices[0].message.content)).toEqual(Array.from({ length: 5 }, (_, i) => `You said: n${i}`));
    expect(kimi.grants('refresh_token')).toBe(before + 1);
    const refresh = kimi.calls('POST', '/api/oauth/token').at(-1)!;
    expect(refresh.body).toMatchObject({ grant_type: 'refresh_token', refresh_token: seeded.tokens.refreshToken, client_id: '17e5f671-d194-4dfb-9706-5516cb48c098' });
    expect(refresh.headers['x-msh-device-id']).toBe(lastChat().headers['x-msh-device-id']);
    const account = (await stored())!;
    expect(account.tokens.accessToken).not.toBe(seeded.tokens.accessToken);
    expect(lastChat().headers.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
  });

  it('refreshes once and retries once when the upstream rejects a token that looked fresh', async () => {
    const seeded = await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    const before = kimi.grants('refresh_token');
    const seen = kimi.calls('POST', '/coding/v1/chat/completions').length;
    kimi.rejectNextChats = 1;
    const completion = await gw.openai.chat.completions.create({ model: 'kimi-for-coding', messages: [{ role: 'user', content: 'again' }] });
    expect(completion.choices[0].message.content).toBe('You said: again');
    expect(kimi.grants('refresh_token')).toBe(before + 1);
    const tried = kimi.calls('POST', '/coding/v1/chat/completions').slice(seen).map((r) => r.headers.authorization);
    expect(tried).toEqual([`Bearer ${seeded.tokens.accessToken}`, `Bearer ${(await stored())!.tokens.accessToken}`]);
  });
});
