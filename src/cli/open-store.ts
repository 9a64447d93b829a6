// Opens the stores in BYOKEY_HOME for a command, and reports a store that cannot be opened
// (corrupt file, wrong key) as a message and exit code instead of a stack trace.
import { ensureByokeyHome } from '../config/byokey-home';
import type { AccountStore } from '../store/account-store';
import type { ClientKeyStore } from '../store/client-key-store';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { SqliteClientKeyStore } from '../store/sqlite/sqlite-client-key-store';
import { SqliteUsageStore } from '../store/sqlite/sqlite-usage-store';
import { StoreError } from '../store/store-error';
import type { UsageStore } from '../store/usage-store';
import { EXIT_FAILURE, type CliIo } from './cli-io';

export async function withAccountStore(io: CliIo, run: (store: AccountStore) => Promise<number>): Promise<number> {
  let store: AccountStore;
  try {
    store = SqliteAccountStore.open({ home: ensureByokeyHome() });
  } catch (error) {
    if (error instanceof StoreError) {
      io.err(`byokey: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export async function withClientKeyStore(io: CliIo, run: (store: ClientKeyStore) => Promise<number>): Promise<number> {
  return withAccountStore(io, (accounts) => run(new SqliteClientKeyStore((accounts as SqliteAccountStore).connection)));
}

/** The usage records, in the same database file (and connection) as the accounts. */
export function withUsageStore(io: CliIo, run: (store: UsageStore) => Promise<number>): Promise<number> {
  return withAccountStore(io, (accounts) => run(new SqliteUsageStore((accounts as SqliteAccountStore).connection)));
}
