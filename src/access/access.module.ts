// Client keys, access mode and per-key limits for the public routes. Global, so the api
// controllers can use AccessGuard and the admin API can refresh the key cache after a change.
// The limits' counters are in the shared Redis when there is one, else in this process.
import { Global, Module } from '@nestjs/common';
import { AccessClock } from './access-clock';
import { AccessControl } from './access-control.service';
import { AccessGuard } from './access.guard';
import { ClientKeyCache } from './client-key-cache';
import { KeyLimits } from './key-limits';
import { LimitCounters } from '../store/limit-counters';
import { MemoryLimitCounters } from '../store/memory-limit-counters';
import { RedisLimitCounters } from '../store/shared/redis-limit-counters';
import type { SharedRedis } from '../store/shared/shared-redis';
import { SHARED_REDIS } from '../store/shared/shared-state.module';
import { UsageCharges } from './usage-charges';

@Global()
@Module({
  providers: [
    AccessClock,
    ClientKeyCache,
    {
      // In Redis when instances share it (`redis:`), so a key's limits hold across all of them.
      provide: LimitCounters,
      useFactory: (redis: SharedRedis | null): LimitCounters => (redis ? new RedisLimitCounters(redis) : new MemoryLimitCounters()),
      inject: [{ token: SHARED_REDIS, optional: true }],
    },
    KeyLimits,
    AccessControl,
    AccessGuard,
    UsageCharges,
  ],
  exports: [AccessClock, ClientKeyCache, LimitCounters, KeyLimits, AccessControl, AccessGuard],
})
export class AccessModule {}
