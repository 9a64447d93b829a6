// The machine's Redis for tests of several gateway instances (PostgreSQL is in postgres.ts): each
// test file gets its own key prefix, removed afterwards, so test files can run side by side.
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export { dropSchema, rawQuery as queryIn, TEST_DATABASE_URL as POSTGRES_URL } from './postgres';

export const REDIS_URL = process.env.BYOKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh lower-case name such as `t_cluster_3fa9c1d2`. */
export function uniqueName(tag: string): string {
  return `t_${tag}_${randomBytes(4).toString('hex')}`;
}

/** Deletes every Redis key under a prefix. */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
