// How one instance's credential cooldowns reach the others. Routing keeps its cooldowns in its
// own memory and reads them there on every request; this channel only carries the changes: a
// credential benched here (a 429) is benched on every instance, a cooldown cleared here (an
// operator's reset, the credential answering again) is cleared everywhere. The in-process
// channel carries nothing — one instance, today's behaviour; with `redis:` it is
// RedisCooldownChannel.
//
// Keys are routing's credential keys: an instance name and a credential id (or an account), the
// same on every instance that runs the same providers.yaml.
import type { Replica } from './replica';

export interface SharedCooldown {
  /** When the credential is ready again (ms since epoch). */
  until: number;
  reason: string;
}

export abstract class CooldownChannel {
  /**
   * Starts applying the other instances' changes to `cooldowns`. Resolves once the cooldowns in
   * force now have been applied, or at once when they cannot be read (then later).
   */
  abstract connect(cooldowns: Replica<SharedCooldown>): Promise<void>;

  /** This instance benched the credential. Returns at once; never fails. */
  abstract coolDown(key: string, cooldown: SharedCooldown): void;

  /** This instance ended the credential's cooldown. Returns at once; never fails. */
  abstract clear(key: string): void;

  /** This instance ended every cooldown. Returns at once; never fails. */
  abstract clearAll(): void;
}

/** One instance: nothing to tell anybody. */
export class LocalCooldownChannel extends CooldownChannel {
  async connect(): Promise<void> {}
  coolDown(): void {}
  clear(): void {}
  clearAll(): void {}
}
