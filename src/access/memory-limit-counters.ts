// LimitCounters in this process's memory, on rate-limiter-flexible's RateLimiterMemory (which
// expires its keys with timers, so idle keys cost nothing). Its own "points" limit is not used:
// the limits differ per key, so KeyLimits compares the totals itself.
import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { LimitCounters } from './limit-counters';

/**
 * The longest expiry RateLimiterMemory's timers can hold (setTimeout's limit, ~24.8 days): a
 * longer one would fire at once and lose the counter. Counters meant to live longer (a monthly
 * budget) never expire instead — one small entry per key and month, named by its month.
 */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
const NEVER = 0;

@Injectable()
export class MemoryLimitCounters extends LimitCounters {
  private readonly limiter = new RateLimiterMemory({ points: Number.MAX_SAFE_INTEGER, duration: 60 });

  add(name: string, amount: number, ttlMs: number): Promise<number> {
    // penalty/reward add without ever refusing; customDuration is in seconds.
    const options = { customDuration: ttlMs >= LONGEST_TIMER_MS ? NEVER : Math.max(1, Math.ceil(ttlMs / 1000)) };
    const result = amount >= 0 ? this.limiter.penalty(name, amount, options) : this.limiter.reward(name, -amount, options);
    return result.then(consumedPoints);
  }

  get(name: string): Promise<number> {
    return this.limiter.get(name).then((result) => (result === null ? 0 : result.consumedPoints));
  }
}

function consumedPoints(result: RateLimiterRes): number {
  return result.consumedPoints;
}
