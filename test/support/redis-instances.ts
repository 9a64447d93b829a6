// Several gateway "instances" in one test process, each its own SharedRedis on the machine's
// Redis, all under one random key prefix that is deleted afterwards (so test files can run side
// by side); and a wait for something another instance should see soon.
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { SharedRedis } from '../../src/store/shared/shared-redis';
import { deleteRedisPrefix, REDIS_URL } from './shared-services';

/** Nothing listens there: Redis unreachable. */
export const NOWHERE_URL = 'redis://127.0.0.1:1';

export class RedisInstances {
  readonly prefix = `test:state:${randomBytes(6).toString('hex')}:`;
  private readonly opened: SharedRedis[] = [];

  /** A new instance's connection, connected (or, for NOWHERE_URL, trying). */
  async open(url = REDIS_URL): Promise<SharedRedis> {
    const redis = new SharedRedis({ url, keyPrefix: this.prefix, limitsOnOutage: 'open' });
    this.opened.push(redis);
    if (url !== NOWHERE_URL && !(await redis.ready(5000))) throw new Error(`Redis at ${url} is not reachable`);
    return redis;
  }

  /** Closes every connection and deletes every key under the prefix. */
  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((redis) => redis.close()));
    await deleteRedisPrefix(this.prefix);
  }
}

/** Polls `probe` (every 5 ms) until it gives something other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 1000, what = 'the change'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not arrive within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Cuts one connection from the Redis side (CLIENT KILL), as a network failure would: ioredis sees
 * it close and connects again REDIS_RECONNECT_MS later.
 */
export async function cutConnection(connection: Redis): Promise<void> {
  const admin = new Redis(REDIS_URL);
  try {
    await admin.client('KILL', 'ADDR', `${connection.stream.localAddress}:${connection.stream.localPort}`);
  } finally {
    admin.disconnect();
  }
}
