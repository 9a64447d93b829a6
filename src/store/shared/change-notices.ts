// Change notices between gateway instances: "client keys changed", "accounts changed",
// "providers changed", "reload your configuration". The instance that made a change (over the
// admin API, or on its own: an account needing a new login) publishes one; every other instance
// drops what it keeps of that thing and reads it again, within a second, instead of waiting for
// a cache to run out. A notice carries no data — the store is the truth — and an instance never
// hears its own. In one process (no `redis:`) there is nobody to tell: LocalChangeNotices.
export const CHANGE_KINDS = ['client-keys', 'accounts', 'providers', 'config-reload'] as const;

/**
 * - `client-keys`: a client key was created, updated or revoked.
 * - `accounts`: a login, logout or import; the default account or an account's status changed.
 * - `providers`: a runtime change to a provider instance (enabled, upstream keys) in the store.
 * - `config-reload`: an operator asked for a reload: each instance re-reads its own providers.yaml.
 */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ChangeNotice {
  kind: ChangeKind;
  /** The publishing instance's id. */
  from: string;
  /** When it was published (ms since epoch, the publisher's clock). */
  at: number;
  /** What changed, for logs (never a secret). */
  detail?: string;
}

export type ChangeListener = (notice: ChangeNotice) => void;

export abstract class ChangeNotices {
  /** This instance's id in the notices it publishes. */
  abstract readonly instanceId: string;

  /**
   * Tells the other instances. Resolves once the notice is on its way (or could not be sent:
   * Redis down — then the others catch up by their own timers); never rejects.
   */
  abstract publish(kind: ChangeKind, detail?: string): Promise<void>;

  /** Calls `listener` with every notice of this kind from another instance; returns the unsubscribe. */
  abstract subscribe(kind: ChangeKind, listener: ChangeListener): () => void;
}
