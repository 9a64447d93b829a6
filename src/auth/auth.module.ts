// Subscription credentials for executors: fresh tokens on demand and a background refresh loop,
// under a refresh lease kept in the store — or in Redis when several instances share one.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AccountStore } from '../store/account-store';
import { RedisRefreshLeases } from '../store/shared/redis-refresh-leases';
import { SHARED_REDIS } from '../store/shared/shared-state.module';
import type { SharedRedis } from '../store/shared/shared-redis';
import { AccountCredentials } from './account-credentials.service';
import { CREDENTIAL_IMPORTERS, type CredentialImporters } from './importers/credential-importer';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from './oauth-definitions.token';
import { RefreshLeases, StoreRefreshLeases } from './refresh-leases';
import { RefreshLoop } from './refresh-loop.service';

@Global()
@Module({})
export class AuthModule {
  /**
   * @param definitions every provider's OAuth login, from the composition root.
   * @param importers every provider's credential importers, from the composition root.
   */
  static forRoot(definitions: OAuthDefinitions, importers: CredentialImporters = {}): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: OAUTH_DEFINITIONS, useValue: definitions },
        { provide: CREDENTIAL_IMPORTERS, useValue: importers },
        {
          provide: RefreshLeases,
          useFactory: async (store: AccountStore, redis: SharedRedis | null | undefined): Promise<RefreshLeases> => {
            if (!redis) return new StoreRefreshLeases(store);
            const leases = new RedisRefreshLeases(redis, store);
            await leases.open();
            return leases;
          },
          inject: [AccountStore, { token: SHARED_REDIS, optional: true }],
        },
        AccountCredentials,
        RefreshLoop,
      ],
      // The definitions and importers too, for modules that need to know which providers have a
      // login, and which logins can be imported.
      exports: [AccountCredentials, OAUTH_DEFINITIONS, CREDENTIAL_IMPORTERS],
    };
  }
}
