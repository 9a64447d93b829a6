// `byokey status`: what this byokey would serve — the configuration, its provider instances and
// the stored accounts — without starting anything.
import { byokeyHome } from '../config/byokey-home';
import { OAUTH_DEFINITIONS } from '../providers/oauth-definitions';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './cli-io';
import { parseCommandArgs, type CommandSpec } from './command-spec';
import { relativeTime, table } from './format';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, loadConfigForCommand } from './load-config';
import { withReadStores } from './open-store';
import { byokeyVersion } from './version';

export const STATUS_USAGE = `Usage: byokey status [--config FILE]

Shows the configuration, where its data is stored, its provider instances and the stored accounts.

Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help`;

export const STATUS_COMMAND: CommandSpec<typeof CONFIG_OPTION> = {
  path: 'status',
  summary: 'show the configuration and the accounts',
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
    if (config.providers.length === 0) {
      io.out('No provider instances configured (add some to providers.yaml).');
    } else {
      const rows = config.providers.map((instance) => {
        const s = instance.settings;
        const keys = (s.api_key ? 1 : 0) + (s.api_keys?.length ?? 0);
        const login = OAUTH_DEFINITIONS[instance.type] ? accounts.find((a) => a.provider === instance.type && a.isDefault) : undefined;
        const credential = keys > 0
          ? `${keys} api key${keys > 1 ? 's' : ''}`
          : login
            ? `account "${login.accountId}" (${login.status === 'needs_relogin' ? 'needs re-login' : login.status})`
            : OAUTH_DEFINITIONS[instance.type]
              ? `no account: run: byokey login ${instance.type}`
              : 'no key';
        const models = s.models ? `${s.models.length} listed` : 'catalog';
        return [instance.name, instance.type, instance.enabled ? 'enabled' : 'disabled', models, credential];
      });
      io.out(table(['INSTANCE', 'TYPE', 'STATE', 'MODELS', 'CREDENTIAL'], rows));
    }
    io.out('');
    io.out(
      accounts.length === 0
        ? 'No stored accounts.'
        : table(
            ['PROVIDER', 'ACCOUNT', 'DEFAULT', 'STATUS', 'EXPIRES'],
            accounts.map((a) => [
              a.provider,
              a.accountId,
              a.isDefault ? 'yes' : '',
              a.status === 'needs_relogin' ? 'needs re-login' : a.status,
              relativeTime(a.expiresAt),
            ]),
          ),
    );
    return EXIT_OK;
  });
}
