// A small map every instance keeps in memory and shares through Redis — the engine under the
// shared cooldowns and quota snapshots. Reads stay local (no round trip on the hot path); a write
// goes to Redis as one key with its expiry and is published in the same script, so the others
// apply it within milliseconds. The newer value wins everywhere by its rank (a cooldown's end, a
// snapshot's time): a script compares before it writes, and each replica compares before it
// applies. The map is read back whole from Redis when the subscription starts and after every
// outage, and what this instance wrote while Redis was away is offered again.
//
// Layout: `<prefix><name>:<key>` = `<rank>|<value as JSON>` with PX; messages on `<prefix><name>`
// carry the writer's id, so an instance ignores its own.
import { randomUUID } from 'node:crypto';
import type { Replica } from './replica';
import { RedisScript } from './redis-script';
import { RedisSubscription } from './redis-subscription';
import type { SharedRedis } from './shared-redis';

export interface ReplicatedMapOptions<V> {
  /** Where its keys and channel go, under the key prefix. */
  name: string;
  /** The larger rank is the newer value. */
  rank(value: V): number;
  /** How long Redis keeps the value from now; nothing is written when this is not positive. */
  ttlMs(value: V): number;
  /** Whether something read from Redis or a message is a value (another version may have written it). */
  isValue(value: unknown): value is V;
}

type Message<V> = { from: string; op: 'set'; key: string; value: V } | { from: string; op: 'delete'; key: string } | { from: string; op: 'clear' };

/** Keys removed by messages while a load runs, so a value it read before cannot bring them back. */
interface LoadWatch {
  keys: Set<string>;
  all: boolean;
}

const WRITE_IF_NEWER = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local rank = tonumber(string.match(current, '^([^|]*)|'))
  if rank and rank > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`);

const DELETE = new RedisScript(`
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`);

const SCAN_COUNT = 500;

export class RedisReplicatedMap<V> {
  /** This map's id in messages. */
  private readonly self = randomUUID();
  private readonly base: string;
  private readonly subscription: RedisSubscription;
  private replica?: Replica<V>;
  private stopWatching?: () => void;
  private readonly loads = new Set<LoadWatch>();

  constructor(
    private readonly redis: SharedRedis,
    private readonly options: ReplicatedMapOptions<V>,
  ) {
    this.base = redis.key(`${options.name}:`);
    this.subscription = new RedisSubscription(redis, options.name, (message) => this.receive(message), () => this.resync());
  }

  /**
   * Starts keeping `replica` in step. Resolves once what Redis holds has been applied to it, or at
   * once when Redis cannot be reached (then as soon as it can).
   */
  async connect(replica: Replica<V>): Promise<void> {
    this.replica = replica;
    // The command connection back after an outage: the subscriber may never have dropped, but
    // what we wrote meanwhile never reached Redis.
    this.stopWatching = this.redis.onStateChange((up) => {
      if (up) void this.resync().catch(() => undefined);
    });
    await this.subscription.open();
  }

  /** Writes `value` unless Redis holds a newer one, and tells the others. Never rejects. */
  async write(key: string, value: V): Promise<void> {
    const ttlMs = Math.ceil(this.options.ttlMs(value));
    if (ttlMs <= 0) return;
    const message: Message<V> = { from: this.self, op: 'set', key, value };
    try {
      await WRITE_IF_NEWER.run(this.redis.client, [this.base + key], [this.options.rank(value), JSON.stringify(value), ttlMs, this.subscription.channel, JSON.stringify(message)]);
    } catch {
      // Redis is down (SharedRedis said so once): our copy has it, the resync sends it later.
    }
  }

  /** Removes `key` everywhere. Never rejects. */
  async delete(key: string): Promise<void> {
    const message: Message<V> = { from: this.self, op: 'delete', key };
    try {
      await DELETE.run(this.redis.client, [this.base + key], [this.subscription.channel, JSON.stringify(message)]);
    } catch {
      // Redis is down: the key runs out there on its own.
    }
  }

  /** Removes every key everywhere. Never rejects. */
  async clear(): Promise<void> {
    const message: Message<V> = { from: this.self, op: 'clear' };
    try {
      await this.scan(async (keys) => {
        await this.redis.client.del(...keys);
      });
      await this.redis.client.publish(this.subscription.channel, JSON.stringify(message));
    } catch {
      // Redis is down: the keys run out there on their own.
    }
  }

  async close(): Promise<void> {
    this.stopWatching?.();
    await this.subscription.close();
  }

  /** Offers our values again (Redis keeps the newer), then applies everything Redis holds. */
  private async resync(): Promise<void> {
    const replica = this.replica;
    if (!replica) return;
    await Promise.all([...replica.entries()].map(([key, value]) => this.write(key, value)));
    const watch: LoadWatch = { keys: new Set(), all: false };
    this.loads.add(watch);
    try {
      await this.scan(async (keys) => {
        const values = await this.redis.client.mget(...keys);
        keys.forEach((redisKey, index) => {
          const key = redisKey.slice(this.base.length);
          const value = parseStored(values[index]);
          if (watch.all || watch.keys.has(key) || !this.options.isValue(value)) return;
          replica.apply(key, value);
        });
      });
    } finally {
      this.loads.delete(watch);
    }
  }

  /** Calls `page` with each non-empty page of this map's keys in Redis. */
  private async scan(page: (keys: string[]) => Promise<void>): Promise<void> {
    const pattern = escapeGlob(this.base) + '*';
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      if (keys.length > 0) await page(keys);
      cursor = next;
    } while (cursor !== '0');
  }

  private receive(text: string): void {
    const replica = this.replica;
    if (!replica) return;
    let message: Message<V>;
    try {
      message = JSON.parse(text) as Message<V>;
    } catch {
      return;
    }
    if (message.from === this.self) return;
    switch (message.op) {
      case 'set':
        if (typeof message.key === 'string' && this.options.isValue(message.value)) replica.apply(message.key, message.value);
        return;
      case 'delete':
        if (typeof message.key !== 'string') return;
        for (const watch of this.loads) watch.keys.add(message.key);
        replica.remove(message.key);
        return;
      case 'clear':
        for (const watch of this.loads) watch.all = true;
        replica.removeAll();
        return;
    }
  }
}

/** The value of `<rank>|<json>`, or undefined for anything else. */
function parseStored(stored: string | null): unknown {
  if (stored === null) return undefined;
  const bar = stored.indexOf('|');
  if (bar < 0) return undefined;
  try {
    return JSON.parse(stored.slice(bar + 1)) as unknown;
  } catch {
    return undefined;
  }
}

/** `text` matched literally by a SCAN pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, '\\$&');
}
