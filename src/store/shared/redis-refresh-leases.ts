// The refresh lease in Redis, for several gateway instances: exactly one refresher per account
// at a time, decided in Redis (the many contenders of a busy fleet never reach the store), the
// others told the moment it lets go instead of finding out at their next poll. Taking a free
// lease is SET NX PX with a fencing token from INCR; renewing, releasing and taking over a dead
// holder's lease are scripts that compare the holder first. The value is
// `<fence>|<heartbeat ms>|<holder>`, its expiry the lease's.
//
// Redis down must not fail a refresh: an instance that cannot reach it takes the store's own
// lease (AccountStore) alone. So that such an instance and one that can reach Redis never refresh
// at once (a partial outage; the refresh token would be spent twice and the login lost), the
// winner in Redis takes the store's lease too, and gives up if it is held: the store's lease is
// the one every holder has; Redis' lets contenders fight without touching the store.
//
// Structurally the auth layer's RefreshLeases (the store knows nothing of auth).
import type { AccountStore, RefreshLease } from '../account-store';
import { RedisScript } from './redis-script';
import { RedisSubscription } from './redis-subscription';
import type { SharedRedis } from './shared-redis';

export interface RedisRefreshLease extends RefreshLease {
  /** Grows with every lease taken in this Redis: a later holder has a larger one. */
  fence: number;
}

/** KEYS: lease, fence counter. ARGV: holder, ttl ms, now ms, takeOverFrom or ''. Returns the fence, or 0. */
const ACQUIRE = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local fence, holder = string.match(current, '^(%d+)|%d+|(.*)$')
  if holder == ARGV[1] then
    redis.call('SET', KEYS[1], fence .. '|' .. ARGV[3] .. '|' .. ARGV[1], 'PX', ARGV[2])
    return tonumber(fence)
  end
  if ARGV[4] == '' or holder ~= ARGV[4] then return 0 end
  redis.call('DEL', KEYS[1])
end
local fence = redis.call('INCR', KEYS[2])
if redis.call('SET', KEYS[1], fence .. '|' .. ARGV[3] .. '|' .. ARGV[1], 'NX', 'PX', ARGV[2]) then return fence end
return 0`);

/** KEYS: lease. ARGV: holder, ttl ms, now ms. Returns 1 when renewed. */
const RENEW = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local fence, holder = string.match(current, '^(%d+)|%d+|(.*)$')
if holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], fence .. '|' .. ARGV[3] .. '|' .. ARGV[1], 'PX', ARGV[2])
return 1`);

/**
 * KEYS: lease. ARGV: holder, channel, message or ''. Deletes the lease if the holder holds it;
 * with a message, tells the waiters either way (the holder is done: new tokens may be in the store).
 */
const RELEASE = new RedisScript(`
local current = redis.call('GET', KEYS[1])
local released = 0
if current and string.match(current, '^%d+|%d+|(.*)$') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  released = 1
end
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return released`);

export class RedisRefreshLeases {
  private readonly subscription: RedisSubscription;
  /** Leases this process took in the store alone because Redis was down: renewed and released there only. */
  private readonly storeOnly = new Set<string>();
  /** Waiters for a holder to let go, by account. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: SharedRedis,
    /** Whose lease the winner takes too, and the only one while Redis is down. */
    private readonly store: AccountStore,
    private readonly now: () => number = Date.now,
  ) {
    this.subscription = new RedisSubscription(redis, 'leases', (message) => this.receive(message));
  }

  /** Subscribes to "a holder let go"; resolves once subscribed, or at once when Redis is down. */
  open(): Promise<void> {
    return this.subscription.open();
  }

  async acquire(provider: string, accountId: string, holder: string, ttlMs: number, takeOverFrom?: string): Promise<boolean> {
    const id = held(provider, accountId, holder);
    let fence: unknown;
    try {
      fence = await ACQUIRE.run(this.redis.client, [this.leaseKey(provider, accountId), this.redis.key('lease-fence')], [holder, ttlMs, this.now(), takeOverFrom ?? '']);
    } catch {
      // Redis is down: the store's lease alone.
      const taken = await this.store.acquireRefreshLease(provider, accountId, holder, ttlMs, takeOverFrom);
      if (taken) this.storeOnly.add(id);
      return taken;
    }
    if (!(typeof fence === 'number' && fence > 0)) return false;
    this.storeOnly.delete(id);
    // Won in Redis; the store's lease too, so an instance that cannot see Redis (and took the
    // store's lease alone) is kept out, and keeps us out while it holds it.
    let taken = false;
    try {
      taken = await this.store.acquireRefreshLease(provider, accountId, holder, ttlMs, takeOverFrom);
    } finally {
      // Held for a moment only: nobody to wake (woken waiters would only find the store's lease held, again and again).
      if (!taken) await this.releaseInRedis(provider, accountId, holder, false);
    }
    return taken;
  }

  /**
   * The heartbeat, in both places. The store's answer decides (it is the lease every holder
   * takes); a Redis that cannot be reached or has lost the lease changes nothing: contenders that
   * win there find the store's lease ours.
   */
  async renew(provider: string, accountId: string, holder: string, ttlMs: number): Promise<boolean> {
    if (!this.storeOnly.has(held(provider, accountId, holder))) {
      await RENEW.run(this.redis.client, [this.leaseKey(provider, accountId)], [holder, ttlMs, this.now()]).catch(() => undefined);
    }
    return this.store.renewRefreshLease(provider, accountId, holder, ttlMs);
  }

  async release(provider: string, accountId: string, holder: string): Promise<void> {
    const inRedis = !this.storeOnly.delete(held(provider, accountId, holder));
    await this.store.releaseRefreshLease(provider, accountId, holder);
    // After the store's: a waiter woken now finds both free.
    if (inRedis) await this.releaseInRedis(provider, accountId, holder, true);
  }

  /** The Redis lease's holder, or else the store's (a holder that took it alone while Redis was down for it). */
  async get(provider: string, accountId: string): Promise<RedisRefreshLease | RefreshLease | undefined> {
    let answer: [error: Error | null, result: unknown][] | null;
    try {
      answer = await this.redis.client.multi().get(this.leaseKey(provider, accountId)).pttl(this.leaseKey(provider, accountId)).exec();
    } catch {
      return this.store.getRefreshLease(provider, accountId);
    }
    const value = answer?.[0]?.[1];
    const ttl = answer?.[1]?.[1];
    const match = typeof value === 'string' && typeof ttl === 'number' ? /^(\d+)\|(\d+)\|(.*)$/s.exec(value) : null;
    if (!match) return this.store.getRefreshLease(provider, accountId);
    return { holder: match[3], fence: Number(match[1]), heartbeatAt: Number(match[2]), until: this.now() + Math.max(0, ttl as number) };
  }

  released(provider: string, accountId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const key = account(provider, accountId);
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const done = () => {
        set.delete(done);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        signal.removeEventListener('abort', done);
        resolve();
      };
      set.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription.close();
  }

  private receive(text: string): void {
    let message: { provider?: unknown; accountId?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.provider !== 'string' || typeof message.accountId !== 'string') return;
    for (const wake of [...(this.waiters.get(account(message.provider, message.accountId)) ?? [])]) wake();
  }

  /** Lets go of the Redis lease if still ours, and (`wake`) tells the waiters. Never rejects. */
  private async releaseInRedis(provider: string, accountId: string, holder: string, wake: boolean): Promise<void> {
    const message = wake ? JSON.stringify({ provider, accountId }) : '';
    try {
      await RELEASE.run(this.redis.client, [this.leaseKey(provider, accountId)], [holder, this.subscription.channel, message]);
    } catch {
      // Redis is down: the lease runs out on its own, and the waiters poll.
    }
  }

  private leaseKey(provider: string, accountId: string): string {
    return this.redis.key(`lease:${provider}/${accountId}`);
  }
}

function account(provider: string, accountId: string): string {
  return `${provider}\u0000${accountId}`;
}

function held(provider: string, accountId: string, holder: string): string {
  return `${provider}\u0000${accountId}\u0000${holder}`;
}
