// `byokey accounts list|use|remove|import`: the stored subscription accounts.
import { importCredentialsFile } from '../auth/importers/credential-importer';
import { ImportError } from '../auth/importers/import-error';
import { CREDENTIAL_IMPORTERS } from '../providers/credential-importers';
import type { Account } from '../store/account';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { parseCommandArgs, pickSubcommand, type CommandSpec } from './command-spec';
import { accountProviders, checkProvider, importProviders } from './known-providers';
import { relativeTime, table } from './format';
import { describeAccountServing } from '../registry/account-serving';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, cliPlugins, loadConfigForCommand, storeSettingsForCommand } from './load-config';
import { withAccountStore, withReadStores } from './open-store';

/** The names `accounts import` takes, from the providers' importers: "codex|claude". */
const IMPORT_NAMES = importProviders().join('|');

const LIST_OPTIONS = { provider: { type: 'string' }, ...CONFIG_OPTION } as const;
const LIST: CommandSpec<typeof LIST_OPTIONS> = {
  path: 'accounts list',
  summary: 'the stored accounts and their state',
  usage: `Usage: byokey accounts list [--provider P] [--config FILE]

Lists the stored accounts: provider, name, whether it is the default, its state and expiry.

Options:
      --provider P      only this provider's accounts (${accountProviders().join(', ')})
${CONFIG_OPTION_HELP}
  -h, --help            show this help`,
  options: LIST_OPTIONS,
  optionValues: { provider: accountProviders() },
};
const USE: CommandSpec<typeof CONFIG_OPTION> = {
  path: 'accounts use',
  summary: "make an account its provider's default",
  usage: `Usage: byokey accounts use <provider> <account> [--config FILE]

Makes the account the one its provider's requests use.

Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help`,
  options: CONFIG_OPTION,
  positionals: { complete: accountProviders },
};

const REMOVE: CommandSpec<typeof CONFIG_OPTION> = {
  path: 'accounts remove',
  summary: 'forget an account',
  usage: `Usage: byokey accounts remove <provider> <account> [--config FILE]

Removes a stored account and its tokens.

Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help`,
  options: CONFIG_OPTION,
  positionals: { complete: accountProviders },
};

const IMPORT_OPTIONS = { file: { type: 'string' }, account: { type: 'string' }, ...CONFIG_OPTION } as const;
const IMPORT: CommandSpec<typeof IMPORT_OPTIONS> = {
  path: 'accounts import',
  summary: `store the login another tool saved (${IMPORT_NAMES.replaceAll('|', ', ')})`,
  usage: `Usage: byokey accounts import ${IMPORT_NAMES} [--file F] [--account NAME] [--config FILE]

Stores the login another tool saved, read from its file:
${Object.values(CREDENTIAL_IMPORTERS)
  .map((i) => `  ${i.provider.padEnd(8)} ${i.loginName} (${i.defaultLocation})`)
  .join('\n')}

Options:
      --file F          read this file instead of the tool's default location
      --account NAME    the account's name (default: from the login itself)
${CONFIG_OPTION_HELP}
  -h, --help            show this help`,
  options: IMPORT_OPTIONS,
  positionals: { complete: importProviders },
};

export const ACCOUNTS_USAGE = `Usage: byokey accounts <subcommand> [options]

  list [--provider P]                          the stored accounts and their state
  use <provider> <account>                     make an account its provider's default
  remove <provider> <account>                  forget an account
${Object.values(CREDENTIAL_IMPORTERS)
  .map((i) => `  ${`import ${i.provider} [--file F] [--account NAME]`.padEnd(44)} ${i.loginName} (${i.defaultLocation})`)
  .join('\n')}

Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help (byokey accounts <subcommand> --help for one subcommand)`;

export const ACCOUNTS_COMMAND: CommandSpec = {
  path: 'accounts',
  summary: 'list, choose, remove or import stored accounts',
  usage: ACCOUNTS_USAGE,
  options: {},
  subcommands: [LIST, USE, REMOVE, IMPORT],
};

export async function accountsCommand(argv: string[], io: CliIo): Promise<number> {
  const { sub, rest } = pickSubcommand(ACCOUNTS_COMMAND, argv);
  switch (sub) {
    case LIST:
      return list(rest, io);
    case USE:
      return use(rest, io);
    case REMOVE:
      return remove(rest, io);
    default:
      return importAccount(rest, io);
  }
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(LIST, argv);
  if (values.provider !== undefined) checkProvider(values.provider, accountProviders(), LIST.usage);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withReadStores(io, settings, async ({ accounts: store }) => {
    const accounts = await store.list(values.provider);
    if (accounts.length === 0) {
      io.out(`No accounts${values.provider ? ` for ${values.provider}` : ''} yet. Add one with: byokey login <provider>, or byokey accounts import ${IMPORT_NAMES}`);
      return EXIT_OK;
    }
    io.out(table(['PROVIDER', 'ACCOUNT', 'DEFAULT', 'STATUS', 'EXPIRES', 'LABEL'], accounts.map(row)));
    const stale = accounts.filter((a) => a.status === 'needs_relogin');
    for (const a of stale) io.out(`! ${a.provider}/${a.accountId} needs a new login: run: byokey login ${a.provider} --account ${a.accountId}`);
    return EXIT_OK;
  });
}

function row(account: Account): string[] {
  const status = account.status === 'needs_relogin' ? 'needs re-login' : account.status;
  const expires = account.expiresAt === undefined ? 'never' : relativeTime(account.expiresAt);
  return [account.provider, account.accountId, account.isDefault ? 'yes' : '', status, expires, account.label ?? ''];
}

async function use(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(USE, argv);
  if (positionals.length !== 2) throw new UsageError('name the provider and the account', USE.usage);
  const [provider, accountId] = positionals;
  checkProvider(provider, accountProviders(), USE.usage);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withAccountStore(io, settings, async (store) => {
    if (!(await store.setDefault(provider, accountId))) {
      io.err(`byokey accounts use: no ${provider} account named "${accountId}" (see: byokey accounts list)`);
      return EXIT_FAILURE;
    }
    io.out(`${provider} now uses account "${accountId}".`);
    return EXIT_OK;
  });
}

async function remove(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(REMOVE, argv);
  if (positionals.length !== 2) throw new UsageError('name the provider and the account', REMOVE.usage);
  const [provider, accountId] = positionals;
  checkProvider(provider, accountProviders(), REMOVE.usage);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withAccountStore(io, settings, async (store) => {
    if (!(await store.remove(provider, accountId))) {
      io.err(`byokey accounts remove: no ${provider} account named "${accountId}"`);
      return EXIT_FAILURE;
    }
    io.out(`Removed ${provider} account "${accountId}".`);
    return EXIT_OK;
  });
}

async function importAccount(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(IMPORT, argv);
  const source = positionals[0];
  if (positionals.length !== 1) throw new UsageError(`name the login to import: ${IMPORT_NAMES}`, IMPORT.usage);
  const importer = Object.hasOwn(CREDENTIAL_IMPORTERS, source) ? CREDENTIAL_IMPORTERS[source] : undefined;
  if (!importer) throw new UsageError(`cannot import "${source}": logins can be imported for ${IMPORT_NAMES.replaceAll('|', ', ')}`, IMPORT.usage);
  let account;
  try {
    account = importCredentialsFile(importer, values.file, values.account);
  } catch (error) {
    if (error instanceof ImportError) {
      io.err(`byokey accounts import ${source}: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  const config = loadConfigForCommand(values.config, io);
  if (!config) return EXIT_FAILURE;
  return withAccountStore(io, config.store, async (store) => {
    const saved = await store.save(account);
    const expiry = saved.expiresAt === undefined ? '' : `; token expires ${relativeTime(saved.expiresAt)}`;
    io.out(`Imported ${source} account "${saved.accountId}"${saved.label ? ` (${saved.label})` : ''}${saved.isDefault ? ', the default' : ''}${expiry}.`);
    io.out(describeAccountServing(config, cliPlugins(), await store.list(), saved));
    return EXIT_OK;
  });
}
