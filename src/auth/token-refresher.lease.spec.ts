// TokenRefresher and the refresh lease of other holders, on a fake clock: a holder on this host
// whose process is gone is taken over at once, one whose heartbeat stopped once its lease runs
// out, a live one is waited for (bounded) — unless the stored token still works, which is used
// at once. And our own refresh renews its lease while it runs. Real SQLite store, fake OAuth server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { FakeOAuthServer } from '../../test/fakes/oauth-server.fake';
import { qwenTestDefinition } from '../../test/fakes/oauth-definitions.fake';
import { FakeTime } from '../../test/fakes/fake-time';
import { GatewayError } from '../common/gateway-error';
import type { Account } from '../store/account';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { LEASE_HEARTBEAT_MS, LEASE_POLL_MS, LEASE_TTL_MS, MAX_LEASE_WAIT_MS, TokenRefresher, type TokenRefresherDeps } from './token-refresher';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const HOST = 'test-host';
/** The pid our refresher pretends to have. */
const OUR_PID = 1000;
const DEAD_PID = 4242;
const LIVE_PID = 4343;

describe('TokenRefresher and other holders of the refresh lease', () => {
  const oauth = new FakeOAuthServer();
  let home: string;
  let store: SqliteAccountStore;
  let clock: number;
  /** Pids asked about, in order. */
  let probed: number[];
  /** Poll waits the refresher made. */
  let polls: number[];
  /** Runs at each poll wait, after the clock moved: the other holder's doings. */
  let duringPoll: (() => Promise<void>) | undefined;

  beforeAll(() => oauth.start());
  afterAll(() => oauth.stop());
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-lease-'));
    clock = T0;
    probed = [];
    polls = [];
    duringPoll = undefined;
    store = SqliteAccountStore.open({ home, env: {}, now: () => clock });
  });
  afterEach(async () => {
    oauth.tokenLatencyMs = 0;
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  /**
   * Polls move the clock at once; heartbeat waits never end on their own (these tests are about
   * other holders), only when the refresh is over.
   */
  const sleep: NonNullable<TokenRefresherDeps['sleep']> = async (ms, signal) => {
    if (ms === LEASE_HEARTBEAT_MS) {
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    }
    polls.push(ms);
    clock += ms;
    await duringPoll?.();
  };

  function refresher(deps: Partial<TokenRefresherDeps> = {}): TokenRefresher {
    const definition = qwenTestDefinition(oauth);
    return new TokenRefresher(store, (provider) => (provider === 'qwen' ? definition : undefined), {
      now: () => clock,
      sleep,
      host: HOST,
      pid: OUR_PID,
      isProcessAlive: (pid) => {
        probed.push(pid);
        return pid !== DEAD_PID;
      },
      ...deps,
    });
  }

  async function seed(expiresInMs: number): Promise<Account> {
    return store.save({
      provider: 'qwen',
      accountId: 'default',
      tokens: { accessToken: 'old-access', refreshToken: oauth.seedRefreshToken('qwen') },
      expiresAt: clock + expiresInMs,
    });
  }

  /** Another holder takes the lease now, as its process would. */
  async function heldBy(holder: string): Promise<void> {
    expect(await store.acquireRefreshLease('qwen', 'default', holder, LEASE_TTL_MS)).toBe(true);
  }

  /** The other holder's heartbeat: renewed at every poll, as a live process renews it every few seconds. */
  function keepsBeating(holder: string): void {
    duringPoll = async () => {
      await store.renewRefreshLease('qwen', 'default', holder, LEASE_TTL_MS);
    };
  }

  const refreshes = () => oauth.tokenCallCount('refresh_token', 'qwen');

  it('takes over at once the lease of a holder on this host whose process is gone', async () => {
    const stale = await seed(-1000);
    await heldBy(`${HOST}:${DEAD_PID}:crashed-mid-refresh`);
    const before = refreshes();

    const renewed = await refresher().ensureFresh(stale);

    expect(renewed.tokens.accessToken).not.toBe('old-access');
    expect(refreshes()).toBe(before + 1);
    expect(probed).toEqual([DEAD_PID]);
    expect(polls).toEqual([]);
    expect(clock).toBe(T0);
    expect(await store.getRefreshLease('qwen', 'default')).toBeUndefined();
  });

  it('takes over at once a holder claiming our pid that this process never made (a restarted container)', async () => {
    const stale = await seed(-1000);
    await heldBy(`${HOST}:${OUR_PID}:the-previous-pid-1`);
    const renewed = await refresher().ensureFresh(stale);
    expect(renewed.tokens.accessToken).not.toBe('old-access');
    expect(polls).toEqual([]);
    // Our own pid needs no process table: it is running, the question is only which instance.
    expect(probed).toEqual([]);
  });

  it.each([
    ['on another host (whose processes we cannot see)', `other-host:${DEAD_PID}:stopped`, []],
    ['on this host, alive but hung', `${HOST}:${LIVE_PID}:hung`, [LIVE_PID]],
  ])('takes over a holder %s as soon as its heartbeat has stopped for a lease', async (_, holder, probedPid) => {
    const stale = await seed(-1000);
    await heldBy(holder);
    const before = refreshes();

    const renewed = await refresher().ensureFresh(stale);

    expect(renewed.tokens.accessToken).not.toBe('old-access');
    expect(refreshes()).toBe(before + 1);
    // Right when the lease ran out: not earlier, and within a poll after.
    expect(clock - T0).toBeGreaterThanOrEqual(LEASE_TTL_MS);
    expect(clock - T0).toBeLessThan(LEASE_TTL_MS + 2 * LEASE_POLL_MS);
    expect(new Set(probed)).toEqual(new Set(probedPid));
  });

  it('does not take over a live holder whose heartbeat continues, and uses the tokens it writes', async () => {
    const stale = await seed(-1000);
    const holder = `other-host:${LIVE_PID}:busy`;
    await heldBy(holder);
    keepsBeating(holder);
    const before = refreshes();
    // The holder's refresh finishes after 20 s — longer than one lease, so only its heartbeat kept it.
    const beat = duringPoll!;
    duringPoll = async () => {
      await beat();
      if (clock - T0 < 20_000) return;
      await store.updateTokens('qwen', 'default', { accessToken: 'holder-access', expiresAt: clock + 3_600_000 }, stale.version);
      await store.releaseRefreshLease('qwen', 'default', holder);
    };

    const result = await refresher().ensureFresh(stale);

    expect(result.tokens.accessToken).toBe('holder-access');
    expect(refreshes()).toBe(before);
    expect(clock - T0).toBe(20_000);
  });

  it('waits for a live holder only so long, then answers 503 without refreshing', async () => {
    const stale = await seed(-1000);
    const holder = `${HOST}:${LIVE_PID}:slow`;
    await heldBy(holder);
    keepsBeating(holder);
    const before = refreshes();

    const error = (await refresher().ensureFresh(stale).catch((e: unknown) => e)) as GatewayError;

    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/another byokey process is still refreshing it/);
    expect(clock - T0).toBeGreaterThanOrEqual(MAX_LEASE_WAIT_MS);
    expect(clock - T0).toBeLessThan(MAX_LEASE_WAIT_MS + 2 * LEASE_POLL_MS);
    expect(refreshes()).toBe(before);
    expect((await store.getRefreshLease('qwen', 'default'))?.holder).toBe(holder);
  });

  it('returns a stored token that still works at once instead of waiting for a live holder', async () => {
    // Inside the refresh margin, so due, but not expired.
    const due = await seed(2 * 60_000);
    await heldBy(`other-host:${LIVE_PID}:busy`);
    const before = refreshes();

    const result = await refresher().ensureFresh(due);

    expect(result.tokens.accessToken).toBe('old-access');
    expect(polls).toEqual([]);
    expect(clock).toBe(T0);
    expect(refreshes()).toBe(before);
  });

  it('looks again while waiting: a token that still works, written meanwhile, ends the wait', async () => {
    const stale = await seed(-1000);
    const holder = `other-host:${LIVE_PID}:busy`;
    await heldBy(holder);
    keepsBeating(holder);
    const beat = duringPoll!;
    duringPoll = async () => {
      await beat();
      // A login writes a token that is good for 3 minutes: due, but usable.
      if (clock - T0 === 1_000) {
        await store.save({ provider: 'qwen', accountId: 'default', tokens: { accessToken: 'login-access' }, expiresAt: clock + 180_000 });
      }
    };

    const result = await refresher().ensureFresh(stale);

    expect(result.tokens.accessToken).toBe('login-access');
    expect(clock - T0).toBe(1_000);
  });

  it('waits for the holder when the still-valid token is the one the upstream just refused (force)', async () => {
    const refused = await seed(60 * 60_000);
    const holder = `other-host:${LIVE_PID}:busy`;
    await heldBy(holder);
    keepsBeating(holder);
    const beat = duringPoll!;
    duringPoll = async () => {
      await beat();
      if (clock - T0 < 1_000) return;
      await store.updateTokens('qwen', 'default', { accessToken: 'holder-access', expiresAt: clock + 3_600_000 }, refused.version);
      await store.releaseRefreshLease('qwen', 'default', holder);
    };

    const result = await refresher().ensureFresh(refused, { force: true });

    expect(result.tokens.accessToken).toBe('holder-access');
    expect(clock - T0).toBe(1_000);
  });

  it('renews its own lease every few seconds while its refresh runs, and stops when it ends', async () => {
    const time = new FakeTime('manual', T0);
    await store.close();
    store = SqliteAccountStore.open({ home, env: {}, now: time.now });
    clock = time.now();
    const stale = await seed(-1000);
    // The token call is held until released: the refresh is in flight while the fake clock moves, however slow the machine.
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const agent = new Agent();
    const dispatcher = agent.compose((dispatch) => (options, handler) => {
      void answered.then(() => dispatch(options, handler));
      return true;
    });
    const r = refresher({ now: time.now, sleep: time.sleep, dispatcher });

    const pending = r.ensureFresh(stale);
    const ours = await waitFor(async () => (await store.getRefreshLease('qwen', 'default'))?.holder);
    expect(ours).toMatch(new RegExp(`^${HOST}:${OUR_PID}:[0-9a-f-]{36}$`));

    for (let beat = 1; beat <= 4; beat++) {
      time.advance(LEASE_HEARTBEAT_MS);
      const lease = await waitFor(async () => {
        const current = await store.getRefreshLease('qwen', 'default');
        return current?.heartbeatAt === time.now() ? current : undefined;
      });
      expect(lease).toEqual({ holder: ours, until: time.now() + LEASE_TTL_MS, heartbeatAt: time.now() });
    }
    // 20 s after it was taken, past its first expiry: still held, because it beats.
    expect(await store.acquireRefreshLease('qwen', 'default', 'other-host:1:eager', LEASE_TTL_MS)).toBe(false);

    answer();
    const renewed = await pending;
    expect(renewed.tokens.accessToken).not.toBe('old-access');
    expect(await store.getRefreshLease('qwen', 'default')).toBeUndefined();
    expect(time.pendingSleeps).toBe(0);
    await agent.close();
  });
});

/** Polls (real time) until `probe` gives a value; fails after 10 s. */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
