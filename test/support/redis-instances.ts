// Several gateway "instances" in one test process, each its own SharedRedis on the machine's
// Redis, all under one random key prefix that is deleted afterwards (so test files can run side
// by side); and a wait for something another instance should see soon.
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { SharedRedis } from '../../src/store/shared/shared-redis';
import { deleteRedisPrefix, REDIS_URL } from './shared-services';

/** Nothing listens there: Redis unreachable. */
export const NOWHERE_URL = 'redis://127.0.0.1:1';

export class RedisInstances {
  readonly prefix = `test:state:${randomBytes(6).toString('hex')}:`;
  private readonly opened: SharedRedis[] = [];

  /** A new instance's connection: connected, or (NOWHERE_URL, or `connected` false) still trying. */
  async open(url = REDIS_URL, connected = url !== NOWHERE_URL): Promise<SharedRedis> {
    const redis = new SharedRedis({ url, keyPrefix: this.prefix, limitsOnOutage: 'open' });
    this.opened.push(redis);
    if (connected && !(await redis.ready(5000))) throw new Error(`Redis at ${url} is not reachable`);
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

/**
 * A TCP relay to the machine's Redis that can be switched off and on, for an instance whose Redis
 * is down at start or goes away: off, its port refuses connections and open ones are cut.
 */
export class RedisRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  /** The URL that reaches Redis through the relay while it is on. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Picks the relay's port without listening yet (the relay starts off). */
  async reserve(): Promise<void> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    this.port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }

  async on(): Promise<void> {
    const target = new URL(REDIS_URL);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async off(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
