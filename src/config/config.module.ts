// Makes the loaded providers.yaml available through @nestjs/config: ConfigService.get('gateway')
// returns the validated GatewayConfig. The file is read before Nest starts (config.loader.ts),
// so a bad file is reported by the CLI without booting anything.
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { GatewayConfig } from './gateway-config';

/** The key under which ConfigService holds the GatewayConfig. */
export const GATEWAY_CONFIG_KEY = 'gateway';

@Module({})
export class GatewayConfigModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          // byokey reads the environment only through ${VAR} in providers.yaml.
          skipProcessEnv: true,
          load: [() => ({ [GATEWAY_CONFIG_KEY]: config })],
        }),
      ],
      exports: [ConfigModule],
    };
  }
}
