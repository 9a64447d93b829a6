// Which provider instance will serve a logged-in account, said after `byokey login` and
// `byokey accounts import` succeed — or, when none will, the exact providers.yaml lines that make
// one do so. Reads the file as `serve` would, with the implicit instances the accounts bring.
import { BUILT_IN_DEFAULTS } from '../config/config.loader';
import type { GatewayConfig } from '../config/gateway-config';
import type { ProviderPluginOptions } from '../contract/provider-plugin.decorator';
import { withImplicitInstances } from './implicit-instances';
import { accountSelected, upstreamKeyCount, type AccountSummary } from './instance-readiness';

export function describeAccountServing(
  config: GatewayConfig,
  plugins: ReadonlyMap<string, ProviderPluginOptions>,
  accounts: readonly AccountSummary[],
  account: Pick<AccountSummary, 'provider' | 'accountId'>,
): string {
  const { provider, accountId } = account;
  const types = [...plugins.values()].filter((p) => p.accounts === provider).map((p) => p.type);
  if (types.length === 0) return `byokey cannot serve ${provider} requests yet (no request plugin); the account is kept for when it can.`;
  const effective = withImplicitInstances(config, plugins.values(), new Set([...accounts.map((a) => a.provider), provider]));
  const instances = effective.providers.filter((i) => types.includes(i.type));
  const serving = instances.find(
    (i) => i.enabled && accountSelected(i.settings, upstreamKeyCount(i.settings) > 0, accountId),
  );
  if (serving) {
    const how = serving.implicit ? ` (implicit: ${fileName(config)} has no ${serving.type} instance)` : ` (${fileName(config)})`;
    return `Provider instance ${serving.name}${how} serves it: a running \`byokey serve\` picks it up within seconds.`;
  }
  const first = instances[0];
  if (!first) {
    // No instance of the plugin, and no implicit one either: the file uses the plugin's name for
    // an instance of another type. Name a free one.
    const name = freeName(types[0], config);
    const taken = config.providers.find((i) => i.name === types[0]);
    const why = taken ? `providers.${taken.name} in ${fileName(config)} is of type ${taken.type}, so no implicit ${types[0]} instance is added` : `${fileName(config)} has no ${types[0]} instance`;
    return `No provider instance serves it: ${why}. To serve it, add to ${fileName(config)}:\n  providers:\n    ${name}:\n      type: ${types[0]}`;
  }
  if (!first.enabled) {
    return `Provider instance ${first.name} is disabled in ${fileName(config)}, so nothing serves it. To serve it, set there:\n  providers:\n    ${first.name}:\n      enabled: true`;
  }
  const named = Array.isArray(first.settings.accounts) ? first.settings.accounts : [];
  return (
    `Provider instance ${first.name} does not use it (it has an API key, or its accounts: names others). ` +
    `To serve it, set in providers.${first.name} of ${fileName(config)}:\n      accounts: [${[...named, accountId].join(', ')}]    # or: accounts: all`
  );
}

/** The plugin's own name if no instance has it, else `<type>-login`, `<type>-login-2`, …. */
function freeName(type: string, config: GatewayConfig): string {
  const names = new Set(config.providers.map((i) => i.name));
  if (!names.has(type)) return type;
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${type}-login` : `${type}-login-${n}`;
    if (!names.has(name)) return name;
  }
}

function fileName(config: GatewayConfig): string {
  return config.source === BUILT_IN_DEFAULTS ? 'providers.yaml' : config.source;
}
