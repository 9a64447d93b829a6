// `byokey accounts list|use|remove|import`: the stored subscription accounts.
import { parseArgs } from 'node:util';
import { importCredentialsFile } from '../auth/importers/credential-importer';
import { ImportError } from '../auth/importers/import-error';
import { CREDENTIAL_IMPORTERS } from '../providers/credential-importers';
import type { Account } from '../store/account';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { relativeTime, table } from './format';
import { describeAccountServing } from '../registry/account-serving';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, cliPlugins, loadConfigForCommand, storeSettingsForCommand } from './load-config';
import { withAccountStore } from './open-store';

/** The names `accounts import` takes, from the providers' importers: "codex|claude". */
const IMPORT_NAMES = Object.keys(CREDENTIAL_IMPORTERS).join('|');

export const ACCOUNTS_USAGE = `Usage: byokey accounts <subcommand>

  list [--provider P]                          the stored accounts and their state
  use <provider> <account>                     make an account its provider's default
  remove <provider> <account>                  forget an account
${Object.values(CREDENTIAL_IMPORTERS)
  .map((i) => `  ${`import ${i.provider} [--file F] [--account NAME]`.padEnd(44)} ${i.loginName} (${i.defaultLocation})`)
  .join('\n')}

Options:
${CONFIG_OPTION_HELP}`;

export async function accountsCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(rest, io);
    case 'use':
      return use(rest, io);
    case 'remove':
      return remove(rest, io);
    case 'import':
      return importAccount(rest, io);
    case undefined:
    case '--help':
    case '-h':
      io.out(ACCOUNTS_USAGE);
      return sub === undefined ? 2 : EXIT_OK;
    default:
      throw new UsageError(`unknown subcommand "${sub}"`);
  }
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { provider: { type: 'string' }, ...CONFIG_OPTION } });
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withAccountStore(io, settings, async (store) => {
    const accounts = await store.list(values.provider);
    if (accounts.length === 0) {
      io.out(`No accounts${values.provider ? ` for ${values.provider}` : ''}. Add one with: byokey login <provider>, or byokey accounts import ${IMPORT_NAMES}`);
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
  const { values, positionals } = parseArgs({ args: argv, options: CONFIG_OPTION, allowPositionals: true });
  if (positionals.length !== 2) throw new UsageError('usage: byokey accounts use <provider> <account>');
  const [provider, accountId] = positionals;
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
  const { values, positionals } = parseArgs({ args: argv, options: CONFIG_OPTION, allowPositionals: true });
  if (positionals.length !== 2) throw new UsageError('usage: byokey accounts remove <provider> <account>');
  const [provider, accountId] = positionals;
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
  const { values, positionals } = parseArgs({
    args: argv,
    options: { file: { type: 'string' }, account: { type: 'string' }, ...CONFIG_OPTION },
    allowPositionals: true,
  });
  const source = positionals[0];
  if (positionals.length !== 1) throw new UsageError(`usage: byokey accounts import ${IMPORT_NAMES} [--file F] [--account NAME]`);
  const importer = Object.hasOwn(CREDENTIAL_IMPORTERS, source) ? CREDENTIAL_IMPORTERS[source] : undefined;
  if (!importer) throw new UsageError(`cannot import "${source}": logins can be imported for ${IMPORT_NAMES.replaceAll('|', ', ')}`);
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
