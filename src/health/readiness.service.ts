// What /readyz answers: whether a load balancer should send this instance requests. Not ready
// while draining or while the store does not answer. (The configuration needs no check: the
// routes exist only once it is loaded, and a reload that fails keeps the one in force.)
//
// Redis is reported but does not make the instance unready: every instance shares the same Redis,
// so failing readiness on it would take all of them out of the balancer at once and turn a
// degraded mode that keeps serving (local cooldowns and limits) into a full outage.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { SHARED_REDIS } from '../store/shared/shared-state.module';
import type { SharedRedis } from '../store/shared/shared-redis';
import { StoreProbe } from '../store/store-probe';
import { DrainState } from './drain-state';

/** A check that has not answered by then counts as failed: a probe must answer quickly. */
export const READINESS_CHECK_TIMEOUT_MS = 1000;

export type CheckResult = 'ok' | 'off' | `failed: ${string}` | `down: ${string}`;

export interface Readiness {
  ready: boolean;
  status: 'ready' | 'draining' | 'not_ready';
  checks: {
    store: CheckResult;
    redis: CheckResult;
  };
}

@Injectable()
export class ReadinessService {
  constructor(
    private readonly drain: DrainState,
    private readonly store: StoreProbe,
    @Optional() @Inject(SHARED_REDIS) private readonly redis: SharedRedis | null,
  ) {}

  async check(): Promise<Readiness> {
    const [store, redis] = await Promise.all([
      bounded(this.store.ping(), 'failed'),
      this.redis ? bounded(this.redis.ping(), 'down') : Promise.resolve<CheckResult>('off'),
    ]);
    const checks = { store, redis };
    if (this.drain.draining) return { ready: false, status: 'draining', checks };
    const ready = store === 'ok';
    return { ready, status: ready ? 'ready' : 'not_ready', checks };
  }
}

async function bounded(ping: Promise<void>, failure: 'failed' | 'down'): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_CHECK_TIMEOUT_MS} ms`)), READINESS_CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([ping, timeout]);
    return 'ok';
  } catch (error) {
    return `${failure}: ${(error as Error).message || String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}
