// Change notices through Redis pub/sub: one channel (`<prefix>changes`), a JSON message per
// notice carrying the publisher's id so it can ignore its own. Delivery is at most once, as
// pub/sub is: a notice sent while an instance is cut off from Redis is lost to it, and its
// caches catch up by their own timers (client keys: the store's revision, accounts: 2 s).
import { randomUUID } from 'node:crypto';
import { CHANGE_KINDS, ChangeNotices, type ChangeKind, type ChangeListener, type ChangeNotice } from './change-notices';
import { deliver } from './local-change-notices';
import { RedisSubscription } from './redis-subscription';
import type { SharedRedis } from './shared-redis';

export class RedisChangeNotices extends ChangeNotices {
  readonly instanceId = randomUUID();
  private readonly listeners = new Map<ChangeKind, Set<ChangeListener>>();
  private readonly subscription: RedisSubscription;
  private opened?: Promise<void>;

  constructor(private readonly redis: SharedRedis) {
    super();
    this.subscription = new RedisSubscription(redis, 'changes', (message) => this.receive(message));
  }

  /** Subscribes; resolves once subscribed, or at once when Redis cannot be reached now. */
  open(): Promise<void> {
    this.opened ??= this.subscription.open();
    return this.opened;
  }

  async publish(kind: ChangeKind, detail?: string): Promise<void> {
    const notice: ChangeNotice = { kind, from: this.instanceId, at: Date.now(), detail };
    try {
      await this.redis.client.publish(this.subscription.channel, JSON.stringify(notice));
    } catch {
      // Redis is down (SharedRedis said so once): the others catch up by their own timers.
    }
  }

  subscribe(kind: ChangeKind, listener: ChangeListener): () => void {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription.close();
  }

  private receive(text: string): void {
    let notice: ChangeNotice;
    try {
      notice = JSON.parse(text) as ChangeNotice;
    } catch {
      return;
    }
    if (notice.from === this.instanceId || !(CHANGE_KINDS as readonly string[]).includes(notice.kind)) return;
    for (const listener of this.listeners.get(notice.kind) ?? []) deliver(listener, notice);
  }
}
