// Provides the stores to the app — accounts and usage records — on the embedded SQLite database
// in BYOKEY_HOME, opened at startup (a database or key that cannot be opened stops the gateway
// with a StoreError) and closed at shutdown, after every other module's shutdown (a global
// module's hooks run last), so the usage writer's last flush still has its connection.
import type Database from 'better-sqlite3';
import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { AccountStore } from './account-store';
import { ClientKeyStore } from './client-key-store';
import { RateLimitSnapshots } from './rate-limit-snapshots';
import { ProviderOverridesStore } from './provider-overrides-store';
import { SqliteAccountStore } from './sqlite/sqlite-account-store';
import { SqliteProviderOverridesStore } from './sqlite/sqlite-provider-overrides-store';
import { SqliteClientKeyStore } from './sqlite/sqlite-client-key-store';
import { SqliteUsageStore } from './sqlite/sqlite-usage-store';
import { StoreProbe } from './store-probe';
import { UsageStore } from './usage-store';

/**
 * DI token of the embedded database connection (better-sqlite3), shared by every SQLite store.
 * Stores built on it register here beside the AccountStore.
 */
export const SQLITE_CONNECTION = Symbol('SQLITE_CONNECTION');

@Global()
@Module({})
export class StoreModule implements OnApplicationShutdown {
  constructor(private readonly store: AccountStore) {}

  static forRoot(options: { home: string }): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        { provide: AccountStore, useFactory: () => SqliteAccountStore.open({ home: options.home }) },
        { provide: SQLITE_CONNECTION, useFactory: (store: AccountStore) => (store as SqliteAccountStore).connection, inject: [AccountStore] },
        { provide: ClientKeyStore, useFactory: (db: Database.Database) => new SqliteClientKeyStore(db), inject: [SQLITE_CONNECTION] },
        { provide: UsageStore, useFactory: (db: Database.Database) => new SqliteUsageStore(db), inject: [SQLITE_CONNECTION] },
        RateLimitSnapshots,
        {
          provide: StoreProbe,
          useFactory: (db: Database.Database): StoreProbe => ({ ping: async () => void db.prepare('SELECT 1').get() }),
          inject: [SQLITE_CONNECTION],
        },
        {
          provide: ProviderOverridesStore,
          useFactory: (store: AccountStore) =>
            new SqliteProviderOverridesStore((store as SqliteAccountStore).connection, (store as SqliteAccountStore).tokenCipher),
          inject: [AccountStore],
        },
      ],
      exports: [AccountStore, ClientKeyStore, RateLimitSnapshots, SQLITE_CONNECTION, ProviderOverridesStore, UsageStore, StoreProbe],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
