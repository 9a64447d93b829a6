// Opens the stores a command works on — where `store:` in providers.yaml (or BYOKEY_DATABASE_URL)
// says, exactly as `byokey serve` does, so `byokey login` against a shared PostgreSQL writes the
// account every gateway sees — and reports a store that cannot be opened (corrupt file, wrong
// key, unreachable database) as a message and exit code instead of a stack trace. An account or
// runtime key a list leaves out because it cannot be decrypted (mid key rotation, this command
// may lack the key that sealed it) is named on stderr, so a listing never hides it silently.
import { ensureByokeyHome } from '../config/byokey-home';
import type { StoreSettings } from '../config/gateway-config';
import type { AccountStore } from '../store/account-store';
import type { ClientKeyStore } from '../store/client-key-store';
import { openStores, type Stores } from '../store/open-stores';
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
