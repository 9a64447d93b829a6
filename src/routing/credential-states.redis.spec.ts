// Credential cooldowns shared by several instances through the real Redis (127.0.0.1:6379, a
// random key prefix per test): CredentialStates on RedisCooldownChannel, one SharedRedis per
// instance. A cooldown set on one is in force on the others within a second, a later one wins,
// it ends on its own, clearing is shared, an instance starting later (or back from an outage)
// reads what is in force, and with Redis unreachable everything stays local and nothing fails.
import Redis from 'ioredis';
import { RedisCooldownChannel } from '../store/shared/redis-cooldown-channel';
import type { SharedRedis } from '../store/shared/shared-redis';
import { cutConnection, eventually, NOWHERE_URL, RedisInstances, RedisRelay, sleep } from '../../test/support/redis-instances';
import { REDIS_URL } from '../../test/support/shared-services';
import { CredentialStates } from './credential-states';

const KEY = 'openai\u0000api_keys[0]';
const OTHER = 'openai\u0000api_keys[1]';

describe('CredentialStates shared through Redis', () => {
  let redis: RedisInstances;
  let channels: RedisCooldownChannel[];

  beforeEach(() => {
    redis = new RedisInstances();
    channels = [];
  });
  afterEach(async () => {
    await Promise.all(channels.map((c) => c.onApplicationShutdown()));
    await redis.close();
  });

  /** A new instance's states, connected (its initial read done). */
  async function instance(connection?: SharedRedis): Promise<CredentialStates> {
    const channel = new RedisCooldownChannel(connection ?? (await redis.open()));
    channels.push(channel);
    const states = new CredentialStates(Date.now, channel);
    await states.connect();
    return states;
  }

  /** Messages published on the cooldown channel, as a third party hears them. */
  async function listen(): Promise<{ messages: string[]; stop: () => void }> {
    const listener = new Redis(REDIS_URL);
    const messages: string[] = [];
    await listener.subscribe(`${redis.prefix}cooldown`);
    listener.on('message', (_channel, message) => messages.push(message));
    return { messages, stop: () => listener.disconnect() };
  }

  it('benches a credential on every other instance within a second, with its end and reason', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    const until = Date.now() + 30_000;

    a.coolDown(KEY, until, 'rate limited (429)');

    for (const other of [b, c]) {
      expect(await eventually(() => other.cooldown(KEY))).toEqual({ until, reason: 'rate limited (429)' });
    }
    expect(b.cooldown(OTHER)).toBeUndefined();
    // Requests in flight are each instance's own.
    a.begin(KEY);
    expect(b.busy(KEY)).toBe(0);
  });

  it('keeps the later end: an earlier cooldown from another instance does not shorten it', async () => {
    const [a, b] = [await instance(), await instance()];
    const later = Date.now() + 60_000;
    const earlier = Date.now() + 10_000;
    a.coolDown(KEY, later, 'long');
    await eventually(() => b.cooldown(KEY), 10_000);

    b.coolDown(KEY, earlier, 'short'); // b already has the later one: nothing to send
    const c = await instance();
    expect(c.cooldown(KEY)).toEqual({ until: later, reason: 'long' });
    expect(a.cooldown(KEY)?.until).toBe(later);
  });

  it('ends on its own everywhere, and its key leaves Redis when it does', async () => {
    const [a, b] = [await instance(), await instance()];
    const admin = new Redis(REDIS_URL);
    try {
      // Long enough to be seen everywhere before it ends, even on a busy machine.
      const length = 2000;
      a.coolDown(KEY, Date.now() + length, 'brief');
      await eventually(() => b.cooldown(KEY));
      expect(await admin.pttl(`${redis.prefix}cooldown:${KEY}`)).toBeGreaterThan(0);

      // Waiting out a time, not for work: the cooldown and its key's TTL (written before b heard) end within `length` from here.
      await sleep(length + 50);

      expect(a.cooldown(KEY)).toBeUndefined();
      expect(b.cooldown(KEY)).toBeUndefined();
      expect(await admin.exists(`${redis.prefix}cooldown:${KEY}`)).toBe(0);
    } finally {
      admin.disconnect();
    }
  });

  it('shares clearing: one credential (it answered again) or all of them (an operator reset)', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    a.coolDown(KEY, Date.now() + 30_000, 'one');
    a.coolDown(OTHER, Date.now() + 30_000, 'two');
    await eventually(() => c.cooldown(OTHER), 10_000);

    b.clearCooldown(KEY);
    await eventually(() => (a.cooldown(KEY) || c.cooldown(KEY) ? undefined : true), 10_000);
    expect(a.cooldown(OTHER)).toBeDefined();

    c.clearAllCooldowns();
    await eventually(() => (a.cooldown(OTHER) || b.cooldown(OTHER) ? undefined : true), 10_000);
    // Nothing is left in Redis for a newcomer to read.
    const d = await instance();
    expect([d.cooldown(KEY), d.cooldown(OTHER)]).toEqual([undefined, undefined]);
  });

  it('publishes only changes: a success on a credential that is not cooling sends nothing', async () => {
    const a = await instance();
    const heard = await listen();
    try {
      for (let i = 0; i < 50; i++) a.clearCooldown(KEY);
      a.coolDown(KEY, Date.now() + 30_000, 'once');
      a.coolDown(KEY, Date.now() + 10_000, 'earlier: not news');
      a.clearCooldown(KEY);
      a.clearCooldown(KEY);
      await eventually(() => (heard.messages.length >= 2 ? true : undefined), 10_000);
      await sleep(100);
      expect(heard.messages.map((m) => (JSON.parse(m) as { op: string }).op)).toEqual(['set', 'delete']);
    } finally {
      heard.stop();
    }
  });

  it('an instance starting later reads the cooldowns in force before it serves', async () => {
    const a = await instance();
    const until = Date.now() + 30_000;
    a.coolDown(KEY, until, 'rate limited');
    await eventually(async () => ((await (await redis.open()).client.exists(`${redis.prefix}cooldown:${KEY}`)) === 1 ? true : undefined), 10_000);

    const late = await instance();

    expect(late.cooldown(KEY)).toEqual({ until, reason: 'rate limited' });
  });

  it('after its subscription was cut, an instance reads what it missed meanwhile', async () => {
    const [a, bConnection] = [await instance(), await redis.open()];
    const b = await instance(bConnection);
    await cutConnection(bConnection.subscriber);
    await eventually(() => (bConnection.subscriber.status !== 'ready' ? true : undefined), 10_000);

    const until = Date.now() + 30_000;
    a.coolDown(KEY, until, 'while b was away'); // b's subscriber is reconnecting: the message is lost to it

    expect(await eventually(() => b.cooldown(KEY), 10_000)).toEqual({ until, reason: 'while b was away' });
  });

  it('a cooldown set while Redis was out of reach reaches the others once it is back', async () => {
    const [aConnection, b] = [await redis.open(), await instance()];
    const a = await instance(aConnection);
    await Promise.all([cutConnection(aConnection.client), cutConnection(aConnection.subscriber)]);
    await eventually(() => (aConnection.up ? undefined : true), 10_000);

    const until = Date.now() + 30_000;
    a.coolDown(KEY, until, 'during the outage');
    expect(a.cooldown(KEY)).toEqual({ until, reason: 'during the outage' });

    expect(await eventually(() => b.cooldown(KEY), 10_000)).toEqual({ until, reason: 'during the outage' });
  });

  it('an instance whose Redis was down at start subscribes and catches up once it is there', async () => {
    const relay = new RedisRelay();
    await relay.reserve();
    try {
      const lateConnection = await redis.open(relay.url, false);
      const late = await instance(lateConnection); // Redis is "down": connect() returns at once
      const a = await instance();
      const before = Date.now() + 30_000;
      a.coolDown(KEY, before, 'set before the relay was on');

      await relay.on();

      expect(await eventually(() => late.cooldown(KEY), 10_000)).toEqual({ until: before, reason: 'set before the relay was on' });
      // And it is subscribed now: later changes arrive as they happen.
      await eventually(() => (lateConnection.subscriber.status === 'ready' ? true : undefined), 10_000);
      a.coolDown(OTHER, Date.now() + 30_000, 'set after');
      expect((await eventually(() => late.cooldown(OTHER), 10_000)).reason).toBe('set after');
      late.clearCooldown(KEY);
      await eventually(() => (a.cooldown(KEY) ? undefined : true), 10_000);
    } finally {
      await relay.off();
    }
  });

  it('with Redis unreachable, cooldowns work in this instance alone and nothing fails', async () => {
    const unreachable = await redis.open(NOWHERE_URL);
    const started = Date.now();
    const a = await instance(unreachable);
    // Waiting for a subscriber connection would take open()'s 1 s bound.
    expect(Date.now() - started).toBeLessThan(900);

    a.coolDown(KEY, Date.now() + 30_000, 'local');
    expect(a.cooldown(KEY)?.reason).toBe('local');
    a.clearCooldown(KEY);
    expect(a.cooldown(KEY)).toBeUndefined();
    a.coolDown(KEY, Date.now() + 30_000, 'local');
    a.clearAllCooldowns();
    expect(a.cooldown(KEY)).toBeUndefined();
    await sleep(50); // the failed writes settle without an unhandled rejection
  });
});
