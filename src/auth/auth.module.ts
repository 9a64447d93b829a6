// Subscription credentials for executors: fresh tokens on demand and a background refresh loop.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AccountCredentials } from './account-credentials.service';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from './oauth-definitions.token';
import { RefreshLoop } from './refresh-loop.service';

@Global()
@Module({})
export class AuthModule {
  /** @param definitions every provider's OAuth login, from the composition root. */
  static forRoot(definitions: OAuthDefinitions): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: OAUTH_DEFINITIONS, useValue: definitions }, AccountCredentials, RefreshLoop],
      // The definitions too, for modules that need to know which providers have a login.
      exports: [AccountCredentials, OAUTH_DEFINITIONS],
    };
  }
}
