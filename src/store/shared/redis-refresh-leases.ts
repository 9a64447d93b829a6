// The refresh lease in Redis, for several gateway instances: exactly one refresher per account
// at a time, the others told the moment it lets go (instead of finding out at their next poll).
// Taking a free lease is SET NX PX with a fencing token from INCR; renewing, releasing and taking
// over a dead holder's lease are scripts that compare the holder first. The value is
// `<fence>|<heartbeat ms>|<holder>`, its expiry the lease's.
//
// Redis down must not fail a refresh: the store's own lease (AccountStore) is used instead, and
// that holder renews and releases it there. While Redis is down for some instances only, one on
// each side could refresh at once; the token write stays fenced by the account version, and this
// is the price of never waiting on Redis.
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
 * KEYS: lease. ARGV: holder, channel, message. Deletes the lease if the holder holds it; tells the
 * waiters either way (the holder is done: new tokens may be in the store).
 */
const RELEASE = new RedisScript(`
local current = redis.call('GET', KEYS[1])
local released = 0
if current and string.match(current, '^%d+|%d+|(.*)$') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  released = 1
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return released`);

export class RedisRefreshLeases {
  private readonly subscription: RedisSubscription;
  /** Leases this process took in the store because Redis was down: renewed and released there. */
  private readonly inStore = new Set<string>();
  /** Waiters for a holder to let go, by account. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: SharedRedis,
    /** The fallback while Redis is down. */
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
    let fence: unknown;
    try {
      fence = await ACQUIRE.run(this.redis.client, [this.leaseKey(provider, accountId), this.redis.key('lease-fence')], [holder, ttlMs, this.now(), takeOverFrom ?? '']);
    } catch {
      const taken = await this.store.acquireRefreshLease(provider, accountId, holder, ttlMs, takeOverFrom);
      if (taken) this.inStore.add(held(provider, accountId, holder));
      return taken;
    }
    this.inStore.delete(held(provider, accountId, holder));
    return typeof fence === 'number' && fence > 0;
  }

  /** Rejects when Redis cannot be reached (the heartbeat tries again; the lease may run out meanwhile). */
  async renew(provider: string, accountId: string, holder: string, ttlMs: number): Promise<boolean> {
    if (this.inStore.has(held(provider, accountId, holder))) return this.store.renewRefreshLease(provider, accountId, holder, ttlMs);
    return (await RENEW.run(this.redis.client, [this.leaseKey(provider, accountId)], [holder, ttlMs, this.now()])) === 1;
  }

  async release(provider: string, accountId: string, holder: string): Promise<void> {
    if (this.inStore.delete(held(provider, accountId, holder))) {
      await this.store.releaseRefreshLease(provider, accountId, holder);
      return;
    }
    const message = JSON.stringify({ provider, accountId });
    try {
      await RELEASE.run(this.redis.client, [this.leaseKey(provider, accountId)], [holder, this.subscription.channel, message]);
    } catch {
      // Redis is down: the lease runs out on its own, and the waiters poll.
    }
  }

  async get(provider: string, accountId: string): Promise<RedisRefreshLease | RefreshLease | undefined> {
    let answer: [error: Error | null, result: unknown][] | null;
    try {
      answer = await this.redis.client.multi().get(this.leaseKey(provider, accountId)).pttl(this.leaseKey(provider, accountId)).exec();
    } catch {
      return this.store.getRefreshLease(provider, accountId);
    }
    const value = answer?.[0]?.[1];
    const ttl = answer?.[1]?.[1];
    if (typeof value !== 'string' || typeof ttl !== 'number') return undefined;
    const match = /^(\d+)\|(\d+)\|(.*)$/s.exec(value);
    if (!match) return undefined;
    return { holder: match[3], fence: Number(match[1]), heartbeatAt: Number(match[2]), until: this.now() + Math.max(0, ttl) };
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
