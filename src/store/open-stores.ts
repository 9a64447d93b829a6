// Opens every store on the backend `store:` names — the embedded SQLite database in BYOKEY_HOME,
// or a shared PostgreSQL schema — for the gateway (store.module.ts) and for the CLI commands
// (cli/open-store.ts) alike, so both always read and write the same place.
import type Database from 'better-sqlite3';
import type { StoreSettings } from '../config/gateway-config';
import type { AccountStore } from './account-store';
import type { ClientKeyStore } from './client-key-store';
import { PostgresAccountStore } from './postgres/postgres-account-store';
import { PostgresClientKeyStore } from './postgres/postgres-client-key-store';
import { PostgresDatabase } from './postgres/postgres-database';
import { PostgresProviderOverridesStore } from './postgres/postgres-provider-overrides-store';
import { PostgresQuotaSnapshotStore } from './postgres/postgres-quota-snapshot-store';
import { PostgresSecretRotation } from './postgres/postgres-secret-rotation';
import { PostgresStoreProbe } from './postgres/postgres-store-probe';
import { PostgresUsageStore } from './postgres/postgres-usage-store';
import type { ProviderOverridesStore } from './provider-overrides-store';
import type { QuotaSnapshotStore } from './quota-snapshot-store';
import type { SecretRotation } from './secret-rotation';
import { SqliteAccountStore } from './sqlite/sqlite-account-store';
import { SqliteClientKeyStore } from './sqlite/sqlite-client-key-store';
import { SqliteProviderOverridesStore } from './sqlite/sqlite-provider-overrides-store';
import { SqliteQuotaSnapshotStore } from './sqlite/sqlite-quota-snapshot-store';
import { SqliteSecretRotation } from './sqlite/sqlite-secret-rotation';
import { SqliteUsageStore } from './sqlite/sqlite-usage-store';
import { StoreProbe } from './store-probe';
import type { UnreadableReporter } from './unreadable-secrets';
import type { UsageStore } from './usage-store';

export interface Stores {
  accounts: AccountStore;
  clientKeys: ClientKeyStore;
  usage: UsageStore;
  providerOverrides: ProviderOverridesStore;
  /** The quota windows each account last reported, kept here when there is no Redis. */
  quotaSnapshots: QuotaSnapshotStore;
  probe: StoreProbe;
  /** Re-seals every sealed value with the current secret key (`byokey rekey`). */
  rotation: SecretRotation;
  /** The embedded database connection; only with SQLite. */
  sqlite?: Database.Database;
  /** Where the data is, for `byokey status`: the database file, or the PostgreSQL URL without its password. */
  location: string;
  /** Closes the database (or ends the pool) every store here runs on. */
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  /** $BYOKEY_HOME: the SQLite file and the secret key file live here. */
  home: string;
  store: StoreSettings;
  /** Where BYOKEY_SECRET_KEY (and BYOKEY_SECRET_KEY_PREVIOUS) is read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** PostgreSQL only: an idle pooled connection failed (reported, then replaced on the next query). */
  onIdleError?: (error: Error) => void;
  /** An account or runtime key a list left out because its sealed value cannot be opened; default a process warning. */
  onUnreadable?: UnreadableReporter;
}

/** Throws a StoreError, having changed nothing, when the store cannot be opened. */
export async function openStores(options: OpenStoresOptions): Promise<Stores> {
  return options.store.kind === 'postgres' ? openPostgres(options, options.store) : openSqlite(options);
}

function openSqlite(options: OpenStoresOptions): Stores {
  const accounts = SqliteAccountStore.open({ home: options.home, env: options.env, onUnreadable: options.onUnreadable });
  const db = accounts.connection;
  return {
    accounts,
    clientKeys: new SqliteClientKeyStore(db),
    usage: new SqliteUsageStore(db),
    providerOverrides: new SqliteProviderOverridesStore(db, accounts.tokenCipher, Date.now, accounts.reportUnreadable),
    quotaSnapshots: new SqliteQuotaSnapshotStore(db),
    probe: new SqliteStoreProbe(db),
    rotation: new SqliteSecretRotation(db, accounts.tokenCipher, accounts.keySources),
    sqlite: db,
    location: accounts.databasePath,
    close: () => accounts.close(),
  };
}

async function openPostgres(options: OpenStoresOptions, settings: { url: string; schema: string }): Promise<Stores> {
  const database = await PostgresDatabase.open({
    url: settings.url,
    schema: settings.schema,
    home: options.home,
    env: options.env,
    onIdleError: options.onIdleError,
    onUnreadable: options.onUnreadable,
  });
  return {
    accounts: new PostgresAccountStore(database),
    clientKeys: new PostgresClientKeyStore(database),
    usage: new PostgresUsageStore(database),
    providerOverrides: new PostgresProviderOverridesStore(database),
    quotaSnapshots: new PostgresQuotaSnapshotStore(database),
    probe: new PostgresStoreProbe(database),
    rotation: new PostgresSecretRotation(database),
    location: database.description,
    close: () => database.close(),
  };
}

class SqliteStoreProbe extends StoreProbe {
  constructor(private readonly db: Database.Database) {
    super();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }
}
