// Provides the stores to the app — accounts, client keys, usage records, runtime provider changes,
// the quota snapshots kept without Redis, and the readiness probe — on the backend `store:` names: the embedded SQLite database in
// BYOKEY_HOME, or a PostgreSQL schema shared by several gateways. Opened at startup (a database or
// key that cannot be opened stops the gateway with a StoreError) and closed at shutdown, after
// every other module's shutdown (a global module's hooks run last), so the usage writer's last
// flush still has its connection.
import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { StoreSettings } from '../config/gateway-config';
import { AccountStore } from './account-store';
import { ClientKeyStore } from './client-key-store';
import { openStores, type Stores } from './open-stores';
import { ProviderOverridesStore } from './provider-overrides-store';
import { QuotaSnapshotStore } from './quota-snapshot-store';
import { RateLimitSnapshots } from './rate-limit-snapshots';
import { StoreProbe } from './store-probe';
import { UsageStore } from './usage-store';

/**
 * DI token of the embedded database connection (better-sqlite3), provided only when the store is
 * SQLite. Nothing outside src/store uses it; it stays for SQLite-only tooling.
 */
export const SQLITE_CONNECTION = Symbol('SQLITE_CONNECTION');

/** DI token of the opened stores, all on one database. */
const STORES = Symbol('STORES');

export interface StoreModuleOptions {
  /** $BYOKEY_HOME: the SQLite file and the secret key file. */
  home: string;
  /** `store:` from providers.yaml; default the embedded SQLite database. */
  store?: StoreSettings;
}

@Global()
@Module({})
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(STORES) private readonly stores: Stores) {}

  static forRoot(options: StoreModuleOptions): DynamicModule {
    const settings: StoreSettings = options.store ?? { kind: 'sqlite' };
    const logger = new Logger('Store');
    // The routing pools re-list accounts every few seconds: one line per unreadable value is enough.
    const reported = new Set<string>();
    const fromStores = <T>(token: abstract new (...args: never[]) => T, pick: (stores: Stores) => T): Provider => ({
      provide: token,
      useFactory: pick,
      inject: [STORES],
    });
    const providers: Provider[] = [
      {
        provide: STORES,
        useFactory: async () => {
          const stores = await openStores({
            home: options.home,
            store: settings,
            onIdleError: (error) => logger.warn(`a pooled PostgreSQL connection failed and was dropped: ${error.message}`),
            onUnreadable: (error) => {
              if (reported.has(error.message)) return;
              reported.add(error.message);
              logger.warn(`${error.message} This instance leaves it out until it can open it.`);
            },
          });
          const previous = stores.rotation.keySources.previous;
          // Said at every start, so a previous key is not left configured long after the rotation.
          if (previous !== undefined) {
            logger.log(`the previous secret key (from ${previous}) is accepted for reading; once \`byokey rekey\` has run, remove it`);
          }
          return stores;
        },
      },
      fromStores(AccountStore, (stores) => stores.accounts),
      fromStores(ClientKeyStore, (stores) => stores.clientKeys),
      fromStores(UsageStore, (stores) => stores.usage),
      fromStores(ProviderOverridesStore, (stores) => stores.providerOverrides),
      fromStores(QuotaSnapshotStore, (stores) => stores.quotaSnapshots),
      fromStores(StoreProbe, (stores) => stores.probe),
      RateLimitSnapshots,
    ];
    const exported: NonNullable<DynamicModule['exports']> = [AccountStore, ClientKeyStore, RateLimitSnapshots, ProviderOverridesStore, QuotaSnapshotStore, UsageStore, StoreProbe];
    if (settings.kind === 'sqlite') {
      providers.push({ provide: SQLITE_CONNECTION, useFactory: (stores: Stores) => stores.sqlite, inject: [STORES] });
      exported.push(SQLITE_CONNECTION);
    }
    return { module: StoreModule, providers, exports: exported };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stores.close();
  }
}
