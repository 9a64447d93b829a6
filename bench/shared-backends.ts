// The machine's PostgreSQL and Redis for the `shared` target: a schema and a key prefix of its
// own, removed after the run. BENCH_POSTGRES_URL / BENCH_REDIS_URL point elsewhere.
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { SharedBackends } from './processes';

export function sharedBackends(env: NodeJS.ProcessEnv = process.env): SharedBackends {
  const tag = randomBytes(4).toString('hex');
  return {
    postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    schema: `bench_${tag}`,
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    keyPrefix: `bench-${tag}:`,
  };
}

export async function dropSharedBackends(backends: SharedBackends): Promise<void> {
  const pg = new Client({ connectionString: backends.postgresUrl });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${backends.schema}" CASCADE`).finally(() => pg.end());
  const redis = new Redis(backends.redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${backends.keyPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
