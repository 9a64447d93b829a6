// The embedded ProviderOverridesStore: two tables in $BYOKEY_HOME/byokey.db (migration 5) on the
// connection the account store opened, upstream keys sealed with the same secret key as account
// tokens, each bound to its instance and label.
import type Database from 'better-sqlite3';
import {
  ProviderOverridesStore,
  type InstanceOverrides,
  type NewRuntimeApiKey,
  type RuntimeApiKey,
  runtimeKeyContext,
} from '../provider-overrides-store';
import type { TokenCipher } from '../token-cipher';
import { openEach, warnUnreadable, type UnreadableReporter } from '../unreadable-secrets';

interface OverrideRow {
  instance: string;
  enabled: number | null;
}

interface KeyRow {
  instance: string;
  label: string;
  key: Buffer;
  base_url: string | null;
  created_at: number;
}

export class SqliteProviderOverridesStore extends ProviderOverridesStore {
  private readonly selectOverrides: Database.Statement<[], OverrideRow>;
  private readonly selectKeys: Database.Statement<[], KeyRow>;
  private readonly upsertEnabled: Database.Statement<[{ instance: string; enabled: number | null; now: number }]>;
  private readonly insertKey: Database.Statement<[{ instance: string; label: string; key: Buffer; baseUrl: string | null; now: number }]>;
  private readonly deleteKey: Database.Statement<[{ instance: string; label: string }]>;

  constructor(
    db: Database.Database,
    private readonly cipher: TokenCipher,
    private readonly now: () => number = Date.now,
    /** Told about each key `list` leaves out because it cannot be opened (see unreadable-secrets.ts). */
    private readonly reportUnreadable: UnreadableReporter = warnUnreadable,
  ) {
    super();
    this.selectOverrides = db.prepare('SELECT instance, enabled FROM provider_overrides ORDER BY instance');
    this.selectKeys = db.prepare(
      'SELECT instance, label, key, base_url, created_at FROM provider_runtime_keys ORDER BY instance, seq',
    );
    this.upsertEnabled = db.prepare(`
      INSERT INTO provider_overrides (instance, enabled, updated_at) VALUES (@instance, @enabled, @now)
      ON CONFLICT (instance) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`);
    // seq keeps the order keys were added in, even when two land in the same millisecond.
    this.insertKey = db.prepare(`
      INSERT INTO provider_runtime_keys (instance, label, key, base_url, created_at, seq)
      VALUES (@instance, @label, @key, @baseUrl, @now,
              (SELECT coalesce(max(seq), 0) + 1 FROM provider_runtime_keys WHERE instance = @instance))
      ON CONFLICT (instance, label) DO NOTHING`);
    this.deleteKey = db.prepare('DELETE FROM provider_runtime_keys WHERE instance = @instance AND label = @label');
  }

  async list(): Promise<InstanceOverrides[]> {
    const byInstance = new Map<string, InstanceOverrides>();
    const entry = (instance: string): InstanceOverrides => {
      let found = byInstance.get(instance);
      if (!found) byInstance.set(instance, (found = { instance, keys: [] }));
      return found;
    };
    for (const row of this.selectOverrides.all()) {
      if (row.enabled !== null) entry(row.instance).enabled = row.enabled === 1;
    }
    const keys = openEach(
      this.selectKeys.all(),
      (row) => ({ row, key: this.cipher.decryptSecret(runtimeKeyContext(row.instance, row.label), row.key) }),
      this.reportUnreadable,
    );
    for (const { row, key: secret } of keys) {
      const key: RuntimeApiKey = { label: row.label, key: secret, createdAt: row.created_at };
      if (row.base_url !== null) key.baseUrl = row.base_url;
      entry(row.instance).keys.push(key);
    }
    return [...byInstance.values()].sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
  }

  async setEnabled(instance: string, enabled: boolean | undefined): Promise<void> {
    this.upsertEnabled.run({ instance, enabled: enabled === undefined ? null : Number(enabled), now: this.now() });
  }

  async addKey(instance: string, key: NewRuntimeApiKey): Promise<RuntimeApiKey | undefined> {
    const now = this.now();
    const sealed = this.cipher.encryptSecret(runtimeKeyContext(instance, key.label), key.key);
    const written = this.insertKey.run({ instance, label: key.label, key: sealed, baseUrl: key.baseUrl ?? null, now });
    if (written.changes === 0) return undefined;
    const added: RuntimeApiKey = { label: key.label, key: key.key, createdAt: now };
    if (key.baseUrl !== undefined) added.baseUrl = key.baseUrl;
    return added;
  }

  async removeKey(instance: string, label: string): Promise<boolean> {
    return this.deleteKey.run({ instance, label }).changes > 0;
  }
}
