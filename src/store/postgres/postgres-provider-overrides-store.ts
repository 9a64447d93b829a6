// The ProviderOverridesStore on the shared PostgreSQL database: two tables (migration 4),
// upstream keys sealed with the same secret key as account tokens, each bound to its instance
// and label, exactly as the SQLite store seals them.
import {
  ProviderOverridesStore,
  type InstanceOverrides,
  type NewRuntimeApiKey,
  type RuntimeApiKey,
  runtimeKeyContext,
} from '../provider-overrides-store';
import { openEach } from '../unreadable-secrets';
import type { PostgresDatabase } from './postgres-database';

interface OverrideRow {
  instance: string;
  enabled: boolean | null;
}

interface KeyRow {
  instance: string;
  label: string;
  key: Buffer;
  base_url: string | null;
  created_at: number;
}

const SQL = {
  overrides: 'SELECT instance, enabled FROM provider_overrides ORDER BY instance',
  keys: 'SELECT instance, label, key, base_url, created_at FROM provider_runtime_keys ORDER BY instance, seq',
  upsertEnabled: `
    INSERT INTO provider_overrides (instance, enabled, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (instance) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at`,
  insertKey: `
    INSERT INTO provider_runtime_keys (instance, label, key, base_url, created_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (instance, label) DO NOTHING`,
  deleteKey: 'DELETE FROM provider_runtime_keys WHERE instance = $1 AND label = $2',
} as const;

export class PostgresProviderOverridesStore extends ProviderOverridesStore {
  constructor(
    private readonly database: PostgresDatabase,
    private readonly now: () => number = database.now,
  ) {
    super();
  }

  async list(): Promise<InstanceOverrides[]> {
    const [overrides, keys] = await Promise.all([
      this.database.query<OverrideRow>(SQL.overrides),
      this.database.query<KeyRow>(SQL.keys),
    ]);
    const byInstance = new Map<string, InstanceOverrides>();
    const entry = (instance: string): InstanceOverrides => {
      let found = byInstance.get(instance);
      if (!found) byInstance.set(instance, (found = { instance, keys: [] }));
      return found;
    };
    for (const row of overrides.rows) {
      if (row.enabled !== null) entry(row.instance).enabled = row.enabled;
    }
    const opened = openEach(
      keys.rows,
      (row) => ({ row, key: this.database.cipher.decryptSecret(runtimeKeyContext(row.instance, row.label), row.key) }),
      this.database.reportUnreadable,
    );
    for (const { row, key: secret } of opened) {
      const key: RuntimeApiKey = { label: row.label, key: secret, createdAt: row.created_at };
      if (row.base_url !== null) key.baseUrl = row.base_url;
      entry(row.instance).keys.push(key);
    }
    return [...byInstance.values()].sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
  }

  async setEnabled(instance: string, enabled: boolean | undefined): Promise<void> {
    await this.database.query(SQL.upsertEnabled, [instance, enabled ?? null, Math.floor(this.now())]);
  }

  async addKey(instance: string, key: NewRuntimeApiKey): Promise<RuntimeApiKey | undefined> {
    const now = Math.floor(this.now());
    const sealed = this.database.cipher.encryptSecret(runtimeKeyContext(instance, key.label), key.key);
    const { rowCount } = await this.database.query(SQL.insertKey, [instance, key.label, sealed, key.baseUrl ?? null, now]);
    if (rowCount === 0) return undefined;
    const added: RuntimeApiKey = { label: key.label, key: key.key, createdAt: now };
    if (key.baseUrl !== undefined) added.baseUrl = key.baseUrl;
    return added;
  }

  async removeKey(instance: string, label: string): Promise<boolean> {
    return (await this.database.query(SQL.deleteKey, [instance, label])).rowCount > 0;
  }
}
