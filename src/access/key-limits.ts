// Per-key limits, checked before the upstream call: token budget per day or month, tokens per
// minute, concurrent requests, requests per minute. Windows are fixed and aligned to the clock
// (this minute, this UTC day or month), so a refusal can say exactly when to retry. Tokens are
// charged after the fact, from finished requests' usage records (UsageBus): a request is never
// refused halfway, the next one is. A request's limits are one admission plan, checked and taken
// in one call of the counters (one round trip when instances share them in Redis).
import { Injectable } from '@nestjs/common';
import type { BudgetPeriod } from '../store/client-key';
import { LimitCounters, NOTHING_TO_RELEASE, type AdmissionPlan, type PlannedLimit, type Release } from '../store/limit-counters';
import { AccessClock } from './access-clock';
import { limitsUnavailable, overLimit } from './access-errors';
import type { AccessKey } from './access-key';

const MINUTE_MS = 60_000;
/**
 * A concurrency slot whose holder vanished without releasing it (an instance killed mid-request)
 * frees this long after it was last renewed; a running request's slot is renewed well before.
 */
export const CONCURRENCY_LEASE_MS = 60_000;
/** A concurrency slot frees when some response ends; a second is a fair guess. */
const CONCURRENCY_RETRY_MS = 1000;

/** Which of a key's limits a planned limit is. */
export type KeyLimitName = 'budget' | 'tpm' | 'concurrency' | 'rpm';

interface Window {
  start: number;
  end: number;
}

@Injectable()
export class KeyLimits {
  constructor(
    private readonly counters: LimitCounters,
    private readonly clock: AccessClock,
  ) {}

  /**
   * Resolves when the key is within its limits (holding a concurrency slot if it has that limit);
   * else throws a 429 naming the limit, or a 503 when shared limits cannot be checked.
   */
  async admit(key: AccessKey): Promise<Release> {
    if (key.budget === undefined && key.tpm === undefined && key.concurrency === undefined && key.rpm === undefined) {
      return NOTHING_TO_RELEASE;
    }
    const now = this.clock.now();
    const admission = await this.counters.admit(this.plan(key, now));
    if (admission.outcome === 'admitted') return admission.release;
    if (admission.outcome === 'unavailable') throw limitsUnavailable(key.name);
    throw this.refusal(key, admission.limit, now);
  }

  /**
   * What admitting a request of `key` at `now` checks and takes: the token totals first (read
   * only), then a concurrency slot and one more request this minute, so a request refused for
   * tokens takes nothing.
   */
  plan(key: AccessKey, now: number): AdmissionPlan<KeyLimitName> {
    const plan: PlannedLimit<KeyLimitName>[] = [];
    if (key.budget !== undefined) {
      const period = periodAt(key.budget.per, now);
      plan.push({ kind: 'below', about: 'budget', counter: budgetCounter(key.id, key.budget.per, period), limit: key.budget.tokens });
    }
    const minute = key.tpm !== undefined || key.rpm !== undefined ? periodAt('minute', now) : undefined;
    if (key.tpm !== undefined) plan.push({ kind: 'below', about: 'tpm', counter: `tpm:${key.id}:${minute!.start}`, limit: key.tpm });
    if (key.concurrency !== undefined) {
      plan.push({ kind: 'slot', about: 'concurrency', counter: `concurrent:${key.id}`, limit: key.concurrency, leaseMs: CONCURRENCY_LEASE_MS });
    }
    if (key.rpm !== undefined) {
      // Kept a minute past its window, so a clock a little behind another instance's still finds it.
      const ttlMs = minute!.end - now + MINUTE_MS;
      plan.push({ kind: 'count', about: 'rpm', counter: `rpm:${key.id}:${minute!.start}`, limit: key.rpm, ttlMs });
    }
    return plan;
  }

  /** Charges a finished request's tokens to its key: this minute's and this day's and month's counters. */
  async charge(keyId: string, tokens: number, at = this.clock.now()): Promise<void> {
    if (!(tokens > 0)) return;
    const minute = periodAt('minute', at);
    const day = periodAt('day', at);
    const month = periodAt('month', at);
    await this.counters.charge([
      { counter: `tpm:${keyId}:${minute.start}`, amount: tokens, ttlMs: minute.end - at + MINUTE_MS },
      { counter: budgetCounter(keyId, 'day', day), amount: tokens, ttlMs: day.end - at + MINUTE_MS },
      { counter: budgetCounter(keyId, 'month', month), amount: tokens, ttlMs: month.end - at + MINUTE_MS },
    ]);
  }

  /** The 429 for the limit that refused the request, with when to retry. */
  private refusal(key: AccessKey, limit: PlannedLimit<KeyLimitName>, now: number): Error {
    switch (limit.about) {
      case 'budget': {
        const per = key.budget!.per;
        return overLimit(key.name, `${limit.limit} tokens per ${per}`, periodAt(per, now).end - now);
      }
      case 'tpm':
        return overLimit(key.name, `${limit.limit} tokens per minute`, periodAt('minute', now).end - now);
      case 'concurrency':
        return overLimit(key.name, `${limit.limit} concurrent requests`, CONCURRENCY_RETRY_MS);
      case 'rpm':
        return overLimit(key.name, `${limit.limit} requests per minute`, periodAt('minute', now).end - now);
    }
  }
}

function budgetCounter(keyId: string, per: BudgetPeriod, period: Window): string {
  return `budget:${keyId}:${per}:${period.start}`;
}

const DAY_MS = 86_400_000;

/** The last month window handed out: every request of a month asks for the same one. */
let lastMonth: Window = { start: 0, end: 0 };

/**
 * The fixed window (UTC) that `now` falls in. Minutes and days are plain arithmetic (JavaScript
 * time has no leap seconds: every UTC day is 86,400,000 ms); a month is worked out with Date once
 * and then reused while `now` stays inside it — this runs on every keyed request.
 */
export function periodAt(per: BudgetPeriod | 'minute', now: number): Window {
  if (per === 'minute') {
    const start = now - (now % MINUTE_MS);
    return { start, end: start + MINUTE_MS };
  }
  if (per === 'day') {
    const start = now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
    return { start, end: start + DAY_MS };
  }
  if (now >= lastMonth.start && now < lastMonth.end) return lastMonth;
  const date = new Date(now);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  lastMonth = { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  return lastMonth;
}
