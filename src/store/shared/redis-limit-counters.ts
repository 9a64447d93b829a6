// LimitCounters in the shared Redis, so a key's limits hold across every gateway instance: a key
// allowed 10 requests a minute gets 10 through however many instances serve it. An admission is
// one Lua script (one round trip, atomic): check every limit, then take the counts and the slot,
// or take nothing. Charging tokens is one script too (atomic like a MULTI, and a third of its
// cost to the gateway: ioredis handles one command instead of eight).
//
// Concurrency is a sorted set of slot ids scored by when each lapses, not a plain counter: an
// instance killed mid-request never releases its slots, and they must not stay taken. Each
// instance renews the slots it holds well before they lapse; the script drops lapsed ones. Times
// in the set are Redis's own clock (TIME), so instances' clocks need not agree.
//
// While Redis cannot be reached (SharedRedis.up false, or a command fails), `limits_on_outage`
// decides: `open` counts in this process's memory meanwhile (each instance enforces its own
// share), `closed` answers `unavailable` (the caller refuses keys that have limits). Never an error.
import { randomBytes } from 'node:crypto';
import type { OnModuleDestroy } from '@nestjs/common';
import type { Result } from 'ioredis';
import {
  LimitCounters,
  NOTHING_TO_RELEASE,
  type Admission,
  type AdmissionPlan,
  type CounterCharge,
  type PlannedLimit,
  type Release,
} from '../limit-counters';
import { MemoryLimitCounters } from '../memory-limit-counters';
import type { SharedRedis } from './shared-redis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** ADMIT_SCRIPT: numKeys, the counters' keys, (kind, limit, ms) per counter, the slot id. 0 admitted, else the refusing counter (1-based). */
    byokeyLimitsAdmit(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
    /** CHARGE_SCRIPT: numKeys, the counters' keys, (amount, ttl ms) per counter. */
    byokeyLimitsCharge(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
    /** RENEW_SCRIPT: numKeys, the slot sets, (slot id, lease ms) per set. */
    byokeyLimitsRenew(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

/**
 * Checks every counter first and returns the first at its limit (1-based) without changing
 * anything but dropping lapsed slots; else takes one of each `c` count and `s` slot and returns 0.
 * Kinds: `b` a total that must be below its limit, `c` a count taken once, `s` a slot set.
 */
const ADMIT_SCRIPT = `
local n = #KEYS
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, n do
  local used
  if ARGV[3 * i - 2] == 's' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
    used = redis.call('ZCARD', KEYS[i])
  else
    used = tonumber(redis.call('GET', KEYS[i]) or '0')
  end
  if used >= tonumber(ARGV[3 * i - 1]) then return i end
end
local slot = ARGV[3 * n + 1]
for i = 1, n do
  local kind = ARGV[3 * i - 2]
  local ms = tonumber(ARGV[3 * i])
  if kind == 'c' then
    redis.call('INCR', KEYS[i])
    redis.call('PEXPIRE', KEYS[i], ms)
  elseif kind == 's' then
    redis.call('ZADD', KEYS[i], now + ms, slot)
    redis.call('PEXPIRE', KEYS[i], ms)
  end
end
return 0
`;

/** Adds each amount to its counter and sets its expiry. */
const CHARGE_SCRIPT = `
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[2 * i - 1])
  redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
end
return 0
`;

/** Pushes each held slot's lapse time to a lease from now (only slots still there: XX). */
const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  local lease = tonumber(ARGV[2 * i])
  if redis.call('ZADD', KEYS[i], 'XX', 'CH', now + lease, ARGV[2 * i - 1]) == 1 then
    redis.call('PEXPIRE', KEYS[i], lease)
  end
end
return 0
`;

const KIND_CODE = { below: 'b', count: 'c', slot: 's' } as const;

export interface RedisLimitCountersOptions {
  /**
   * How often the slots this instance holds are renewed; default a quarter of the shortest
   * lease, so three renewals in a row can fail (a Redis blip) before a running request's slot lapses.
   */
  renewEveryMs?: number;
  /** The clock of the counters kept in memory during an outage. */
  now?: () => number;
}

/** A concurrency slot this instance holds in Redis. */
interface HeldSlot {
  key: string;
  id: string;
  leaseMs: number;
}

/** How long charges are gathered before one script call writes them all. */
export const CHARGE_BATCH_MS = 100;

export class RedisLimitCounters extends LimitCounters implements OnModuleDestroy {
  /** This instance's own counters, used while Redis cannot be reached and limits stay open. */
  private readonly local: MemoryLimitCounters;
  /** Prefix of this instance's slot ids: unique among instances and restarts. */
  private readonly instance = randomBytes(8).toString('base64url');
  private slots = 0;
  private readonly held = new Set<HeldSlot>();
  private renewTimer?: NodeJS.Timeout;
  /** Charges not written yet, by Redis key; and the promise of the batch that will write them. */
  private readonly pendingCharges = new Map<string, { charge: CounterCharge; amount: number; ttlMs: number }>();
  private chargeBatch?: Promise<void>;
  private renewing = false;

  constructor(
    private readonly redis: SharedRedis,
    private readonly options: RedisLimitCountersOptions = {},
  ) {
    super();
    this.local = new MemoryLimitCounters(options.now);
    redis.client.defineCommand('byokeyLimitsAdmit', { lua: ADMIT_SCRIPT });
    redis.client.defineCommand('byokeyLimitsCharge', { lua: CHARGE_SCRIPT });
    redis.client.defineCommand('byokeyLimitsRenew', { lua: RENEW_SCRIPT });
  }

  async admit<About extends string>(plan: AdmissionPlan<About>): Promise<Admission<About>> {
    if (!this.redis.up) return this.outage(plan);
    const n = plan.length;
    const keys: string[] = new Array<string>(n);
    const args: (string | number)[] = [];
    let slot = '';
    for (let i = 0; i < n; i++) {
      const limit = plan[i];
      keys[i] = this.key(limit.counter);
      const ms = limit.kind === 'count' ? limit.ttlMs : limit.kind === 'slot' ? limit.leaseMs : 0;
      args.push(KIND_CODE[limit.kind], limit.limit, Math.ceil(ms));
      if (limit.kind === 'slot' && slot === '') slot = `${this.instance}:${++this.slots}`;
    }
    args.push(slot);
    let refused: number;
    try {
      refused = await this.redis.client.byokeyLimitsAdmit(n, ...keys, ...args);
    } catch {
      // Down, or too slow to count on (the command timed out): the outage policy decides. (A
      // script that did run before a timeout may have taken a slot; its lease frees it.)
      return this.outage(plan);
    }
    if (refused > 0) return { outcome: 'refused', limit: plan[refused - 1] };
    return { outcome: 'admitted', release: slot === '' ? NOTHING_TO_RELEASE : this.hold(plan, keys, slot) };
  }

  /**
   * Charges are gathered for CHARGE_BATCH_MS and written in one script call for every key, not
   * one per request: tokens are charged after the fact anyway, so a tenth of a second more changes
   * no decision, and a busy gateway spends one round trip per batch instead of one per request.
   * Resolves once the batch holding these charges is written (or counted locally on failure).
   */
  charge(charges: readonly CounterCharge[]): Promise<void> {
    if (!this.redis.up) return this.local.charge(charges);
    for (const charge of charges) {
      const key = this.key(charge.counter);
      const pending = this.pendingCharges.get(key);
      // INCRBY and PEXPIRE take integers only: a fraction (from a moved clock, say) must not fail the charge.
      if (pending) {
        pending.amount += Math.round(charge.amount);
        pending.ttlMs = Math.max(pending.ttlMs, Math.ceil(charge.ttlMs));
      } else {
        this.pendingCharges.set(key, { charge, amount: Math.round(charge.amount), ttlMs: Math.ceil(charge.ttlMs) });
      }
    }
    this.chargeBatch ??= new Promise<void>((done) => setTimeout(() => done(this.flushCharges()), CHARGE_BATCH_MS).unref());
    return this.chargeBatch;
  }

  /** Writes the gathered charges now (also at shutdown). */
  async flushCharges(): Promise<void> {
    this.chargeBatch = undefined;
    if (this.pendingCharges.size === 0) return;
    const batch = [...this.pendingCharges];
    this.pendingCharges.clear();
    const keys: string[] = [];
    const args: number[] = [];
    for (const [key, { amount, ttlMs }] of batch) {
      keys.push(key);
      args.push(amount, ttlMs);
    }
    try {
      await this.redis.client.byokeyLimitsCharge(keys.length, ...keys, ...args);
    } catch {
      await this.local.charge(batch.map(([, pending]) => ({ ...pending.charge, amount: pending.amount, ttlMs: pending.ttlMs })));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopRenewing();
    await this.flushCharges();
  }

  /** Stops renewing the slots held here (for shutdown; in tests, an instance that dies). */
  stopRenewing(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private outage<About extends string>(plan: AdmissionPlan<About>): Promise<Admission<About>> {
    if (this.redis.settings.limitsOnOutage === 'closed') return Promise.resolve({ outcome: 'unavailable' });
    return this.local.admit(plan);
  }

  private key(counter: string): string {
    return this.redis.key(`limits:${counter}`);
  }

  /** Keeps the plan's slots renewed until the release, which gives them back. */
  private hold(plan: readonly PlannedLimit[], keys: readonly string[], id: string): Release {
    const mine: HeldSlot[] = [];
    plan.forEach((limit, i) => {
      if (limit.kind === 'slot') mine.push({ key: keys[i], id, leaseMs: limit.leaseMs });
    });
    for (const slot of mine) this.held.add(slot);
    this.startRenewing(Math.min(...mine.map((slot) => slot.leaseMs)));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const slot of mine) {
        this.held.delete(slot);
        // Not given back (Redis down): the slot lapses at the end of its lease instead.
        this.redis.client.zrem(slot.key, slot.id).catch(() => undefined);
      }
    };
  }

  private startRenewing(leaseMs: number): void {
    if (this.renewTimer !== undefined) return;
    this.renewTimer = setInterval(() => void this.renew(), this.options.renewEveryMs ?? Math.max(1, Math.floor(leaseMs / 4)));
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return this.stopRenewing();
    if (this.renewing || !this.redis.up) return;
    this.renewing = true;
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const slot of this.held) {
      keys.push(slot.key);
      args.push(slot.id, slot.leaseMs);
    }
    try {
      await this.redis.client.byokeyLimitsRenew(keys.length, ...keys, ...args);
    } catch {
      // The next tick tries again; SharedRedis has said that Redis is down.
    } finally {
      this.renewing = false;
    }
  }
}
