// Loads providers.yaml for commands other than serve, the way serve does (login reads `oauth:`
// overrides, status lists instances, every command that opens the store reads `store:`).
// Returns undefined, having said why, when the file is invalid.
import { ConfigError } from '../config/config-error';
import { loadGatewayConfig } from '../config/config.loader';
import type { GatewayConfig, StoreSettings } from '../config/gateway-config';
import type { CliIo } from './cli-io';

/** The `--config` option of every command that reads providers.yaml. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;

export const CONFIG_OPTION_HELP = '  -c, --config FILE   providers.yaml whose `store:` to use (default: ./providers.yaml if present)';

export function loadConfigForCommand(file: string | undefined, io: CliIo): GatewayConfig | undefined {
  try {
    return loadGatewayConfig({ file });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`byokey: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

/** Where the command's data is: `store:` (or BYOKEY_DATABASE_URL), else the SQLite database in BYOKEY_HOME. */
export function storeSettingsForCommand(file: string | undefined, io: CliIo): StoreSettings | undefined {
  return loadConfigForCommand(file, io)?.store;
}
