// A piece of state each instance keeps in its own memory (cooldowns, quota snapshots) as the
// channel that keeps it in step with the other instances sees it: values they wrote come in,
// and after an outage ours go out again.

export interface Replica<V> {
  /** Another instance's value for `key` (or one read from Redis): kept when it is newer than ours. */
  apply(key: string, value: V): void;
  /** Another instance removed `key`. */
  remove(key: string): void;
  /** Another instance removed every key. */
  removeAll(): void;
  /** Our values still in force, offered to Redis again after an outage (Redis keeps the newer). */
  entries(): Iterable<[string, V]>;
}
