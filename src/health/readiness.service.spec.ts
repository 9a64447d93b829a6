import { SharedRedis } from '../store/shared/shared-redis';
import { StoreProbe } from '../store/store-probe';
import { DrainState } from './drain-state';
import { ReadinessService } from './readiness.service';

/** A store whose answer the test decides. */
class ScriptedStore extends StoreProbe {
  answer: 'ok' | 'error' | 'hang' = 'ok';
  ping(): Promise<void> {
    if (this.answer === 'ok') return Promise.resolve();
    if (this.answer === 'error') return Promise.reject(new Error('connection refused'));
    return new Promise(() => undefined);
  }
}

describe('ReadinessService', () => {
  let store: ScriptedStore;
  let drain: DrainState;

  beforeEach(() => {
    store = new ScriptedStore();
    drain = new DrainState();
  });

  it('is ready when the store answers, Redis off', async () => {
    expect(await new ReadinessService(drain, store, null).check()).toEqual({
      ready: true,
      status: 'ready',
      checks: { store: 'ok', redis: 'off' },
    });
  });

  it('is not ready when the store fails, saying why', async () => {
    store.answer = 'error';
    const readiness = await new ReadinessService(drain, store, null).check();
    expect(readiness).toEqual({ ready: false, status: 'not_ready', checks: { store: 'failed: connection refused', redis: 'off' } });
  });

  it('does not wait more than a second for a store that hangs', async () => {
    store.answer = 'hang';
    const started = Date.now();
    const readiness = await new ReadinessService(drain, store, null).check();
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.store).toBe('failed: no answer within 1000 ms');
    // The store hangs for ever: only the 1 s bound ends the check.
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('says draining from the moment draining begins, whatever the checks say', async () => {
    const service = new ReadinessService(drain, store, null);
    drain.begin();
    expect(await service.check()).toMatchObject({ ready: false, status: 'draining' });
  });

  describe('with Redis', () => {
    const clients: SharedRedis[] = [];
    afterAll(async () => Promise.all(clients.map((client) => client.close())));

    it('reports Redis reachable', async () => {
      const redis = new SharedRedis({ url: 'redis://127.0.0.1:6379', keyPrefix: 'readiness-test:', limitsOnOutage: 'open' });
      clients.push(redis);
      await redis.ready(10_000);
      expect((await new ReadinessService(drain, store, redis).check()).checks.redis).toBe('ok');
    });

    it('stays ready when Redis is down, reporting it (every instance shares it: failing them all would be an outage)', async () => {
      const redis = new SharedRedis({ url: 'redis://127.0.0.1:1', keyPrefix: 'readiness-test:', limitsOnOutage: 'open' });
      clients.push(redis);
      const readiness = await new ReadinessService(drain, store, redis).check();
      expect(readiness.ready).toBe(true);
      expect(readiness.checks.redis).toMatch(/^down: /);
    });
  });
});
