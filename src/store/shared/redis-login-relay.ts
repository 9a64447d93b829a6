// Shared logins through Redis: each login's public view is one key, `<prefix>login:<id>`, that
// expires with the login (the owner sets its expiry on every share); a pasted redirect address
// goes to the owner as a message on its own channel, `<prefix>login-handover:<instance id>` —
// pub/sub keeps nothing, so the one-time code it carries is never stored, and PUBLISH counting
// the owner's subscription alone tells a live owner from one that crashed (its connection gone)
// before its last share ran out (PUBSUB NUMSUB asks the same without sending anything).
// While Redis is down nothing is shared: each instance answers for its own logins only, as
// without `redis:`, and the owner's next share (at the latest its periodic one) catches up.
import { randomUUID } from 'node:crypto';
import { deliverHandOver, isRelayedLogin, LoginRelay, type HandOverListener, type RelayedLogin } from './login-relay';
import { RedisSubscription } from './redis-subscription';
import type { SharedRedis } from './shared-redis';

/** A message on the hand-over channel. */
interface HandOverMessage {
  /** The owner's instance id. */
  to: string;
  id: string;
  pasted: string;
}

/** Instance `instanceId`'s hand-over channel, under the key prefix. */
const handOverChannel = (instanceId: string) => `login-handover:${instanceId}`;

export class RedisLoginRelay extends LoginRelay {
  readonly instanceId = randomUUID();
  private readonly listeners = new Set<HandOverListener>();
  private readonly subscription: RedisSubscription;
  private opened?: Promise<void>;

  constructor(private readonly redis: SharedRedis) {
    super();
    this.subscription = new RedisSubscription(redis, handOverChannel(this.instanceId), (message) => this.receive(message));
  }

  /** Subscribes; resolves once subscribed, or at once when Redis cannot be reached now. */
  open(): Promise<void> {
    this.opened ??= this.subscription.open();
    return this.opened;
  }

  async share(id: string, login: RelayedLogin, ttlMs: number): Promise<void> {
    const px = Math.ceil(ttlMs);
    if (px <= 0) return;
    try {
      await this.redis.client.set(this.key(id), JSON.stringify(login), 'PX', px);
    } catch {
      // Redis is down (SharedRedis said so once): the owner shares it again soon.
    }
  }

  async read(id: string): Promise<RelayedLogin | undefined> {
    let text: string | null;
    try {
      text = await this.redis.client.get(this.key(id));
    } catch {
      return undefined;
    }
    if (text === null) return undefined;
    try {
      const login = JSON.parse(text) as unknown;
      return isRelayedLogin(login) ? login : undefined;
    } catch {
      return undefined;
    }
  }

  async handOver(owner: string, id: string, pasted: string): Promise<boolean> {
    const message: HandOverMessage = { to: owner, id, pasted };
    try {
      // PUBLISH counts the channel's subscribers: only the owner subscribes to its channel, so
      // none means it is not listening (stopped, crashed, or cut off from Redis).
      return (await this.redis.client.publish(this.redis.key(handOverChannel(owner)), JSON.stringify(message))) > 0;
    } catch {
      return false;
    }
  }

  async isListening(owner: string): Promise<boolean> {
    try {
      // PUBSUB NUMSUB answers [channel, count]: the owner is the one subscriber of its channel.
      const [, count] = (await this.redis.client.pubsub('NUMSUB', this.redis.key(handOverChannel(owner)))) as [string, number | string];
      return Number(count) > 0;
    } catch {
      return true;
    }
  }

  onHandOver(listener: HandOverListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription.close();
  }

  private key(id: string): string {
    return this.redis.key(`login:${id}`);
  }

  private receive(text: string): void {
    let message: Partial<HandOverMessage>;
    try {
      message = JSON.parse(text) as Partial<HandOverMessage>;
    } catch {
      return;
    }
    if (message.to !== this.instanceId || typeof message.id !== 'string' || typeof message.pasted !== 'string') return;
    for (const listener of this.listeners) deliverHandOver(listener, message.id, message.pasted);
  }
}
