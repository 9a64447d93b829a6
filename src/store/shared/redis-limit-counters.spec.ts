// RedisLimitCounters against the real Redis at 127.0.0.1:6379, each test under its own key
// prefix (deleted after): the LimitCounters contract; exactly N admitted across several instances
// admitting at once; concurrency slots released, renewed, and lapsing when their instance dies;
// KeyLimits on Redis with a moved clock (windows rolling over, tokens charged on one instance
// refusing on another); and outages — Redis unreachable, a command failing, Redis going away and
// coming back — with limits_on_outage open and closed.
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { AccessClock } from '../../access/access-clock';
import { KeyLimits } from '../../access/key-limits';
import type { AccessKey } from '../../access/access-key';
import { GatewayError } from '../../common/gateway-error';
import type { RedisSettings } from '../../config/gateway-config';
import type { Admission, PlannedLimit } from '../limit-counters';
import { describeLimitCountersContract } from '../limit-counters.contract';
import { RedisLimitCounters } from './redis-limit-counters';
import { SharedRedis } from './shared-redis';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** Nothing listens there: Redis unreachable. */
const NOWHERE_URL = 'redis://127.0.0.1:1';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function newPrefix(): string {
  return `test:limits:${randomBytes(6).toString('hex')}:`;
}

async function openRedis(prefix: string, limitsOnOutage: RedisSettings['limitsOnOutage'] = 'open', url = REDIS_URL): Promise<SharedRedis> {
  const redis = new SharedRedis({ url, keyPrefix: prefix, limitsOnOutage });
  if (url !== NOWHERE_URL && !(await redis.ready(5000))) throw new Error(`Redis at ${url} is not reachable`);
  return redis;
}

/** Every key under the prefix (SCAN, not KEYS: other tests share this Redis). */
async function keysUnder(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

async function deleteUnder(admin: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(admin, prefix);
  if (keys.length > 0) await admin.del(...keys);
}

const count = (counter: string, limit: number, ttlMs = 3_600_000): PlannedLimit => ({ kind: 'count', about: 'rpm', counter, limit, ttlMs });
const slot = (counter: string, limit: number, leaseMs = 3_600_000): PlannedLimit => ({ kind: 'slot', about: 'concurrency', counter, limit, leaseMs });

function outcomes(admissions: Admission[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const a of admissions) tally[a.outcome] = (tally[a.outcome] ?? 0) + 1;
  return tally;
}

function releaseOf(admission: Admission): () => void {
  if (admission.outcome !== 'admitted') throw new Error(`expected admitted, got ${JSON.stringify(admission)}`);
  return admission.release;
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

function key(limits: Partial<AccessKey>): AccessKey {
  return { id: 'key_1', name: 'team-a', models: [], ...limits };
}

describeLimitCountersContract('RedisLimitCounters', async () => {
  const prefix = newPrefix();
  const redis = await openRedis(prefix);
  const counters = new RedisLimitCounters(redis);
  return {
    counters,
    elapse: sleep,
    close: async () => {
      counters.stopRenewing();
      await deleteUnder(redis.client, prefix);
      await redis.close();
    },
  };
});

describe('RedisLimitCounters', () => {
  let prefix: string;
  let admin: Redis;
  /** Every SharedRedis and counters a test opened, closed after it. */
  let opened: { redis: SharedRedis; counters: RedisLimitCounters[] }[];

  async function instance(options: { outage?: RedisSettings['limitsOnOutage']; url?: string; renewEveryMs?: number } = {}) {
    const redis = await openRedis(prefix, options.outage, options.url);
    const counters = new RedisLimitCounters(redis, { renewEveryMs: options.renewEveryMs });
    opened.push({ redis, counters: [counters] });
    return { redis, counters };
  }

  beforeEach(() => {
    prefix = newPrefix();
    admin = new Redis(REDIS_URL);
    opened = [];
  });

  afterEach(async () => {
    for (const { redis, counters } of opened) {
      for (const c of counters) c.stopRenewing();
      await redis.close();
    }
    await deleteUnder(admin, prefix);
    await admin.quit();
  });

  describe('several instances sharing the counters', () => {
    it('admits exactly the limit out of many requests made at once on three instances', async () => {
      const instances = await Promise.all([instance(), instance(), instance()]);
      const plan = [count('rpm:key_1:0', 10)];
      const admissions = await Promise.all(instances.flatMap(({ counters }) => Array.from({ length: 20 }, () => counters.admit(plan))));
      expect(outcomes(admissions)).toEqual({ admitted: 10, refused: 50 });
      expect(await admin.get(`${prefix}limits:rpm:key_1:0`)).toBe('10');
    });

    it('holds exactly the concurrency limit across instances, and frees slots on release', async () => {
      const instances = await Promise.all([instance(), instance(), instance()]);
      const plan = [slot('concurrent:key_1', 3)];
      const first = await Promise.all(instances.flatMap(({ counters }) => Array.from({ length: 10 }, () => counters.admit(plan))));
      expect(outcomes(first)).toEqual({ admitted: 3, refused: 27 });
      expect(await admin.zcard(`${prefix}limits:concurrent:key_1`)).toBe(3);
      for (const a of first) if (a.outcome === 'admitted') a.release();
      // Releases are sent without waiting for the answer; the slots lease for an hour, so only they can empty the set.
      await waitFor(async () => (await admin.zcard(`${prefix}limits:concurrent:key_1`)) === 0);
      const second = await Promise.all(instances.flatMap(({ counters }) => Array.from({ length: 10 }, () => counters.admit(plan))));
      expect(outcomes(second)).toEqual({ admitted: 3, refused: 27 });
    });

    it('frees the slots of an instance killed mid-request once their lease lapses, while a live one’s stay renewed', async () => {
      // A lease long against the renewals, so a busy event loop delaying a few of them does not let the live slot lapse.
      const live = await instance({ renewEveryMs: 100 });
      const doomed = await instance({ renewEveryMs: 100 });
      const other = await instance({ renewEveryMs: 100 });
      const key = `${prefix}limits:concurrent:key_1`;
      const plan = [slot('concurrent:key_1', 2, 1500)];
      const held = releaseOf(await live.counters.admit(plan));
      releaseOf(await doomed.counters.admit(plan));
      expect((await other.counters.admit(plan)).outcome).toBe('refused');
      // kill -9: no release, no more renewals, the connection gone.
      doomed.counters.stopRenewing();
      doomed.redis.client.disconnect();
      // The dead instance's slot lapses (in Redis's time, a lease after it was taken).
      const deadline = Date.now() + 10_000;
      let taken = await other.counters.admit(plan);
      while (taken.outcome !== 'admitted' && Date.now() < deadline) {
        await sleep(20);
        taken = await other.counters.admit(plan);
      }
      releaseOf(taken);
      // The live one's, taken earlier, would have lapsed by now too; renewed every 100 ms, it did not.
      expect((await other.counters.admit(plan)).outcome).toBe('refused');
      expect(await admin.zcard(key)).toBe(2);
      held();
      // Given back, not lapsed: lapsed slots leave the set only when an admission runs, and none does here.
      await waitFor(async () => (await admin.zcard(key)) === 1);
      releaseOf(await other.counters.admit(plan));
    });

    it('keeps every counter under the configured prefix, each expiring', async () => {
      const { counters } = await instance();
      const limits = new KeyLimits(counters, new AccessClock());
      await limits.admit(key({ rpm: 5, concurrency: 2, tpm: 100, budget: { tokens: 10, per: 'month' } }));
      await limits.charge('key_1', 3);
      const keys = await keysUnder(admin, prefix);
      expect(keys.map((k) => k.slice(prefix.length).split(':').slice(0, 2).join(':'))).toEqual([
        'limits:budget',
        'limits:budget',
        'limits:concurrent',
        'limits:rpm',
        'limits:tpm',
      ]);
      for (const k of keys) expect(await admin.pttl(k)).toBeGreaterThan(0);
    });
  });

  describe('KeyLimits on Redis, with a moved clock', () => {
    let now: number;
    const clock: AccessClock = { now: () => now };

    beforeEach(() => {
      // 2026-03-31T23:59:30Z: thirty seconds before a new minute, day and month.
      now = Date.UTC(2026, 2, 31, 23, 59, 30);
    });

    it('refuses the request over rpm on either instance with a 429 and retry-after, and admits again in the next minute', async () => {
      const a = new KeyLimits((await instance()).counters, clock);
      const b = new KeyLimits((await instance()).counters, clock);
      const k = key({ rpm: 3 });
      await a.admit(k);
      await b.admit(k);
      await a.admit(k);
      const error = await refusal(b.admit(k));
      expect([error.status, error.code, error.headers]).toEqual([429, 'rate_limit_exceeded', { 'retry-after': '30' }]);
      expect(error.message).toBe('The client key "team-a" is over its limit of 3 requests per minute; retry in 30 s.');
      now += 30_000;
      await b.admit(k);
    });

    it('refuses once tokens charged on one instance reach tpm or the budget on another, until their windows roll over', async () => {
      const a = new KeyLimits((await instance()).counters, clock);
      const b = new KeyLimits((await instance()).counters, clock);
      const k = key({ tpm: 100, budget: { tokens: 150, per: 'day' } });
      await a.charge('key_1', 60);
      await b.admit(k);
      await a.charge('key_1', 40);
      expect((await refusal(b.admit(k))).message).toBe('The client key "team-a" is over its limit of 100 tokens per minute; retry in 30 s.');
      now += 20_000;
      await a.charge('key_1', 50); // still this minute, and the day's 150
      const error = await refusal(b.admit(k));
      expect(error.message).toBe('The client key "team-a" is over its limit of 150 tokens per day; retry in 10 s.');
      expect(error.headers).toEqual({ 'retry-after': '10' });
      now += 10_000; // 2026-04-01T00:00:00Z: a new minute and a new day
      await b.admit(k);
      await a.admit(k);
    });

    it('refuses the concurrency limit across instances until a slot is released', async () => {
      const a = new KeyLimits((await instance()).counters, clock);
      const b = new KeyLimits((await instance()).counters, clock);
      const k = key({ concurrency: 1 });
      const release = await a.admit(k);
      const error = await refusal(b.admit(k));
      expect([error.status, error.message]).toEqual([429, 'The client key "team-a" is over its limit of 1 concurrent requests; retry in 1 s.']);
      release();
      // Sent without waiting for the answer; the slot leases for a minute, so only the release empties the set.
      await waitFor(async () => (await admin.zcard(`${prefix}limits:concurrent:key_1`)) === 0);
      await b.admit(k);
    });
  });

  describe('while Redis cannot be reached', () => {
    it('open: goes on, counting in this process (it still enforces its own share), keys without limits untouched', async () => {
      const { redis, counters } = await instance({ url: NOWHERE_URL, outage: 'open' });
      expect(redis.up).toBe(false);
      const limits = new KeyLimits(counters, new AccessClock());
      const k = key({ rpm: 2, concurrency: 5, tpm: 1000 });
      await limits.admit(k);
      (await limits.admit(k))();
      expect((await refusal(limits.admit(k))).status).toBe(429);
      await limits.charge('key_2', 1000);
      expect((await refusal(limits.admit(key({ id: 'key_2', tpm: 1000 })))).message).toContain('1000 tokens per minute');
      for (let i = 0; i < 10; i++) await limits.admit(key({ id: 'key_3' }));
    });

    it('closed: refuses a key with limits with a 503 saying limits cannot be checked; keys without limits still pass', async () => {
      const { counters } = await instance({ url: NOWHERE_URL, outage: 'closed' });
      const limits = new KeyLimits(counters, new AccessClock());
      const error = await refusal(limits.admit(key({ rpm: 1000 })));
      expect([error.status, error.type, error.code, error.headers]).toEqual([503, 'server_error', 'limits_unavailable', { 'retry-after': '5' }]);
      expect(error.message).toContain('"team-a" has usage limits, and they cannot be checked right now');
      await limits.admit(key({}));
      await limits.charge('key_1', 10); // no error either
    });

    it('a command that fails while Redis is up is an outage too: memory when open, unavailable when closed', async () => {
      const open = await instance({ outage: 'open' });
      const closed = await instance({ outage: 'closed' });
      // A counter of the wrong type makes the script fail (WRONGTYPE), as any failing command would.
      await admin.rpush(`${prefix}limits:rpm:broken`, 'x');
      const plan = [count('rpm:broken', 1)];
      expect(open.redis.up).toBe(true);
      expect((await open.counters.admit(plan)).outcome).toBe('admitted');
      expect((await open.counters.admit(plan)).outcome).toBe('refused'); // counted in memory
      expect(await closed.counters.admit(plan)).toEqual({ outcome: 'unavailable' });
      await open.counters.charge([{ counter: 'rpm:broken', amount: 5, ttlMs: 60_000 }]);
      expect(await admin.lrange(`${prefix}limits:rpm:broken`, 0, -1)).toEqual(['x']);
    });

    it('counts in memory while Redis is away and back in Redis once it returns', async () => {
      const proxy = await TcpProxy.start(6379);
      try {
        const { redis, counters } = await instance({ url: `redis://127.0.0.1:${proxy.port}`, outage: 'open' });
        const other = await instance();
        const plan = [count('rpm:key_1:0', 3)];
        releaseOf(await counters.admit(plan)); // shared: 1
        await proxy.cut();
        await waitFor(() => !redis.up);
        // Away: this instance counts its own 3, Redis's count stays at 1.
        for (let i = 0; i < 3; i++) releaseOf(await counters.admit(plan));
        expect((await counters.admit(plan)).outcome).toBe('refused');
        expect(await admin.get(`${prefix}limits:rpm:key_1:0`)).toBe('1');
        await proxy.restore();
        await waitFor(() => redis.up);
        // Back: the shared count again, with the other instance.
        releaseOf(await counters.admit(plan));
        releaseOf(await other.counters.admit(plan));
        expect((await counters.admit(plan)).outcome).toBe('refused');
        expect(await admin.get(`${prefix}limits:rpm:key_1:0`)).toBe('3');
      } finally {
        await proxy.close();
      }
    });
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** A TCP pass-through to Redis that a test can cut (Redis "goes away") and restore on the same port. */
class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly target: number,
    public port: number,
  ) {}

  static async start(target: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, 0);
    await proxy.listen();
    return proxy;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  async restore(): Promise<void> {
    await this.listen();
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(this.port, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) this.port = address.port;
        resolve();
      }),
    );
  }
}
