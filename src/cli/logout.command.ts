// `byokey logout <provider>`: forgets an account (the default one unless --account names another).
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { parseCommandArgs, type CommandSpec } from './command-spec';
import { accountProviders, checkProvider } from './known-providers';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, storeSettingsForCommand } from './load-config';
import { withAccountStore } from './open-store';

export const LOGOUT_USAGE = `Usage: byokey logout <provider> [--account NAME] [--config FILE]

Removes a stored account (default: the provider's default account).

Options:
      --account NAME  the account to remove
${CONFIG_OPTION_HELP}
  -h, --help            show this help`;

const LOGOUT_OPTIONS = { account: { type: 'string' }, ...CONFIG_OPTION } as const;

export const LOGOUT_COMMAND: CommandSpec<typeof LOGOUT_OPTIONS> = {
  path: 'logout',
  summary: 'forget a stored account',
  usage: LOGOUT_USAGE,
  options: LOGOUT_OPTIONS,
  positionals: { complete: accountProviders },
};

export async function logoutCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(LOGOUT_COMMAND, argv);
  if (positionals.length !== 1) throw new UsageError('name the provider to log out of');
  const provider = checkProvider(positionals[0], accountProviders(), LOGOUT_USAGE);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withAccountStore(io, settings, async (store) => {
    const accountId = values.account ?? (await store.getDefault(provider))?.accountId;
    if (!accountId || !(await store.remove(provider, accountId))) {
      io.err(`byokey logout: no ${provider} account${values.account ? ` named "${values.account}"` : ''} is stored`);
      return EXIT_FAILURE;
    }
    const next = await store.getDefault(provider);
    io.out(`Logged out of ${provider} account "${accountId}".${next ? ` The default is now "${next.accountId}".` : ''}`);
    return EXIT_OK;
  });
}
