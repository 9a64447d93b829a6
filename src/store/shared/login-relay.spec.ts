// Shared admin logins: the LoginRelay contract for both backends — two RedisLoginRelays on their
// own connections to the real Redis (127.0.0.1:6379, a random key prefix per test), and two
// LocalLoginRelays on one hub — then what each adds: through Redis, what is kept is the public
// view and nothing else, a hand-over nobody listens for is reported, and with Redis unreachable
// nothing fails or waits; in one process, a lone instance shares nothing.
import Redis from 'ioredis';
import { NOWHERE_URL, RedisInstances } from '../../../test/support/redis-instances';
import { REDIS_URL } from '../../../test/support/shared-services';
import { describeLoginRelayContract, pendingLogin } from './login-relay.contract';
import { LocalLoginRelay, LoginRelayHub } from './login-relay';
import { RedisLoginRelay } from './redis-login-relay';

describeLoginRelayContract('RedisLoginRelay', async () => {
  const redis = new RedisInstances();
  const [a, b] = await Promise.all([0, 1].map(async () => new RedisLoginRelay(await redis.open())));
  await Promise.all([a, b].map((r) => r.open()));
  return {
    instances: [a, b],
    async close() {
      await Promise.all([a, b].map((r) => r.onApplicationShutdown()));
      await redis.close();
    },
  };
});

describeLoginRelayContract('LocalLoginRelay on one hub', async () => {
  const hub = new LoginRelayHub();
  return { instances: [new LocalLoginRelay(hub), new LocalLoginRelay(hub)], close: async () => undefined };
});

describe('RedisLoginRelay', () => {
  let redis: RedisInstances;
  let opened: RedisLoginRelay[];
  /** A plain client, to look at what is kept in Redis. */
  let raw: Redis;

  beforeEach(() => {
    redis = new RedisInstances();
    opened = [];
    raw = new Redis(REDIS_URL, { lazyConnect: true });
  });
  afterEach(async () => {
    await Promise.all(opened.map((r) => r.onApplicationShutdown()));
    await redis.close();
    if (raw.status === 'ready') await raw.quit();
    else raw.disconnect();
  });

  async function instance(url?: string): Promise<RedisLoginRelay> {
    const relay = new RedisLoginRelay(await redis.open(url));
    opened.push(relay);
    await relay.open();
    return relay;
  }

  it('keeps one key per login under the prefix, holding what was shared and expiring with it', async () => {
    const a = await instance();
    const shared = pendingLogin(a.instanceId);
    await a.share('login_k', shared, 5000);
    const key = `${redis.prefix}login:login_k`;
    expect(JSON.parse((await raw.get(key))!)).toEqual(shared);
    const ttl = await raw.pttl(key);
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
    expect(await raw.keys(`${redis.prefix}*`)).toEqual([key]);
  });

  it('reads something that is not a shared login (another version wrote it, or garbage) as nothing', async () => {
    const a = await instance();
    await raw.set(`${redis.prefix}login:garbage`, 'not json');
    await raw.set(`${redis.prefix}login:other`, JSON.stringify({ owner: 'x', view: 'text' }));
    expect(await a.read('garbage')).toBeUndefined();
    expect(await a.read('other')).toBeUndefined();
  });

  it('a hand-over nobody listens for is reported as not sent', async () => {
    const a = await instance();
    await a.onApplicationShutdown();
    expect(await a.handOver('some-instance', 'login_x', 'http://localhost/cb?code=c')).toBe(false);
  });

  it('with Redis unreachable, sharing, reading and handing over answer at once and fail nothing', async () => {
    const a = await instance(NOWHERE_URL);
    const started = Date.now();
    await a.share('login_x', pendingLogin(a.instanceId), 5000);
    expect(await a.read('login_x')).toBeUndefined();
    expect(await a.handOver(a.instanceId, 'login_x', 'http://localhost/cb?code=c')).toBe(false);
    // Cannot be told: an owner is taken to be there, so an outage never fails a login.
    expect(await a.isListening('some-instance')).toBe(true);
    // Any of them waiting on Redis would take the 1 s command timeout (REDIS_COMMAND_TIMEOUT_MS).
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('LocalLoginRelay', () => {
  it('a lone instance shares nothing and hands nothing over', async () => {
    const alone = new LocalLoginRelay();
    const heard: string[] = [];
    alone.onHandOver((id) => heard.push(id));
    await alone.share('login_x', pendingLogin(alone.instanceId), 5000);
    expect(await alone.read('login_x')).toBeUndefined();
    expect(await alone.handOver(alone.instanceId, 'login_x', 'http://localhost/cb?code=c')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toEqual([]);
  });
});
