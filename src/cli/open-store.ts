// Opens the stores a command works on — where `store:` in providers.yaml (or BYOKEY_DATABASE_URL)
// says, exactly as `byokey serve` does, so `byokey login` against a shared PostgreSQL writes the
// account every gateway sees — and reports a store that cannot be opened (corrupt file, wrong
// key, unreachable database) as a message and exit code instead of a stack trace. An account or
// runtime key a list leaves out because it cannot be decrypted (mid key rotation, this command
// may lack the key that sealed it) is named on stderr, so a listing never hides it silently.
// Commands that only read (status, accounts list, keys list, usage) open the store through
// withReadStores, which creates nothing: with no database yet, they read an empty one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { byokeyHome, ensureByokeyHome } from '../config/byokey-home';
import type { StoreSettings } from '../config/gateway-config';
import type { AccountStore } from '../store/account-store';
import type { ClientKeyStore } from '../store/client-key-store';
import type { ProviderOverridesStore } from '../store/provider-overrides-store';
import type { QuotaSnapshotStore } from '../store/quota-snapshot-store';
import { openStores, type Stores } from '../store/open-stores';
import { postgresSchemaIsEmpty } from '../store/postgres/postgres-database';
import { describeTarget } from '../store/postgres/postgres-pool';
import { SECRET_KEY_ENV, secretKeyPath, type KeySources } from '../store/secret-key';
import { DATABASE_FILE } from '../store/sqlite/database-file';
import { StoreError } from '../store/store-error';
import type { UsageStore } from '../store/usage-store';
import { EXIT_FAILURE, type CliIo } from './cli-io';

export async function withStores(io: CliIo, settings: StoreSettings, run: (stores: Stores) => Promise<number>): Promise<number> {
  let stores: Stores;
  try {
    stores = await openStores({
      home: ensureByokeyHome(),
      store: settings,
      onUnreadable: (error) => io.err(`byokey: warning: ${error.message} It is left out.`),
    });
  } catch (error) {
    if (error instanceof StoreError) {
      io.err(`byokey: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  try {
    return await run(stores);
  } finally {
    await stores.close();
  }
}

export function withAccountStore(io: CliIo, settings: StoreSettings, run: (store: AccountStore) => Promise<number>): Promise<number> {
  return withStores(io, settings, (stores) => run(stores.accounts));
}

export function withClientKeyStore(io: CliIo, settings: StoreSettings, run: (store: ClientKeyStore) => Promise<number>): Promise<number> {
  return withStores(io, settings, (stores) => run(stores.clientKeys));
}

export function withUsageStore(io: CliIo, settings: StoreSettings, run: (store: UsageStore) => Promise<number>): Promise<number> {
  return withStores(io, settings, (stores) => run(stores.usage));
}

/** What the read-only commands read: the lists, and where the data and the key are. */
export interface ReadStores {
  accounts: Pick<AccountStore, 'list'>;
  clientKeys: Pick<ClientKeyStore, 'list'>;
  usage: Pick<UsageStore, 'aggregate'>;
  providerOverrides: Pick<ProviderOverridesStore, 'list'>;
  quotaSnapshots: Pick<QuotaSnapshotStore, 'list'>;
  location: string;
  keySources: KeySources;
}

const EMPTY_READ_STORES = {
  accounts: { list: async () => [] },
  clientKeys: { list: async () => [] },
  usage: { aggregate: async () => [] },
  providerOverrides: { list: async () => [] },
  quotaSnapshots: { list: async () => [] },
};

/**
 * Opens the store to read it, creating nothing: when the embedded SQLite database does not exist
 * yet, or the PostgreSQL schema holds no table yet, `run` reads an empty store instead, and
 * neither BYOKEY_HOME, the database, the schema nor the secret key file is created (a look around
 * must not leave a key behind). A PostgreSQL schema of an older byokey is still migrated.
 */
export async function withReadStores(io: CliIo, settings: StoreSettings, run: (stores: ReadStores) => Promise<number>): Promise<number> {
  const home = byokeyHome();
  const keySources = { current: process.env[SECRET_KEY_ENV] !== undefined ? SECRET_KEY_ENV : `${secretKeyPath(home)} (created with the database)` };
  if (settings.kind === 'postgres') {
    // Opening the store would create the schema, its tables and maybe a key file: look first.
    let empty: boolean;
    try {
      empty = await postgresSchemaIsEmpty(settings);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      io.err(`byokey: ${error.message}`);
      return EXIT_FAILURE;
    }
    if (empty) return run({ ...EMPTY_READ_STORES, location: `${describeTarget(settings)} (not created yet)`, keySources });
  } else {
    const database = join(home, DATABASE_FILE);
    if (!existsSync(database)) return run({ ...EMPTY_READ_STORES, location: `${database} (not created yet)`, keySources });
  }
  return withStores(io, settings, (stores) =>
    run({
      accounts: stores.accounts,
      clientKeys: stores.clientKeys,
      usage: stores.usage,
      providerOverrides: stores.providerOverrides,
      quotaSnapshots: stores.quotaSnapshots,
      location: stores.location,
      keySources: stores.rotation.keySources,
    }),
  );
}
