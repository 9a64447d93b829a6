// Client keys, access mode and per-key limits for the public routes. Global, so the api
// controllers can use AccessGuard and the admin API can refresh the key cache after a change.
import { Global, Module } from '@nestjs/common';
import { AccessClock } from './access-clock';
import { AccessControl } from './access-control.service';
import { AccessGuard } from './access.guard';
import { ClientKeyCache } from './client-key-cache';
import { KeyLimits } from './key-limits';
import { LimitCounters } from './limit-counters';
import { MemoryLimitCounters } from './memory-limit-counters';
import { UsageCharges } from './usage-charges';

@Global()
@Module({
  providers: [
    AccessClock,
    ClientKeyCache,
    { provide: LimitCounters, useClass: MemoryLimitCounters },
    KeyLimits,
    AccessControl,
    AccessGuard,
    UsageCharges,
  ],
  exports: [AccessClock, ClientKeyCache, LimitCounters, KeyLimits, AccessControl, AccessGuard],
})
export class AccessModule {}
