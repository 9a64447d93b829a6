// CopilotTokens over an undici MockAgent and a fake clock: the exchange's request, the token kept
// until `refresh_in` (or 5 minutes before `expires_at`), one exchange for concurrent callers, the
// current token used while GitHub is down, and a refused login marked as needing a new one.
import { Logger } from '@nestjs/common';
import { MockAgent } from 'undici';
import type { OAuthCredential } from '../../contract/provider-executor';
import { GatewayError } from '../../common/gateway-error';
import type { Account, AccountStatus } from '../../store/account';
import type { AccountStore } from '../../store/account-store';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { CopilotClock } from './copilot-clock';
import { CopilotTokens, readToken } from './copilot-token';

const GITHUB = 'http://github.test';
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const TIMEOUTS = { firstByteMs: 5000, idleMs: 5000 };

class FakeClock extends CopilotClock {
  current = T0;
  override now(): number {
    return this.current;
  }
}

/** The two store calls the exchange makes, over one account. */
function storeWith(account: Partial<Account>): AccountStore & { statuses: Array<{ status: AccountStatus; reason?: string }> } {
  const statuses: Array<{ status: AccountStatus; reason?: string }> = [];
  return {
    statuses,
    get: async () => ({ provider: 'copilot', accountId: 'work', version: 3, status: 'active', tokens: { accessToken: 'ghu_live' }, ...account }) as Account,
    setStatus: async (_p: string, _a: string, status: AccountStatus, reason?: string) => {
      statuses.push({ status, reason });
      return true;
    },
  } as unknown as AccountStore & { statuses: typeof statuses };
}

const account = (accessToken = 'ghu_live'): OAuthCredential => ({ kind: 'oauth', provider: 'copilot', accountId: 'work', accessToken, claims: {} });

describe('CopilotTokens', () => {
  let agent: MockAgent;
  let clock: FakeClock;
  let exchanges: Array<Record<string, string>>;

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    clock = new FakeClock();
    exchanges = [];
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await agent.close();
  });

  /** The next exchanges answer `status` with `body` (a function of the exchange's number). */
  function github(status: number, body: (n: number) => object, times = 1, delayMs = 0): void {
    const scope = agent
      .get(GITHUB)
      .intercept({ path: '/copilot_internal/v2/token', method: 'GET' })
      .reply((opts) => {
        exchanges.push(opts.headers as Record<string, string>);
        return { statusCode: status, data: JSON.stringify(body(exchanges.length)), responseOptions: { headers: { 'content-type': 'application/json' } } };
      });
    if (delayMs > 0) scope.delay(delayMs);
    scope.times(times);
  }

  const token = (n: number, ttl = 1800, refreshIn = 1500) => ({
    token: `tid=${n};exp=${Math.floor(clock.current / 1000) + ttl}`,
    expires_at: Math.floor(clock.current / 1000) + ttl,
    refresh_in: refreshIn,
    endpoints: { api: 'https://api.individual.githubcopilot.com/' },
    sku: 'copilot_individual',
  });

  function tokens(store = storeWith({})): CopilotTokens {
    return new CopilotTokens(new UpstreamHttp(agent), clock, store);
  }
  const get = (t: CopilotTokens, credential = account()) => t.get({ instance: 'copilot', githubApiUrl: GITHUB, account: credential, timeouts: TIMEOUTS });

  it('exchanges the GitHub login with `Authorization: token` and the editor headers, and reads the API root', async () => {
    github(200, token);
    const got = await get(tokens());
    expect(got).toMatchObject({ token: expect.stringMatching(/^tid=1;/), apiUrl: 'https://api.individual.githubcopilot.com', plan: 'copilot_individual' });
    expect(exchanges[0]).toMatchObject({
      authorization: 'token ghu_live',
      accept: 'application/json',
      'editor-version': 'vscode/1.107.0',
      'editor-plugin-version': 'copilot-chat/0.35.0',
      'user-agent': 'GitHubCopilotChat/0.35.0',
    });
  });

  it('keeps the token until refresh_in, then renews it in the background while the old one is used', async () => {
    github(200, (n) => token(n, 1800, 600), 1);
    const t = tokens();
    expect((await get(t)).token).toMatch(/^tid=1;/);
    clock.current += 599_000;
    expect((await get(t)).token).toMatch(/^tid=1;/);
    expect(exchanges).toHaveLength(1);
    clock.current += 2_000;
    // GitHub is slow: the caller does not wait for the renewal, it gets the token that still lives.
    // (GitHub answers after 1.5 s; the caller must have its token far sooner, even on a loaded machine.)
    github(200, (n) => token(n, 1800, 600), 1, 1500);
    const started = Date.now();
    expect((await get(t)).token).toMatch(/^tid=1;/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await get(t)).token).toMatch(/^tid=1;/);
    // Once GitHub has answered, the renewed token is the one handed out.
    const deadline = Date.now() + 10_000;
    while ((await get(t)).token.startsWith('tid=1;') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exchanges).toHaveLength(2);
    expect((await get(t)).token).toMatch(/^tid=2;/);
  });

  it('waits for the renewal when the current token is about to expire', async () => {
    github(200, (n) => token(n, 1800, 600), 1);
    const t = tokens();
    await get(t);
    clock.current += 1800_000 - 30_000;
    github(200, (n) => token(n), 1, 100);
    expect((await get(t)).token).toMatch(/^tid=2;/);
  });

  it('renews 5 minutes before expires_at when refresh_in says later, and half-way for a token shorter than that', async () => {
    const now = clock.current;
    expect(readToken({ token: 'a', expires_at: now / 1000 + 1800, refresh_in: 3000 }, 'copilot', now).renewAt).toBe(now + 1500_000);
    expect(readToken({ token: 'a', expires_at: now / 1000 + 60 }, 'copilot', now).renewAt).toBe(now + 30_000);
    // No expiry given: 25 minutes, renewed 5 before.
    expect(readToken({ token: 'a' }, 'copilot', now)).toMatchObject({ expiresAt: now + 25 * 60_000, renewAt: now + 20 * 60_000, apiUrl: 'https://api.githubcopilot.com' });
    expect(() => readToken({ expires_at: 1 }, 'copilot', now)).toThrow('without a token');
  });

  it('makes one exchange for concurrent callers', async () => {
    github(200, token, 1, 50);
    const t = tokens();
    const got = await Promise.all(Array.from({ length: 8 }, () => get(t)));
    expect(new Set(got.map((g) => g.token)).size).toBe(1);
    expect(exchanges).toHaveLength(1);
  });

  it('starts over for a new login of the same account', async () => {
    github(200, token, 2);
    const t = tokens();
    await get(t, account('ghu_old'));
    await get(t, account('ghu_new'));
    expect(exchanges.map((h) => h.authorization)).toEqual(['token ghu_old', 'token ghu_new']);
  });

  it('uses the current token while GitHub fails to renew it, and exchanges again after forget()', async () => {
    github(200, (n) => token(n, 1800, 60));
    const t = tokens();
    const first = await get(t);
    clock.current += 61_000;
    github(502, () => ({ message: 'Server Error' }));
    // The failed renewal's warning comes once it has settled (its exchange no longer in flight).
    const warned = new Promise<string>((resolve) => jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => resolve(String(message))));
    expect((await get(t)).token).toBe(first.token);
    expect(await warned).toContain('could not renew the Copilot token of account "work"');
    expect(exchanges).toHaveLength(2);
    github(200, (n) => token(n));
    t.forget(GITHUB, 'work', first.token);
    expect((await get(t)).token).toMatch(/^tid=3;/);
  });

  it('marks the account as needing a new login when GitHub refuses the login (401), and says how to fix it', async () => {
    github(401, () => ({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }));
    const store = storeWith({});
    const error = await get(tokens(store)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(503);
    expect((error as GatewayError).message).toContain('run `byokey login copilot --account work`');
    expect(store.statuses).toEqual([{ status: 'needs_relogin', reason: 'GitHub refused the login token (401: Bad credentials)' }]);
  });

  it('leaves a login that replaced the refused token alone', async () => {
    github(401, () => ({ message: 'Bad credentials' }));
    const store = storeWith({ tokens: { accessToken: 'ghu_newer' } });
    await expect(get(tokens(store))).rejects.toBeInstanceOf(GatewayError);
    expect(store.statuses).toEqual([]);
  });

  it('says a 403 means no Copilot seat, without touching the account', async () => {
    github(403, () => ({ message: 'Resource not accessible by integration' }));
    const store = storeWith({});
    const error = await get(tokens(store)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toContain('does this GitHub account have a Copilot seat?');
    expect(store.statuses).toEqual([]);
  });
});
