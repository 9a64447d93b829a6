// Change notices between instances: through the real Redis (127.0.0.1:6379, a random key prefix
// per test), three RedisChangeNotices on their own connections — a notice reaches the others
// within a second and never its publisher, by kind, and not after unsubscribing; a subscription
// cut by the network comes back; with Redis unreachable publishing neither fails nor waits. And
// LocalChangeNotices: a lone instance hears nobody, instances on one hub hear each other.
import { EventEmitter } from 'node:events';
import { cutConnection, eventually, NOWHERE_URL, RedisInstances, sleep } from '../../../test/support/redis-instances';
import type { ChangeKind, ChangeNotice, ChangeNotices } from './change-notices';
import { LocalChangeNotices } from './local-change-notices';
import { RedisChangeNotices } from './redis-change-notices';
import type { SharedRedis } from './shared-redis';

/** Every notice an instance hears, of the given kinds. */
function hear(notices: ChangeNotices, kinds: ChangeKind[] = ['client-keys', 'accounts', 'providers', 'config-reload']): ChangeNotice[] {
  const heard: ChangeNotice[] = [];
  for (const kind of kinds) notices.subscribe(kind, (notice) => heard.push(notice));
  return heard;
}

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

  it('delivers a notice to every other instance within a second, not to its publisher', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()];
    const [heardA, heardB, heardC] = [hear(a), hear(b), hear(c)];

    const sentAt = Date.now();
    await a.publish('client-keys', 'revoked key_1');

    for (const heard of [heardB, heardC]) {
      const notice = await eventually(() => heard[0]);
      expect(notice).toEqual({ kind: 'client-keys', from: a.instanceId, at: expect.any(Number), detail: 'revoked key_1' });
    }
    expect(Date.now() - sentAt).toBeLessThan(1000);
    await sleep(100);
    expect(heardA).toEqual([]);
    expect([heardB.length, heardC.length]).toEqual([1, 1]);
  });

  it('delivers each kind to its own listeners only, and nothing after unsubscribing', async () => {
    const [a, b] = [await instance(), await instance()];
    const reloads = hear(b, ['config-reload']);
    const accounts: ChangeNotice[] = [];
    const stop = b.subscribe('accounts', (n) => accounts.push(n));

    await a.publish('providers');
    await a.publish('accounts', 'logged in codex/work');
    await a.publish('config-reload');
    await eventually(() => reloads[0]);
    await eventually(() => accounts[0]);
    stop();
    await a.publish('accounts', 'again');
    await a.publish('config-reload');
    await eventually(() => reloads[1]);

    expect(reloads.map((n) => n.kind)).toEqual(['config-reload', 'config-reload']);
    expect(accounts.map((n) => n.detail)).toEqual(['logged in codex/work']);
  });

  it('a listener that throws does not keep the notice from the others', async () => {
    const [a, b] = [await instance(), await instance()];
    b.subscribe('providers', () => {
      throw new Error('listener bug');
    });
    const heard = hear(b, ['providers']);
    await a.publish('providers');
    expect(await eventually(() => heard[0])).toMatchObject({ kind: 'providers' });
  });

  it('hears notices again after its subscription was cut', async () => {
    const [a, bConnection] = [await instance(), await redis.open()];
    const b = await instance(bConnection);
    const heard = hear(b, ['accounts']);
    await cutConnection(bConnection.subscriber);
    await eventually(() => (bConnection.subscriber.status !== 'ready' ? true : undefined));

    // Published until one gets through: those sent while b reconnects are lost to it (pub/sub).
    await eventually(
      async () => {
        await a.publish('accounts');
        await sleep(50);
        return heard[0];
      },
      3000,
    );
  });

  it('with Redis unreachable, publishing resolves at once and fails nothing', async () => {
    const a = await instance(await redis.open(NOWHERE_URL));
    const heard = hear(a);
    const started = Date.now();
    await a.publish('config-reload', 'admin API');
    expect(Date.now() - started).toBeLessThan(200);
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

  it('instances on one hub hear each other, not themselves', async () => {
    const hub = new EventEmitter();
    const [a, b, c] = [new LocalChangeNotices(hub), new LocalChangeNotices(hub), new LocalChangeNotices(hub)];
    const [heardA, heardB, heardC] = [hear(a), hear(b), hear(c)];
    await b.publish('providers', 'spare disabled');
    await eventually(() => heardC[0]);
    expect(heardA.map((n) => [n.kind, n.from, n.detail])).toEqual([['providers', b.instanceId, 'spare disabled']]);
    expect(heardB).toEqual([]);
  });
});
