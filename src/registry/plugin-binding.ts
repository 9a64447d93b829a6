// Binds each providers.yaml instance to its plugin and checks the whole entry against the
// plugin's settings schema — the check `serve` makes at start and on every reload, and the one
// every CLI command makes when it loads providers.yaml (cli/load-config.ts), so a typo `serve`
// rejects is rejected everywhere. Plain TypeScript: the plugins come as their decorator options.
import { ConfigError, type ConfigIssue } from '../config/config-error';
import { ProviderInstanceConfigDto } from '../config/config.schema';
import type { GatewayConfig, ProviderInstanceConfig } from '../config/gateway-config';
import { nearestKey } from '../config/nearest-key';
import { issueAt, validateSection } from '../config/validate-section';
import type { ProviderPluginOptions } from '../contract/provider-plugin.decorator';
import { checkLoginOnlyInstance, type LoginOnlyInstance } from './login-only-instance';

/** An instance whose entry its plugin accepts: its settings as the plugin's schema read them. */
export interface BoundInstance {
  config: ProviderInstanceConfig;
  plugin: ProviderPluginOptions;
}

export interface BoundInstances {
  bound: BoundInstance[];
  loginOnly: LoginOnlyInstance[];
}

/**
 * Every instance bound to its plugin (or kept as login-only); throws a ConfigError listing every
 * problem. `loginOnlyTypes`: providers byokey can log in to but has no plugin for.
 */
export function bindInstances(
  config: GatewayConfig,
  plugins: ReadonlyMap<string, ProviderPluginOptions>,
  loginOnlyTypes: readonly string[],
): BoundInstances {
  const issues: ConfigIssue[] = [];
  const bound: BoundInstance[] = [];
  const loginOnly: LoginOnlyInstance[] = [];
  for (const instanceConfig of config.providers) {
    const path = ['providers', instanceConfig.name];
    const plugin = plugins.get(instanceConfig.type);
    if (!plugin && loginOnlyTypes.includes(instanceConfig.type)) {
      const checked = checkLoginOnlyInstance(instanceConfig, config.locate);
      issues.push(...checked);
      if (checked.length === 0) loginOnly.push({ name: instanceConfig.name, type: instanceConfig.type });
      continue;
    }
    if (!plugin) {
      const types = [...plugins.keys()].sort();
      const guess = nearestKey(instanceConfig.type, [...types, ...loginOnlyTypes]);
      const field = instanceConfig.settings.type === undefined ? [...path] : [...path, 'type'];
      const because =
        instanceConfig.settings.type === undefined
          ? `the instance name "${instanceConfig.name}" is not a provider plugin, so it needs a type`
          : `no provider plugin is named "${instanceConfig.type}"`;
      const known = `plugins: ${types.join(', ')}${loginOnlyTypes.length > 0 ? `; login only: ${loginOnlyTypes.join(', ')}` : ''}`;
      issues.push(issueAt(field, `${because}${guess ? `; did you mean "${guess}"?` : ''} (${known})`, config.locate));
      continue;
    }
    // Check the whole entry against the plugin's schema: its own keys, and unknown keys.
    const schema = plugin.settings ?? ProviderInstanceConfigDto;
    const checked = validateSection(schema, instanceConfig.raw, path, config.locate);
    issues.push(...checked.issues);
    if (checked.issues.length > 0 || !checked.value) continue;
    bound.push({ config: { ...instanceConfig, settings: checked.value }, plugin });
  }
  if (issues.length > 0) throw new ConfigError(config.source, issues);
  return { bound, loginOnly };
}
