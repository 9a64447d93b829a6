// Change notices: the ChangeNotices contract for both backends — three RedisChangeNotices on their
// own connections to the real Redis (127.0.0.1:6379, a random key prefix per test), and three
// LocalChangeNotices on one hub — then what each adds: through Redis, a subscription cut by the
// network comes back, and with Redis unreachable publishing neither fails nor waits; in one
// process, a lone instance hears nobody.
import { EventEmitter } from 'node:events';
import { cutConnection, eventually, NOWHERE_URL, RedisInstances, sleep } from '../../../test/support/redis-instances';
import { describeChangeNoticesContract, hear } from './change-notices.contract';
import { LocalChangeNotices } from './local-change-notices';
import { RedisChangeNotices } from './redis-change-notices';
import type { SharedRedis } from './shared-redis';

describeChangeNoticesContract('RedisChangeNotices', async () => {
  const redis = new RedisInstances();
  const [a, b, c] = await Promise.all([0, 1, 2].map(async () => new RedisChangeNotices(await redis.open())));
  await Promise.all([a, b, c].map((n) => n.open()));
  return {
    instances: [a, b, c],
    async close() {
      await Promise.all([a, b, c].map((n) => n.onApplicationShutdown()));
      await redis.close();
    },
  };
});

describeChangeNoticesContract('LocalChangeNotices on one hub', async () => {
  const hub = new EventEmitter();
  return { instances: [new LocalChangeNotices(hub), new LocalChangeNotices(hub), new LocalChangeNotices(hub)], close: async () => undefined };
});

describe('RedisChangeNotices', () => {
  let redis: RedisInstances;
  let opened: RedisChangeNotices[];

  beforeEach(() => {
    redis = new RedisInstances();
    opened = [];
  });
  afterEach(async () => {
    await Promise.all(opened.map((n) => n.onApplicationShutdown()));
    await redis.close();
  });

  async function instance(connection?: SharedRedis): Promise<RedisChangeNotices> {
    const notices = new RedisChangeNotices(connection ?? (await redis.open()));
    opened.push(notices);
    await notices.open();
    return notices;
  }

  it('hears notices again after its subscription was cut', async () => {
    const [a, bConnection] = [await instance(), await redis.open()];
    const b = await instance(bConnection);
    const heard = hear(b, ['accounts']);
    await cutConnection(bConnection.subscriber);
    await eventually(() => (bConnection.subscriber.status !== 'ready' ? true : undefined), 10_000);

    // Published until one gets through: those sent while b reconnects are lost to it (pub/sub).
    await eventually(
      async () => {
        await a.publish('accounts');
        await sleep(50);
        return heard[0];
      },
      10_000,
    );
  });

  it('with Redis unreachable, publishing resolves at once and fails nothing', async () => {
    const a = await instance(await redis.open(NOWHERE_URL));
    const heard = hear(a);
    const started = Date.now();
    await a.publish('config-reload', 'admin API');
    // Waiting on Redis would take the 1 s command timeout (REDIS_COMMAND_TIMEOUT_MS).
    expect(Date.now() - started).toBeLessThan(900);
    expect(heard).toEqual([]);
  });
});

describe('LocalChangeNotices', () => {
  it('a lone instance hears nobody, its own notices included', async () => {
    const alone = new LocalChangeNotices();
    const heard = hear(alone);
    await alone.publish('accounts');
    await sleep(20);
    expect(heard).toEqual([]);
  });
});
