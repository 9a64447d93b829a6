// The Redis connection several gateway instances share state through (`redis:` in
// providers.yaml): one client for commands, one for pub/sub (a subscribed connection can do
// nothing else), every key under the configured prefix. Without `redis:` there is no client and
// every piece of shared state stays in this process.
//
// Redis going away must never fail a request: commands fail at once instead of queueing
// (`enableOfflineQueue: false`), each is bounded by a timeout, the client reconnects in the
// background, and the outage is logged once (and once more when it ends) and shown by `up`.
import { Logger } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisSettings } from '../../config/gateway-config';

/** A command that takes longer than this counts as failed (Redis answers in well under 1 ms). */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** How long to wait between reconnection attempts while Redis is down. */
export const REDIS_RECONNECT_MS = 500;

export type RedisStateListener = (up: boolean) => void;

export class SharedRedis {
  private readonly logger = new Logger('SharedRedis');
  /** For commands. */
  readonly client: Redis;
  /** For SUBSCRIBE only. */
  readonly subscriber: Redis;
  /** Undefined until the first connection attempt ends either way. */
  private state: boolean | undefined;
  private everUp = false;
  private closing = false;
  private readonly listeners = new Set<RedisStateListener>();

  constructor(readonly settings: RedisSettings) {
    const options: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      retryStrategy: () => REDIS_RECONNECT_MS,
      // The client's own errors are reported through `up` (once per outage), not as events nobody handles.
      lazyConnect: false,
    };
    // ioredis is loaded with the first connection, not at start: a gateway without `redis:` never pays its memory.
    const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
    // Auto-pipelining: the commands of many concurrent requests issued in one tick leave in one write.
    this.client = new RedisClient(settings.url, { ...options, connectionName: 'byokey', enableAutoPipelining: true });
    // No ioredis auto-resubscribe: each channel subscribes itself on every 'ready' and catches its
    // failure (redis-subscription.ts); ioredis' own would reject unhandled when the connection
    // drops again before its SUBSCRIBE is sent.
    this.subscriber = new RedisClient(settings.url, { ...options, commandTimeout: undefined, connectionName: 'byokey-sub', autoResubscribe: false });
    this.client.on('ready', () => this.setUp(true));
    this.client.on('error', () => this.setUp(false));
    this.client.on('close', () => this.setUp(false));
    // The subscriber's errors are the same outage; without a listener ioredis would log them itself.
    this.subscriber.on('error', () => undefined);
  }

  /** `name` under the configured prefix. */
  key(name: string): string {
    return this.settings.keyPrefix + name;
  }

  /** Whether the last thing heard from Redis was that it works. */
  get up(): boolean {
    return this.state === true;
  }

  /** Called with every change between up and down. */
  onStateChange(listener: RedisStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the first connection is made, or after `timeoutMs` (then `up` is false). */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.state === true) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        stop();
        resolve(false);
      }, timeoutMs);
      const stop = this.onStateChange((up) => {
        if (!up) return;
        clearTimeout(timer);
        stop();
        resolve(true);
      });
    });
  }

  /** Round trip to Redis, for readiness: rejects when it cannot be reached. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.listeners.clear();
    // QUIT lets a connected client finish what it sent; one that is not connected just stops
    // trying (a QUIT would wait for a reconnection that may never come).
    await Promise.allSettled(
      [this.client, this.subscriber].map((connection) => (connection.status === 'ready' ? connection.quit() : connection.disconnect())),
    );
  }

  private setUp(up: boolean): void {
    if (this.closing || up === this.state) return;
    this.state = up;
    if (up) {
      if (this.everUp) this.logger.warn(`Redis at ${redact(this.settings.url)} is reachable again: shared state is back`);
      this.everUp = true;
    } else {
      this.logger.warn(
        `Redis at ${redact(this.settings.url)} cannot be reached: this instance goes on with its own state ` +
          `(limits ${this.settings.limitsOnOutage === 'open' ? 'not enforced across instances' : 'refuse limited keys'}) until it is back`,
      );
    }
    for (const listener of this.listeners) listener(up);
  }
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
