// Loads providers.yaml for commands other than serve, the way serve does: the file loader, then
// every instance checked against its plugin's settings (registry/plugin-binding.ts), so a typo
// `serve` rejects is rejected here too (login reads `oauth:` overrides, status lists instances,
// every command that opens the store reads `store:`). Returns undefined, having said why, when
// the file is invalid.
import { ConfigError } from '../config/config-error';
import { loadGatewayConfig } from '../config/config.loader';
import type { GatewayConfig, StoreSettings } from '../config/gateway-config';
import type { ProviderPluginOptions } from '../contract/provider-plugin.decorator';
import { PROVIDER_PLUGIN_MODULES } from '../providers';
import { OAUTH_DEFINITIONS } from '../providers/oauth-definitions';
import { bindInstances, type BoundInstances } from '../registry/plugin-binding';
import { pluginOptionsOf } from '../registry/plugin-options';
import type { CliIo } from './cli-io';

/** The `--config` option of every command that reads providers.yaml. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;

export const CONFIG_OPTION_HELP = '  -c, --config FILE   providers.yaml whose `store:` to use (default: ./providers.yaml if present)';

/** The plugins this build has, by id, as `serve` discovers them. */
export function cliPlugins(): Map<string, ProviderPluginOptions> {
  return pluginOptionsOf(PROVIDER_PLUGIN_MODULES);
}

/** Providers byokey can log in to but has no request plugin for, as the registry counts them. */
export function cliLoginOnlyTypes(plugins: ReadonlyMap<string, ProviderPluginOptions>): string[] {
  return Object.keys(OAUTH_DEFINITIONS)
    .filter((type) => !plugins.has(type))
    .sort();
}

/** The configuration and its instances bound to their plugins; throws ConfigError as serve would. */
export function loadCheckedConfig(file: string | undefined): { config: GatewayConfig; bound: BoundInstances } {
  const config = loadGatewayConfig({ file });
  const plugins = cliPlugins();
  return { config, bound: bindInstances(config, plugins, cliLoginOnlyTypes(plugins)) };
}

export function loadConfigForCommand(file: string | undefined, io: CliIo): GatewayConfig | undefined {
  try {
    return loadCheckedConfig(file).config;
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
