// The iflow plugin end to end, against a fake iFlow that verifies every request's signature:
// a stored iFlow login (its token is the API key getUserInfo gave) used through the official
// `openai` SDK (stream and not) and `@anthropic-ai/sdk` on /v1/messages; each request signed
// afresh (new session, current time), with the gateway's clock injectable; an expired login
// refreshed once and traded for a new API key; a bad signature refused by the fake; and, with
// the repository's default providers.yaml, an implicit instance serving the login.
import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IflowSigner } from '../src/providers/iflow/iflow-signature';
import type { Account } from '../src/store/account';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { FakeIflow } from './fakes/iflow.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const iflow = new FakeIflow();
let home: string;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  await iflow.start();
});
afterAll(async () => {
  await iflow.stop();
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'byokey-iflow-'));
  iflow.now = Date.now;
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

/** An iFlow login as `byokey login iflow` stores it: the API key as its token, expiring at `expiresAt`. */
async function seedAccount(expiresAt: number): Promise<Account> {
  return withStore((store) =>
    store.save({ provider: 'iflow', accountId: 'default', tokens: { accessToken: iflow.issueApiKey(), refreshToken: iflow.issueRefreshToken() }, expiresAt }),
  );
}

const stored = () => withStore((store) => store.get('iflow', 'default'));

async function start(yaml = `providers:\n  iflow:\n    base_url: ${iflow.apiUrl}\n    oauth:\n      token_url: ${iflow.tokenUrl}\n`): Promise<RunningGateway> {
  gateway = await startGateway(yaml, { home, env: { OPENAI_API_KEY: '' } });
  return gateway;
}

const chats = () => iflow.calls('POST', '/v1/chat/completions');
const MESSAGES = [{ role: 'user' as const, content: 'hi iflow' }];

describe('iflow plugin', () => {
  it('signs each request afresh, and the fake (which checks the HMAC) accepts it', async () => {
    const account = await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    const seen = chats().length;
    const first = await gw.openai.chat.completions.create({ model: 'glm-4.6', messages: MESSAGES });
    const second = await gw.openai.chat.completions.create({ model: 'qwen3-coder-plus', messages: [{ role: 'user', content: 'again' }] });
    expect(first.choices[0].message.content).toBe('You said: hi iflow');
    expect(second.choices[0].message.content).toBe('You said: again');
    const [a, b] = chats().slice(seen);
    expect(a.headers.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
    expect(a.headers['user-agent']).toBe('iFlow-Cli');
    expect(a.headers['session-id']).not.toBe(b.headers['session-id']);
    expect(Math.abs(Number(a.headers['x-iflow-timestamp']) - Date.now())).toBeLessThan(60_000);
    expect(a.body.model).toBe('glm-4.6');
  });

  it('signs with the clock the gateway is given', async () => {
    await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    const fixed = 1_767_225_600_000;
    jest.spyOn(gw.app.get(IflowSigner), 'now').mockReturnValue(fixed);
    // The fake's clock agrees, so the signature is judged at that time.
    iflow.now = () => fixed;
    await gw.openai.chat.completions.create({ model: 'glm-4.6', messages: MESSAGES });
    expect(chats().at(-1)!.headers['x-iflow-timestamp']).toBe(String(fixed));
  });

  it('a request the fake cannot verify is refused, and the client hears why', async () => {
    await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    // The gateway's clock is 10 minutes off the fake's: outside the allowed skew.
    iflow.now = () => Date.now() + 10 * 60_000;
    const error = await gw.openai.chat.completions.create({ model: 'glm-4.6', messages: MESSAGES }).catch((e) => e);
    expect(error.status).toBe(401);
    expect(error.message).toContain('x-iflow-timestamp is too far from the server time');
  });

  it('streams through the openai SDK and answers the Anthropic SDK on /v1/messages', async () => {
    await seedAccount(Date.now() + 3_600_000);
    const gw = await start();
    const stream = await gw.openai.chat.completions.create({ model: 'deepseek-v3.2', messages: [{ role: 'user', content: 'stream it' }], stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('You said: stream it');
    expect(finish).toBe('stop');

    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
    const message = await anthropic.messages.create({ model: 'kimi-k2', max_tokens: 64, messages: [{ role: 'user', content: 'hola' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'You said: hola' })]);
    const streamed = await anthropic.messages.stream({ model: 'kimi-k2', max_tokens: 64, messages: [{ role: 'user', content: 'hola again' }] }).finalMessage();
    expect(streamed.content).toEqual([expect.objectContaining({ type: 'text', text: 'You said: hola again' })]);
    expect(chats().at(-1)!.body.model).toBe('kimi-k2');
  });

  it('refreshes an expired login once and trades the new token for the API key it then uses', async () => {
    const seeded = await seedAccount(Date.now() - 60_000);
    const gw = await start();
    const refreshesBefore = iflow.calls('POST', '/oauth/token').length;
    const infoBefore = iflow.calls('GET', '/api/oauth/getUserInfo').length;
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => gw.openai.chat.completions.create({ model: 'glm-4.6', messages: [{ role: 'user', content: `n${i}` }] })),
    );
    expect(answers.map((a) => a.choices[0].message.content)).toEqual(['You said: n0', 'You said: n1', 'You said: n2', 'You said: n3']);
    const refreshes = iflow.calls('POST', '/oauth/token').slice(refreshesBefore);
    expect(refreshes.map((r) => r.body.grant_type)).toEqual(['refresh_token']);
    const infos = iflow.calls('GET', '/api/oauth/getUserInfo').slice(infoBefore);
    expect(infos).toHaveLength(1);
    const account = (await stored())!;
    expect(account.tokens.accessToken).toMatch(/^sk-/);
    expect(account.tokens.accessToken).not.toBe(seeded.tokens.accessToken);
    // The OAuth access token went to getUserInfo, never to the API.
    expect(infos[0].query.accessToken).toMatch(/^iflow-at-/);
    expect(chats().at(-1)!.headers.authorization).toBe(`Bearer ${account.tokens.accessToken}`);
  });

  it('with the default providers.yaml, an implicit iflow instance serves the login', async () => {
    await seedAccount(Date.now() + 3_600_000);
    const gw = await start(readFileSync(join(__dirname, '..', 'providers.yaml'), 'utf8'));
    const listed = (await gw.openai.models.list()).data;
    expect(listed.filter((m) => m.owned_by === 'iflow').map((m) => m.id)).toEqual(expect.arrayContaining(['glm-4.6', 'qwen3-coder-plus', 'kimi-k2']));
  });
});
