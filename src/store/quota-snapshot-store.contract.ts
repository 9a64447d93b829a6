// The behaviour every QuotaSnapshotStore backend must have, and the StoredQuotaSnapshotChannel
// on it, as one suite: the SQLite spec runs it on a database file, the PostgreSQL spec on a
// schema of its own. The channel's flush timer is a scheduler the test runs itself: no waiting.
import type { AccountStore } from './account-store';
import type { QuotaSnapshotStore } from './quota-snapshot-store';
import { RateLimitSnapshots } from './rate-limit-snapshots';
import { snapshotKey, type RateLimitSnapshot } from './rate-limit-snapshot';
import { StoredQuotaSnapshotChannel, type FlushScheduler } from './shared/stored-quota-snapshot-channel';

export interface QuotaSnapshotStoreHarness {
  store: QuotaSnapshotStore;
  accounts: AccountStore;
  /** Closes and opens the same storage again (what a restart does); the old stores are not used after. */
  reopen(): Promise<{ store: QuotaSnapshotStore; accounts: AccountStore }>;
  close(): Promise<void>;
}

const CODEX_HEADERS = {
  'x-codex-primary-used-percent': '42',
  'x-codex-primary-window-minutes': '300',
  'x-codex-secondary-used-percent': '10',
};

/** A scheduler that only remembers what it was asked to run; `tick()` runs it, as the timer would. */
function manualScheduler() {
  const pending: Array<{ run: () => Promise<void>; ms: number; cancelled: boolean }> = [];
  const schedule: FlushScheduler = (run, ms) => {
    const entry = { run, ms, cancelled: false };
    pending.push(entry);
    return () => (entry.cancelled = true);
  };
  return {
    schedule,
    /** Timers asked for so far, cancelled or not. */
    get scheduled() {
      return pending.length;
    },
    get waiting() {
      return pending.filter((p) => !p.cancelled).length;
    },
    /** Runs what is due, as the timer would, and waits for the writes. */
    async tick(): Promise<void> {
      const due = pending.splice(0).filter((p) => !p.cancelled);
      await Promise.all(due.map((entry) => entry.run()));
    },
  };
}

/** The store, counting its writes. */
function counting(store: QuotaSnapshotStore): QuotaSnapshotStore & { saves: RateLimitSnapshot[][]; failNext: number } {
  const wrapper = {
    saves: [] as RateLimitSnapshot[][],
    failNext: 0,
    list: () => store.list(),
    async save(snapshots: readonly RateLimitSnapshot[]): Promise<void> {
      if (wrapper.failNext > 0) {
        wrapper.failNext--;
        throw new Error('database is locked');
      }
      wrapper.saves.push([...snapshots]);
      await store.save(snapshots);
    },
  };
  return wrapper as QuotaSnapshotStore & typeof wrapper;
}

export function describeQuotaSnapshotStoreContract(name: string, open: () => Promise<QuotaSnapshotStoreHarness>): void {
  describe(`${name} (QuotaSnapshotStore contract)`, () => {
    let harness: QuotaSnapshotStoreHarness;
    let store: QuotaSnapshotStore;
    let accounts: AccountStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
      accounts = harness.accounts;
      await accounts.save({ provider: 'codex', accountId: 'work', tokens: { accessToken: 'at-1' } });
      await accounts.save({ provider: 'copilot', accountId: 'default', tokens: { accessToken: 'at-2' } });
    });
    afterEach(async () => {
      await harness.close();
    });

    const snapshot = (over: Partial<RateLimitSnapshot> = {}): RateLimitSnapshot => ({
      provider: 'codex',
      accountId: 'work',
      headers: CODEX_HEADERS,
      capturedAt: Date.now(),
      ...over,
    });

    it('starts with no snapshots', async () => {
      expect(await store.list()).toEqual([]);
    });

    it('keeps headers and the frame as they were, one row per account, the newest capture winning', async () => {
      const now = Date.now();
      const frame = { type: 'copilot.premium', entitlement: 300, remaining: 120, unlimited: false };
      await store.save([snapshot({ capturedAt: now }), snapshot({ provider: 'copilot', accountId: 'default', headers: {}, frame, capturedAt: now })]);
      // Older than the stored one: another gateway's late write does not undo a newer capture.
      await store.save([snapshot({ headers: { 'x-codex-primary-used-percent': '7' }, capturedAt: now - 1000 })]);
      expect(await store.list()).toEqual([
        { provider: 'codex', accountId: 'work', headers: CODEX_HEADERS, capturedAt: now },
        { provider: 'copilot', accountId: 'default', headers: {}, frame, capturedAt: now },
      ]);
      // Newer: replaces it, the frame it lacks included.
      await store.save([snapshot({ headers: { 'x-codex-primary-used-percent': '50' }, capturedAt: now + 1000 })]);
      expect((await store.list())[0]).toEqual({ provider: 'codex', accountId: 'work', headers: { 'x-codex-primary-used-percent': '50' }, capturedAt: now + 1000 });
    });

    it('takes the newest of several for one account in one save', async () => {
      const now = Date.now();
      await store.save([
        snapshot({ headers: { 'x-codex-primary-used-percent': '60' }, capturedAt: now + 2 }),
        snapshot({ headers: { 'x-codex-primary-used-percent': '55' }, capturedAt: now + 1 }),
      ]);
      expect(await store.list()).toEqual([snapshot({ headers: { 'x-codex-primary-used-percent': '60' }, capturedAt: now + 2 })]);
    });

    it('leaves out the snapshot of an account removed, and of one stored again under its name since', async () => {
      await store.save([snapshot(), snapshot({ provider: 'claude', accountId: 'never-stored' })]);
      expect((await store.list()).map((s) => s.accountId)).toEqual(['work']);
      await accounts.remove('codex', 'work');
      expect(await store.list()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 5)); // the new login comes later than the capture
      // A new login under the same name: the old account's windows are not its own.
      await accounts.save({ provider: 'codex', accountId: 'work', tokens: { accessToken: 'at-3' } });
      expect(await store.list()).toEqual([]);
    });

    describe('through StoredQuotaSnapshotChannel', () => {
      it('writes many records as one save per flush, the latest of each account, and nothing before the timer', async () => {
        const timer = manualScheduler();
        const saving = counting(store);
        const channel = new StoredQuotaSnapshotChannel(saving, { schedule: timer.schedule, warn: () => undefined });
        const snapshots = new RateLimitSnapshots(channel);
        await snapshots.onModuleInit();
        for (let i = 1; i <= 100; i++) {
          snapshots.record('codex', 'work', { headers: { 'x-codex-primary-used-percent': String(i) } });
          snapshots.record('copilot', 'default', { frame: { remaining: 300 - i } });
        }
        expect(saving.saves).toEqual([]);
        expect(timer.scheduled).toBe(1);
        await timer.tick();
        expect(saving.saves).toHaveLength(1);
        expect(saving.saves[0]).toHaveLength(2);
        const stored = await store.list();
        expect(stored.map((s) => [s.accountId, s.headers, s.frame])).toEqual([
          ['work', { 'x-codex-primary-used-percent': '100' }, undefined],
          ['default', {}, { remaining: 200 }],
        ]);
        // Nothing new: no timer, no write.
        await channel.flush();
        expect(saving.saves).toHaveLength(1);
        expect(timer.waiting).toBe(0);
        await channel.onApplicationShutdown();
        expect(saving.saves).toHaveLength(1);
      });

      it('loads the stored snapshots on connect, so a restarted gateway knows the last windows', async () => {
        const first = new StoredQuotaSnapshotChannel(store, { schedule: manualScheduler().schedule });
        const before = new RateLimitSnapshots(first);
        await before.onModuleInit();
        before.record('codex', 'work', { headers: CODEX_HEADERS });
        const recorded = before.get('codex', 'work')!;
        // Stopping writes what the timer had not yet.
        await first.onApplicationShutdown();

        const reopened = await harness.reopen();
        const after = new RateLimitSnapshots(new StoredQuotaSnapshotChannel(reopened.store, { schedule: manualScheduler().schedule }));
        await after.onModuleInit();
        expect(after.get('codex', 'work')).toEqual(recorded);
        expect(after.all()).toHaveLength(1);
      });

      it('keeps the newest capture whichever gateway writes last', async () => {
        const now = Date.now();
        const timer = manualScheduler();
        const a = new StoredQuotaSnapshotChannel(store, { schedule: timer.schedule });
        const b = new StoredQuotaSnapshotChannel(store, { schedule: timer.schedule });
        const key = snapshotKey('codex', 'work');
        a.recorded(key, snapshot({ headers: { 'x-codex-primary-used-percent': '80' }, capturedAt: now + 2000 }));
        await a.flush();
        b.recorded(key, snapshot({ headers: { 'x-codex-primary-used-percent': '20' }, capturedAt: now + 1000 }));
        await b.flush();
        expect((await store.list())[0].headers).toEqual({ 'x-codex-primary-used-percent': '80' });
      });

      it('keeps a snapshot whose write failed for the next one, warning once, and ignores records after shutdown', async () => {
        const timer = manualScheduler();
        const saving = counting(store);
        const warnings: string[] = [];
        const channel = new StoredQuotaSnapshotChannel(saving, { schedule: timer.schedule, warn: (m) => warnings.push(m) });
        saving.failNext = 2;
        const recorded = snapshot();
        channel.recorded(snapshotKey('codex', 'work'), recorded);
        await timer.tick();
        expect(timer.waiting).toBe(1);
        await timer.tick();
        expect(warnings).toEqual(['the quota snapshots could not be stored (database is locked); trying again in 5 s']);
        expect(await store.list()).toEqual([]);
        expect(timer.waiting).toBe(1);
        await timer.tick();
        expect(await store.list()).toEqual([recorded]);
        expect(warnings[1]).toBe('the quota snapshots are stored again');

        await channel.onApplicationShutdown();
        channel.recorded(snapshotKey('copilot', 'default'), snapshot({ provider: 'copilot', accountId: 'default' }));
        expect(timer.waiting).toBe(0);
        await channel.flush();
        expect((await store.list()).map((s) => s.provider)).toEqual(['codex']);
      });
    });
  });
}
