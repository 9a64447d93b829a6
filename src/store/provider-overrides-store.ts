// The storage contract for runtime changes to provider instances made over the admin API: an
// instance switched on or off, upstream API keys added. providers.yaml stays the base; these are
// laid over it at start and at every reload (registry/provider-overrides.ts). The embedded driver
// is SQLite (sqlite/); a PostgreSQL one joins for multi-instance deployments. Abstract class
// rather than interface so it can be a DI token.

/** An upstream API key added at runtime, in the clear (the store keeps it encrypted). */
export interface RuntimeApiKey {
  /** Names the key within its instance (`team-a`); never all digits, so it cannot pass for an index. */
  label: string;
  key: string;
  /** The key's own upstream root, like `api_keys[].base_url` in the file. */
  baseUrl?: string;
  createdAt: number;
}

/** Everything changed at runtime for one instance. */
export interface InstanceOverrides {
  instance: string;
  /** Overrides the file's `enabled`; undefined: the file decides. */
  enabled?: boolean;
  /** In the order they were added. */
  keys: RuntimeApiKey[];
}

export interface NewRuntimeApiKey {
  label: string;
  key: string;
  baseUrl?: string;
}

/**
 * What a runtime key's sealed value is bound to: copied onto another row it no longer opens. One
 * definition for both backends and for `byokey rekey`, which re-seals it.
 */
export function runtimeKeyContext(instance: string, label: string): string[] {
  return ['upstream-key', instance, label];
}

export abstract class ProviderOverridesStore {
  /**
   * Every instance with any runtime change, by instance name. A key whose sealed value cannot be
   * opened (another secret key sealed it) is left out and reported, not thrown: see
   * unreadable-secrets.ts.
   */
  abstract list(): Promise<InstanceOverrides[]>;

  /** Sets (true/false) or clears (undefined: back to the file's value) the instance's `enabled`. */
  abstract setEnabled(instance: string, enabled: boolean | undefined): Promise<void>;

  /** Adds a key; undefined (nothing written) when the instance already has a key with that label. */
  abstract addKey(instance: string, key: NewRuntimeApiKey): Promise<RuntimeApiKey | undefined>;

  /** Removes a key by label; false when there was none. */
  abstract removeKey(instance: string, label: string): Promise<boolean>;
}
