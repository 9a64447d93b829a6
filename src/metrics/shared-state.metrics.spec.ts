import { eventually } from '../../test/support/redis-instances';
import { SharedRedis } from '../store/shared/shared-redis';
import { MetricsRegistry } from './metrics-registry';
import { SharedStateMetrics } from './shared-state.metrics';

const metrics = new MetricsRegistry();

async function value(name: string): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  return metric ? (await metric.get()).values[0]?.value : undefined;
}

describe('SharedStateMetrics', () => {
  const clients: SharedRedis[] = [];
  afterEach(async () => Promise.all(clients.splice(0).map((c) => c.close())));

  it('sets byokey_redis_up to 1 while Redis answers', async () => {
    const redis = new SharedRedis({ url: 'redis://127.0.0.1:6379', keyPrefix: 'metrics-test:', limitsOnOutage: 'open' });
    clients.push(redis);
    await redis.ready(10_000);
    new SharedStateMetrics(metrics, redis);
    expect(await value('byokey_redis_up')).toBe(1);
  });

  it('sets it to 0 and counts an outage when Redis cannot be reached', async () => {
    const redis = new SharedRedis({ url: 'redis://127.0.0.1:1', keyPrefix: 'metrics-test:', limitsOnOutage: 'open' });
    clients.push(redis);
    const before = (await value('byokey_redis_outages_total')) ?? 0;
    const watcher = new SharedStateMetrics(metrics, redis);
    // The refused connection is reported when ioredis gets to it: waited for, not timed.
    await eventually(async () => (((await value('byokey_redis_outages_total')) ?? 0) > before ? true : undefined), 10_000, 'the outage');
    expect(await value('byokey_redis_up')).toBe(0);
    expect(await value('byokey_redis_outages_total')).toBe(before + 1);
    watcher.onModuleDestroy();
  });
});
