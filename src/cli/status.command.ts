// `byokey status`: what this byokey would serve — the configuration, checked as `serve` checks it,
// its provider instances (those the logged-in accounts add too) with whether each serves requests
// and why not, and the stored accounts — without starting anything. The same rule as the gateway's
// (registry/instance-readiness.ts), so both tell one truth.
import { describeProxySetting } from '../upstream/outbound-proxy';
import { byokeyHome } from '../config/byokey-home';
import type { GatewayConfig } from '../config/gateway-config';
import type { Account } from '../store/account';
import type { InstanceOverrides } from '../store/provider-overrides-store';
import { withImplicitInstances } from '../registry/implicit-instances';
import { describeUnready, instanceReadiness } from '../registry/instance-readiness';
import { keyVariablesOf } from '../registry/key-variables';
import { bindInstances } from '../registry/plugin-binding';
import { applyProviderOverrides } from '../registry/provider-overrides';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './cli-io';
import { parseCommandArgs, type CommandSpec } from './command-spec';
import { relativeTime, table } from './format';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, cliLoginOnlyTypes, cliPlugins, loadConfigForCommand } from './load-config';
import { withReadStores } from './open-store';
import { readQuotaWindows } from './quota-snapshots';
import { byokeyVersion } from './version';

export const STATUS_USAGE = `Usage: byokey status [--config FILE]

Shows the configuration (checked as serve checks it), where its data is stored, each provider instance
with whether it serves requests and why not, and the stored accounts with the quota windows they last
reported (read from Redis when redis: is configured, else from the store; the gateway writes them a few
seconds after they change and when it stops).

Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help`;

export const STATUS_COMMAND: CommandSpec<typeof CONFIG_OPTION> = {
  path: 'status',
  summary: 'show the configuration, what each instance serves, and the accounts',
  usage: STATUS_USAGE,
  options: CONFIG_OPTION,
};

export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(STATUS_COMMAND, argv);
  const config = loadConfigForCommand(values.config, io);
  if (!config) return EXIT_FAILURE;
  io.out(`byokey ${byokeyVersion()}`);
  io.out(`config: ${config.source}`);
  io.out(`listen: http://${config.server.host}:${config.server.port}`);
  io.out(`data:   ${byokeyHome()}`);
  return withReadStores(io, config.store, async (stores) => {
    io.out(`store:  ${stores.location}`);
    const keys = stores.keySources;
    io.out(
      keys.previous === undefined
        ? `key:    ${keys.current}`
        : `key:    ${keys.current}, and the previous key from ${keys.previous} (a rotation is under way: run byokey rekey, then remove it)`,
    );
    const accounts = await stores.accounts.list();
    io.out('');
    const rows = instanceRows(config, accounts, await stores.providerOverrides.list());
    io.out(rows.length === 0 ? 'No provider instances configured (add some to providers.yaml).' : table(['INSTANCE', 'TYPE', 'SERVES', 'MODELS', 'CREDENTIAL, OR WHY NOT'], rows));
    io.out('');
    if (accounts.length === 0) {
      io.out('No stored accounts.');
      return EXIT_OK;
    }
    const quota = await readQuotaWindows(config.redis, stores.quotaSnapshots);
    const pinned = accounts.some((a) => a.tokens.proxyUrl !== undefined);
    const proxyOf = (a: Account) => (a.tokens.proxyUrl === undefined ? '' : describeProxySetting(a.tokens.proxyUrl));
    const quotaOf = (a: Account) => (quota.kind === 'read' ? (quota.byAccount.get(`${a.provider}/${a.accountId}`) ?? 'none reported') : undefined);
    io.out(
      table(
        ['PROVIDER', 'ACCOUNT', 'DEFAULT', 'STATUS', 'EXPIRES', ...(pinned ? ['PROXY'] : []), ...(quota.kind === 'read' ? ['QUOTA'] : [])],
        accounts.map((a) => [
          a.provider,
          a.accountId,
          a.isDefault ? 'yes' : '',
          a.status === 'needs_relogin' ? 'needs re-login' : a.status,
          relativeTime(a.expiresAt),
          ...(pinned ? [proxyOf(a)] : []),
          ...(quota.kind === 'read' ? [quotaOf(a)!] : []),
        ]),
      ),
    );
    if (quota.kind === 'unavailable') io.out(`Quota windows: ${quota.why}; GET /admin/v1/providers on the gateway shows them.`);
    return EXIT_OK;
  });
}

/**
 * One row per instance the gateway would run — the file's, the implicit ones the accounts bring,
 * with the runtime changes made over the admin API — saying whether it serves requests and why not.
 */
function instanceRows(file: GatewayConfig, accounts: readonly Account[], overrides: readonly InstanceOverrides[]): string[][] {
  const plugins = cliPlugins();
  const config = applyProviderOverrides(withImplicitInstances(file, plugins.values(), new Set(accounts.map((a) => a.provider))), overrides);
  // The file was checked on load; the implicit entries are empty ones, which every plugin takes.
  const { bound, loginOnly } = bindInstances(config, plugins, cliLoginOnlyTypes(plugins));
  const variables = keyVariablesOf(config.source);
  return config.providers.map((instance) => {
    const type = instance.implicit ? `${instance.type} (implicit)` : instance.type;
    const found = bound.find((b) => b.config.name === instance.name);
    if (!found) {
      const login = loginOnly.find((l) => l.name === instance.name);
      return [instance.name, type, 'no', '-', `login only: byokey has no request plugin for ${login?.type ?? instance.type} yet`];
    }
    const settings = found.config.settings;
    const models = settings.models ? `${settings.models.length} listed` : 'catalog';
    const facts = { name: instance.name, config: found.config, accountsProvider: found.plugin.accounts, keyVariables: variables.get(instance.name) };
    const readiness = instanceReadiness(facts, accounts);
    if (readiness.serves) return [instance.name, type, 'yes', models, readiness.credentials];
    if (readiness.reason === 'disabled') return [instance.name, type, 'no', models, 'disabled (enabled: false)'];
    return [instance.name, type, 'no', models, describeUnready(instance.name, readiness).replace(`providers.${instance.name}: `, '')];
  });
}
