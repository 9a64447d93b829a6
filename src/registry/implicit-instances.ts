// Implicit instances: a provider with a logged-in or imported account (`byokey login codex`,
// `byokey accounts import codex`) is served even when providers.yaml has no instance of its
// plugin, by an instance named after the plugin with its default settings — so a login is enough
// to get answers. An explicit entry always rules: any instance of the plugin's type (enabled or
// not: `codex: {enabled: false}` means off) or of that name means no implicit one.
import { ProviderInstanceConfigDto } from '../config/config.schema';
import type { GatewayConfig, ProviderInstanceConfig } from '../config/gateway-config';
import { validateSection } from '../config/validate-section';
import type { ProviderPluginOptions } from '../contract/provider-plugin.decorator';

/**
 * The configuration with an implicit instance for every plugin that takes accounts, whose
 * provider has at least one (in `accountProviders`), and that the file names no instance of.
 * Returns `config` itself when nothing is added.
 */
export function withImplicitInstances(
  config: GatewayConfig,
  plugins: Iterable<ProviderPluginOptions>,
  accountProviders: ReadonlySet<string>,
): GatewayConfig {
  const added: ProviderInstanceConfig[] = [];
  for (const plugin of plugins) {
    if (!plugin.accounts || !accountProviders.has(plugin.accounts)) continue;
    if (config.providers.some((i) => i.type === plugin.type || i.name === plugin.type)) continue;
    added.push(implicitInstance(plugin.type, config));
  }
  return added.length === 0 ? config : { ...config, providers: [...config.providers, ...added] };
}

function implicitInstance(type: string, config: GatewayConfig): ProviderInstanceConfig {
  // The defaults an empty entry (`codex: {}`) gets from the file loader.
  const settings = validateSection(ProviderInstanceConfigDto, {}, ['providers', type], config.locate).value ?? new ProviderInstanceConfigDto();
  return { name: type, type, enabled: true, settings, raw: {}, implicit: true };
}
