// Credential cooldowns shared through Redis: each is a key that expires when the cooldown ends,
// published as it is written; every instance applies the others' to its own copy, and reads them
// all back at start and after an outage. A later end wins, as it does within one instance.
import { CooldownChannel, type SharedCooldown } from './cooldown-channel';
import { RedisReplicatedMap } from './redis-replicated-map';
import type { Replica } from './replica';
import type { SharedRedis } from './shared-redis';

export class RedisCooldownChannel extends CooldownChannel {
  private readonly map: RedisReplicatedMap<SharedCooldown>;

  constructor(redis: SharedRedis, now: () => number = Date.now) {
    super();
    this.map = new RedisReplicatedMap<SharedCooldown>(redis, {
      name: 'cooldown',
      rank: (cooldown) => cooldown.until,
      // Instances' clocks agree to well under a second (NTP), far less than any cooldown.
      ttlMs: (cooldown) => cooldown.until - now(),
      isValue: isCooldown,
    });
  }

  connect(cooldowns: Replica<SharedCooldown>): Promise<void> {
    return this.map.connect(cooldowns);
  }

  coolDown(key: string, cooldown: SharedCooldown): void {
    void this.map.write(key, cooldown);
  }

  clear(key: string): void {
    void this.map.delete(key);
  }

  clearAll(): void {
    void this.map.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.map.close();
  }
}

function isCooldown(value: unknown): value is SharedCooldown {
  const v = value as Partial<SharedCooldown> | null;
  return typeof v === 'object' && v !== null && typeof v.until === 'number' && typeof v.reason === 'string';
}
