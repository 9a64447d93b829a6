// The behaviour every RefreshLeases must have, written against the abstract class so each backend
// (the store's lease, Redis') runs the same suite from its spec:
//   describeRefreshLeasesContract('StoreRefreshLeases on SQLite', async () => ({ instances, close }));
// `instances` are three views of one lease, as three gateway instances would have. Real time: the
// expiry case waits a fraction of a second. Jest globals only: imported by specs, never by the app.
import type { RefreshLeases } from './refresh-leases';

export interface RefreshLeasesFixture {
  /** Three instances sharing the leases. The account qwen/work exists (the store's lease needs it). */
  instances: [RefreshLeases, RefreshLeases, RefreshLeases];
  close(): Promise<void>;
}

const TTL = 15_000;

export function describeRefreshLeasesContract(backend: string, open: () => Promise<RefreshLeasesFixture>): void {
  describe(`${backend} (RefreshLeases contract)`, () => {
    let fixture: RefreshLeasesFixture;
    let a: RefreshLeases;
    let b: RefreshLeases;
    let c: RefreshLeases;

    beforeEach(async () => {
      fixture = await open();
      [a, b, c] = fixture.instances;
    });
    afterEach(() => fixture.close());

    it('of 20 acquirers at once across three instances, exactly one holds it', async () => {
      const holders = Array.from({ length: 20 }, (_, i) => `host-${i % 3}:${100 + i}:acquirer-${i}`);
      const taken = await Promise.all(holders.map((holder, i) => fixture.instances[i % 3].acquire('qwen', 'work', holder, TTL)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      const winner = holders[taken.indexOf(true)];
      for (const each of fixture.instances) expect((await each.get('qwen', 'work'))?.holder).toBe(winner);
    });

    it('says who holds it and until when; only the holder renews or releases it', async () => {
      const before = Date.now();
      expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
      const lease = await b.get('qwen', 'work');
      expect(lease?.holder).toBe('host-a:1:x');
      expect(lease!.until).toBeGreaterThanOrEqual(before + TTL - 1000);
      expect(lease!.until).toBeLessThanOrEqual(Date.now() + TTL + 50);
      expect(lease!.heartbeatAt).toBeGreaterThanOrEqual(before);

      expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(false);
      expect(await b.renew('qwen', 'work', 'host-b:2:y', TTL)).toBe(false);
      await b.release('qwen', 'work', 'host-b:2:y');
      expect((await c.get('qwen', 'work'))?.holder).toBe('host-a:1:x');

      expect(await a.renew('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
      expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true); // ours already
      await a.release('qwen', 'work', 'host-a:1:x');
      expect(await c.get('qwen', 'work')).toBeUndefined();
      expect(await a.renew('qwen', 'work', 'host-a:1:x', TTL)).toBe(false);
      expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(true);
    });

    it('a lease its holder stopped renewing is taken once it runs out, and the old holder cannot renew it', async () => {
      // A lease long enough to be seen held before it runs out, however slow the machine.
      expect(await a.acquire('qwen', 'work', 'host-a:1:x', 1000)).toBe(true);
      expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL)).toBe(true);
      expect(await a.renew('qwen', 'work', 'host-a:1:x', TTL)).toBe(false);
      expect((await c.get('qwen', 'work'))?.holder).toBe('host-b:2:y');
    });

    it('a holder found gone is taken over by naming it, by one taker only', async () => {
      expect(await a.acquire('qwen', 'work', 'host-a:1:dead', TTL)).toBe(true);
      expect(await b.acquire('qwen', 'work', 'host-b:2:y', TTL, 'host-a:1:someone-else')).toBe(false);
      const takers = await Promise.all([
        b.acquire('qwen', 'work', 'host-b:2:y', TTL, 'host-a:1:dead'),
        c.acquire('qwen', 'work', 'host-c:3:z', TTL, 'host-a:1:dead'),
      ]);
      expect(takers.filter(Boolean)).toHaveLength(1);
      expect((await a.get('qwen', 'work'))?.holder).toBe(takers[0] ? 'host-b:2:y' : 'host-c:3:z');
    });

    it('leases of different accounts are independent', async () => {
      expect(await a.acquire('qwen', 'work', 'host-a:1:x', TTL)).toBe(true);
      expect(await b.acquire('qwen', 'home', 'host-b:2:y', TTL)).toBe(true);
      expect((await c.get('qwen', 'home'))?.holder).toBe('host-b:2:y');
    });

    it('a wait for a release ends when its signal aborts', async () => {
      const stop = new AbortController();
      const wait = a.released('qwen', 'work', stop.signal);
      setTimeout(() => stop.abort(), 20);
      await expect(wait).resolves.toBeUndefined();
    });
  });
}
