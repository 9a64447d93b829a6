// One pub/sub channel on the shared subscriber connection, kept subscribed for as long as it is
// open: subscribed at once when Redis is there, again each time the connection is ready after an
// outage (ioredis re-subscribes only channels whose SUBSCRIBE once succeeded, so a channel first
// asked for while Redis was down would otherwise never be), and `onSubscribed` told each time,
// so its owner can read what it missed meanwhile.
import type { SharedRedis } from './shared-redis';

export class RedisSubscription {
  readonly channel: string;
  private closed = false;
  /** Ends open()'s wait for a subscriber connection still being made. */
  private firstSubscribed?: () => void;
  private readonly onReady = () => void this.subscribe();
  private readonly onChannelMessage = (channel: string, message: string) => {
    if (channel === this.channel && !this.closed) this.onMessage(message);
  };

  constructor(
    private readonly redis: SharedRedis,
    /** Channel name under the key prefix. */
    name: string,
    private readonly onMessage: (message: string) => void,
    private readonly onSubscribed: () => void | Promise<void> = () => undefined,
  ) {
    this.channel = redis.key(name);
  }

  /**
   * Starts listening; resolves once subscribed (and `onSubscribed` has run), or when Redis cannot
   * be reached now — at once, or after `waitMs` for a subscriber connection still being made.
   */
  async open(waitMs = 1000): Promise<void> {
    this.redis.subscriber.on('message', this.onChannelMessage);
    if (this.redis.subscriber.status === 'ready') {
      this.redis.subscriber.on('ready', this.onReady);
      await this.subscribe();
      return;
    }
    const first = this.redis.up ? new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.firstSubscribed = () => {
        clearTimeout(timer);
        resolve();
      };
    }) : undefined;
    this.redis.subscriber.on('ready', this.onReady);
    await first;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.firstSubscribed?.();
    this.redis.subscriber.off('message', this.onChannelMessage);
    this.redis.subscriber.off('ready', this.onReady);
    await this.redis.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    if (this.closed) return;
    try {
      // Harmless when ioredis re-subscribed it already: Redis just confirms again.
      await this.redis.subscriber.subscribe(this.channel);
    } catch {
      // Down again (or still): the next 'ready' subscribes. SharedRedis has logged the outage.
      return;
    }
    if (this.closed) return;
    try {
      await this.onSubscribed();
    } catch {
      // The owner's catch-up failed (Redis went down again): the next 'ready' runs it again.
    }
    this.firstSubscribed?.();
    this.firstSubscribed = undefined;
  }
}
