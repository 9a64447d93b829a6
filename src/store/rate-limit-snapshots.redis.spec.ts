// Quota snapshots shared by several instances through the real Redis (127.0.0.1:6379, a random
// key prefix per test): RateLimitSnapshots on RedisQuotaSnapshotChannel, one SharedRedis per
// instance. A snapshot recorded on one is read on the others within a second; a burst is sent at
// most once a second per account, its latest state last; the newest capture wins; an instance
// starting later reads them; with Redis unreachable, snapshots stay local.
import Redis from 'ioredis';
import { eventually, NOWHERE_URL, RedisInstances, sleep } from '../../test/support/redis-instances';
import { REDIS_URL } from '../../test/support/shared-services';
import { RateLimitSnapshots } from './rate-limit-snapshots';
import { type RateLimitSnapshot } from './rate-limit-snapshot';
import { RedisQuotaSnapshotChannel, SNAPSHOT_SEND_INTERVAL_MS } from './shared/redis-quota-snapshot-channel';
import type { SharedRedis } from './shared/shared-redis';

const used = (percent: number) => ({ 'x-codex-primary-used-percent': String(percent) });

describe('RateLimitSnapshots shared through Redis', () => {
  let redis: RedisInstances;
  let channels: RedisQuotaSnapshotChannel[];

  beforeEach(() => {
    redis = new RedisInstances();
    channels = [];
  });
  afterEach(async () => {
    await Promise.all(channels.map((c) => c.onApplicationShutdown()));
    await redis.close();
  });

  async function instance(connection?: SharedRedis): Promise<{ snapshots: RateLimitSnapshots; channel: RedisQuotaSnapshotChannel }> {
    const channel = new RedisQuotaSnapshotChannel(connection ?? (await redis.open()));
    channels.push(channel);
    const snapshots = new RateLimitSnapshots(channel);
    await snapshots.onModuleInit();
    return { snapshots, channel };
  }

  const percentOn = (snapshots: RateLimitSnapshots) => snapshots.get('codex', 'work')?.headers['x-codex-primary-used-percent'];

  it('a snapshot recorded on one instance is read on the others within a second', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    a.snapshots.record('codex', 'work', { headers: used(93) });
    const recorded = a.snapshots.get('codex', 'work')!;

    for (const other of [b, c]) expect(await eventually(() => other.snapshots.get('codex', 'work'))).toEqual(recorded);
    expect(b.snapshots.all()).toHaveLength(1);
  });

  it('sends a burst at most once a second per account, ending with the latest', async () => {
    const [a, b] = [await instance(), await instance()];
    const listener = new Redis(REDIS_URL);
    const sent: RateLimitSnapshot[] = [];
    try {
      await listener.subscribe(`${redis.prefix}quota`);
      listener.on('message', (_channel, message) => sent.push((JSON.parse(message) as { value: RateLimitSnapshot }).value));
      const started = Date.now();
      for (let percent = 1; percent <= 40; percent++) {
        a.snapshots.record('codex', 'work', { headers: used(percent) });
        a.snapshots.record('codex', 'other', { headers: used(percent) });
        await sleep(10);
      }
      // The first of each account went at once; the rest waits for its second.
      if (Date.now() - started < SNAPSHOT_SEND_INTERVAL_MS) expect(sent.length).toBeLessThanOrEqual(2);
      expect(await eventually(() => (percentOn(b.snapshots) === '40' ? true : undefined), 10_000)).toBe(true);
      // The listener, on its own connection, may hear the same message a moment later.
      await eventually(() => (sent.some((s) => s.accountId === 'work' && s.headers['x-codex-primary-used-percent'] === '40') ? true : undefined), 10_000);
      const elapsed = Date.now() - started;
      await sleep(100); // and then nothing more
      const perAccount = sent.filter((s) => s.accountId === 'work').length;
      // One send per started second, plus the first.
      expect(perAccount).toBeLessThanOrEqual(Math.ceil(elapsed / SNAPSHOT_SEND_INTERVAL_MS) + 1);
      expect(sent.filter((s) => s.accountId === 'work').at(-1)?.headers['x-codex-primary-used-percent']).toBe('40');
    } finally {
      listener.disconnect();
    }
  });

  it('keeps the newest capture: an older snapshot from another instance does not replace it', async () => {
    const [a, b] = [await instance(), await instance()];
    b.snapshots.record('codex', 'work', { headers: used(95) });
    const newest = b.snapshots.get('codex', 'work')!;
    await eventually(() => a.snapshots.get('codex', 'work'), 10_000);
    // An instance that captured earlier (its send held back, say) publishes late.
    a.channel.recorded(`codex\u0000work`, { ...newest, headers: used(10), capturedAt: newest.capturedAt - 5_000 });
    // Then another account's, from a too: once b has it, b and Redis have had whatever the older one caused (one connection, in order).
    a.channel.recorded(`codex\u0000marker`, { ...newest, accountId: 'marker', headers: used(1) });
    await eventually(() => b.snapshots.get('codex', 'marker'), 10_000);

    expect(percentOn(b.snapshots)).toBe('95');
    const late = await instance();
    expect(percentOn(late.snapshots)).toBe('95');
  });

  it('an instance starting later reads the snapshots Redis holds', async () => {
    const a = await instance();
    a.snapshots.record('codex', 'work', { headers: used(91) });
    a.snapshots.record('claude', 'team', { headers: { 'anthropic-ratelimit-unified-5h-status': 'allowed_warning' } });
    const admin = await redis.open();
    await eventually(async () => ((await admin.client.exists(`${redis.prefix}quota:claude\u0000team`)) === 1 ? true : undefined), 10_000);

    const late = await instance();

    expect(percentOn(late.snapshots)).toBe('91');
    expect(late.snapshots.get('claude', 'team')?.headers['anthropic-ratelimit-unified-5h-status']).toBe('allowed_warning');
  });

  it('with Redis unreachable, snapshots are kept in this instance and nothing fails', async () => {
    const a = await instance(await redis.open(NOWHERE_URL));
    for (let percent = 1; percent <= 5; percent++) a.snapshots.record('codex', 'work', { headers: used(percent) });
    expect(percentOn(a.snapshots)).toBe('5');
    await sleep(SNAPSHOT_SEND_INTERVAL_MS + 100); // the held-back send fails quietly
    expect(percentOn(a.snapshots)).toBe('5');
  });
});
