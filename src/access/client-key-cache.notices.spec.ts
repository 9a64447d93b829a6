// ClientKeyCache and change notices: two caches on one SQLite file stand for two gateways on a
// shared store, their notices on one in-process hub (as through Redis). The cache's own poll of
// the store is held still (fake interval timers), so what the second gateway sees, it sees
// because the first one told it.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, sleep } from '../../test/support/redis-instances';
import type { GatewayConfig } from '../config/gateway-config';
import type { PluginRegistry } from '../registry/plugin-registry.service';
import { LocalChangeNotices } from '../store/shared/local-change-notices';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { SqliteClientKeyStore } from '../store/sqlite/sqlite-client-key-store';
import { ClientKeyCache } from './client-key-cache';
import { createClientKey } from './client-key-specs';

describe('ClientKeyCache told by another gateway', () => {
  let home: string;
  let opened: SqliteAccountStore[];
  let caches: ClientKeyCache[];

  beforeEach(() => {
    // Only setInterval (the store poll) is faked; timeouts and setImmediate run as usual.
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'Date', 'hrtime', 'performance'] });
    home = mkdtempSync(join(tmpdir(), 'byokey-key-notices-'));
    opened = [];
    caches = [];
  });
  afterEach(async () => {
    for (const cache of caches) await cache.onApplicationShutdown();
    for (const store of opened) await store.close();
    jest.useRealTimers();
    rmSync(home, { recursive: true, force: true });
  });

  const config = { access: { keys: [] } } as unknown as GatewayConfig;
  const registry = { get config() { return config; } } as PluginRegistry;

  async function gateway(hub: EventEmitter): Promise<{ store: SqliteClientKeyStore; cache: ClientKeyCache; notices: LocalChangeNotices }> {
    const accounts = SqliteAccountStore.open({ home, env: {} });
    opened.push(accounts);
    const store = new SqliteClientKeyStore(accounts.connection);
    const notices = new LocalChangeNotices(hub);
    const cache = new ClientKeyCache(store, registry, notices);
    caches.push(cache);
    await cache.onModuleInit();
    return { store, cache, notices };
  }

  it('a key created or revoked on one gateway works or stops working on the other when it is told', async () => {
    const hub = new EventEmitter();
    const [a, b] = [await gateway(hub), await gateway(hub)];

    const { key, secret } = await createClientKey(a.store, { name: 'team-a' });
    await a.cache.refresh();
    // Untold, b does not know the key (its poll is held still).
    await sleep(100);
    expect(b.cache.lookup(secret)).toBeUndefined();

    await a.notices.publish('client-keys', `created ${key.id}`);
    expect((await eventually(() => b.cache.lookup(secret), 10_000)).name).toBe('team-a');

    await a.store.revoke(key.id);
    await a.notices.publish('client-keys', `revoked ${key.id}`);
    await eventually(() => (b.cache.lookup(secret) ? undefined : true), 10_000);
  });
});
