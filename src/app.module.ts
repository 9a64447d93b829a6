// The gateway's root module, built for one loaded configuration.
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ApiModule } from './api/api.module';
import { GatewayConfigModule } from './config/config.module';
import type { GatewayConfig } from './config/gateway-config';
import { HealthModule } from './health/health.module';
import { loggerOptions, type LogLevel } from './logging/logger-options';
import { RegistryModule } from './registry/registry.module';
import { UpstreamModule } from './upstream/upstream.module';

export interface AppOptions {
  logLevel: LogLevel;
}

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(options.logLevel)),
        UpstreamModule,
        RegistryModule,
        ApiModule,
        HealthModule,
      ],
    };
  }
}
