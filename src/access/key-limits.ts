// Per-key limits, checked before the upstream call: token budget per day or month, tokens per
// minute, concurrent requests, requests per minute. Windows are fixed and aligned to the clock
// (this minute, this UTC day or month), so a refusal can say exactly when to retry. Tokens are
// charged after the fact, from finished requests' usage records (UsageBus): a request is never
// refused halfway, the next one is.
import { Injectable } from '@nestjs/common';
import type { BudgetPeriod } from '../store/client-key';
import { AccessClock } from './access-clock';
import { overLimit } from './access-errors';
import type { AccessKey } from './access-key';
import { LimitCounters } from './limit-counters';

const MINUTE_MS = 60_000;
/** Concurrency counters outlive any request; they only expire so idle keys cost no memory. */
const CONCURRENCY_TTL_MS = 24 * 3_600_000;
/** A concurrency slot frees when some response ends; a second is a fair guess. */
const CONCURRENCY_RETRY_MS = 1000;

/** Frees what admit() took (the concurrency slot); safe to call more than once. */
export type Release = () => void;

const NOTHING_TO_RELEASE: Release = () => undefined;

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

  /** Resolves when the key is within its limits (holding a concurrency slot if it has that limit); else throws a 429. */
  async admit(key: AccessKey): Promise<Release> {
    if (key.budget === undefined && key.tpm === undefined && key.concurrency === undefined && key.rpm === undefined) {
      return NOTHING_TO_RELEASE;
    }
    const now = this.clock.now();
    // Reads first: nothing is taken unless they pass. (Awaited one by one: Promise.all costs
    // more than two awaits of counters that answer at once.)
    if (key.budget !== undefined) {
      const period = periodAt(key.budget.per, now);
      const used = await this.counters.get(budgetCounter(key.id, key.budget.per, period));
      if (used >= key.budget.tokens) {
        throw overLimit(key.name, `${key.budget.tokens} tokens per ${key.budget.per}`, period.end - now);
      }
    }
    const minute = periodAt('minute', now);
    if (key.tpm !== undefined) {
      const used = await this.counters.get(`tpm:${key.id}:${minute.start}`);
      if (used >= key.tpm) throw overLimit(key.name, `${key.tpm} tokens per minute`, minute.end - now);
    }
    let release = NOTHING_TO_RELEASE;
    if (key.concurrency !== undefined) {
      const name = `concurrent:${key.id}`;
      const running = await this.counters.add(name, 1, CONCURRENCY_TTL_MS);
      release = once(() => void this.counters.add(name, -1, CONCURRENCY_TTL_MS).catch(() => undefined));
      if (running > key.concurrency) {
        release();
        throw overLimit(key.name, `${key.concurrency} concurrent requests`, CONCURRENCY_RETRY_MS);
      }
    }
    if (key.rpm !== undefined) {
      const made = await this.counters.add(`rpm:${key.id}:${minute.start}`, 1, minute.end - now + MINUTE_MS);
      if (made > key.rpm) {
        release();
        throw overLimit(key.name, `${key.rpm} requests per minute`, minute.end - now);
      }
    }
    return release;
  }

  /** Charges a finished request's tokens to its key: this minute's and this day's and month's counters. */
  async charge(keyId: string, tokens: number, at = this.clock.now()): Promise<void> {
    if (!(tokens > 0)) return;
    const minute = periodAt('minute', at);
    const day = periodAt('day', at);
    const month = periodAt('month', at);
    await Promise.all([
      this.counters.add(`tpm:${keyId}:${minute.start}`, tokens, minute.end - at + MINUTE_MS),
      this.counters.add(budgetCounter(keyId, 'day', day), tokens, day.end - at + MINUTE_MS),
      this.counters.add(budgetCounter(keyId, 'month', month), tokens, month.end - at + MINUTE_MS),
    ]);
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

function once(run: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    run();
  };
}
