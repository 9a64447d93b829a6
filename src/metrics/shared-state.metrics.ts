// Whether this instance reaches the shared Redis, as Prometheus metrics: `byokey_redis_up` 1 or
// 0, and how many outages began. An operator alerts on these rather than reading the one warning
// each outage logs.
import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { SHARED_REDIS } from '../store/shared/shared-state.module';
import type { SharedRedis } from '../store/shared/shared-redis';
import { MetricsRegistry } from './metrics-registry';

@Injectable()
export class SharedStateMetrics implements OnModuleDestroy {
  private readonly stop?: () => void;

  constructor(metrics: MetricsRegistry, @Optional() @Inject(SHARED_REDIS) redis: SharedRedis | null) {
    if (!redis) return;
    const up = metrics.gauge({ name: 'byokey_redis_up', help: '1 when the shared Redis answers, 0 while it cannot be reached (not set without redis:)' });
    const down = metrics.counter({ name: 'byokey_redis_outages_total', help: 'Times the shared Redis became unreachable (this instance went on with local state)' });
    up.set(redis.up ? 1 : 0);
    this.stop = redis.onStateChange((isUp) => {
      up.set(isUp ? 1 : 0);
      if (!isUp) down.inc();
    });
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
