// The gateway's root module, built for one loaded configuration: the composition root, which
// alone knows the provider plugins and hands them to the registry.
import { Module, type DynamicModule } from '@nestjs/common';
import { AccessModule } from './access/access.module';
import { AdminModule } from './admin/admin.module';
import { ApiModule } from './api/api.module';
import { AuthModule } from './auth/auth.module';
import { GatewayConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import type { GatewayConfig } from './config/gateway-config';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PROVIDER_PLUGIN_MODULES } from './providers';
import { CREDENTIAL_IMPORTERS } from './providers/credential-importers';
import { OAUTH_DEFINITIONS } from './providers/oauth-definitions';
import { SharedProvidersModule } from './providers/shared/shared-providers.module';
import { RegistryModule } from './registry/registry.module';
import { SharedStateModule } from './store/shared/shared-state.module';
import { StoreModule } from './store/store.module';
import { TracingModule } from './tracing/tracing.module';
import type { TracingOptions } from './tracing/tracing-settings';
import { UpstreamModule } from './upstream/upstream.module';
import { UsageBusModule } from './usage/usage-bus.module';
import { UsageModule } from './usage/usage.module';

export interface AppOptions {
  /** BYOKEY_HOME: where the account database lives. */
  home: string;
  /** Tracing (tracing/): on when OTEL_EXPORTER_OTLP_ENDPOINT is set, or with an exporter given. */
  tracing?: TracingOptions;
}

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayConfigModule.forRoot(config),
        UpstreamModule,
        StoreModule.forRoot({ home: options.home, store: config.store }),
        SharedStateModule.forRoot(config.redis),
        AuthModule.forRoot(OAUTH_DEFINITIONS, CREDENTIAL_IMPORTERS),
        SharedProvidersModule,
        RegistryModule.forPlugins(PROVIDER_PLUGIN_MODULES),
        UsageBusModule,
        AccessModule,
        ApiModule,
        UsageModule,
        AdminModule,
        ConsoleModule,
        HealthModule,
        MetricsModule,
        TracingModule.forRoot(options.tracing),
      ],
    };
  }
}
