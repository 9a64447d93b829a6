// `byokey accounts list|use|remove|set-proxy|import`: the stored subscription accounts.
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
import { proxyUrlProblem } from '../config/schema/schema-helpers';
import { describeProxySetting } from '../upstream/outbound-proxy';

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

const SET_PROXY_OPTIONS = { clear: { type: 'boolean' }, ...CONFIG_OPTION } as const;
const SET_PROXY: CommandSpec<typeof SET_PROXY_OPTIONS> = {
  path: 'accounts set-proxy',
  summary: "send an account's requests through its own proxy",
  usage: `Usage: byokey accounts set-proxy <provider> <account> <URL|none> [--config FILE]
       byokey accounts set-proxy <provider> <account> --clear [--config FILE]

Pins the account to an egress: its requests, WebSockets and token refreshes go through URL
(http://, https://, socks5:// or socks5h://, credentials as http://user:password@host:3128), or
straight to the provider with "none", whatever the instance's or the top-level proxy_url and
HTTPS_PROXY say. The URL is stored encrypted, like the tokens, and shown without its credentials.
A running gateway picks the change up within seconds.

Options:
      --clear           drop the account's proxy: the instance's proxy_url applies again
${CONFIG_OPTION_HELP}
  -h, --help            show this help`,
  options: SET_PROXY_OPTIONS,
  positionals: { complete: accountProviders },
};

const IMPORT_OPTIONS = { file: { type: 'string' }, account: { type: 'string' }, 'proxy-url': { type: 'string' }, ...CONFIG_OPTION } as const;
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
      --proxy-url URL   pin the account to this proxy (or "none"), as accounts set-proxy does
${CONFIG_OPTION_HELP}
  -h, --help            show this help`,
  options: IMPORT_OPTIONS,
  positionals: { complete: importProviders },
};

export const ACCOUNTS_USAGE = `Usage: byokey accounts <subcommand> [options]

  list [--provider P]                          the stored accounts and their state
  use <provider> <account>                     make an account its provider's default
  remove <provider> <account>                  forget an account
  set-proxy <provider> <account> <URL|none>    send an account's requests through its own proxy
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
  subcommands: [LIST, USE, REMOVE, SET_PROXY, IMPORT],
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
    case SET_PROXY:
      return setProxy(rest, io);
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
    // The PROXY column only when some account is pinned, its credentials left out.
    const pinned = accounts.some((a) => a.tokens.proxyUrl !== undefined);
    const header = ['PROVIDER', 'ACCOUNT', 'DEFAULT', 'STATUS', 'EXPIRES', 'LABEL', ...(pinned ? ['PROXY'] : [])];
    io.out(table(header, accounts.map((a) => [...row(a), ...(pinned ? [a.tokens.proxyUrl === undefined ? '' : describeProxySetting(a.tokens.proxyUrl)] : [])])));
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

async function setProxy(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(SET_PROXY, argv);
  const clear = values.clear === true;
  if (positionals.length !== (clear ? 2 : 3)) {
    throw new UsageError(clear ? 'name the provider and the account (--clear takes no URL)' : 'name the provider, the account and the proxy URL (or none, or --clear)', SET_PROXY.usage);
  }
  const [provider, accountId, proxyUrl] = positionals;
  checkProvider(provider, accountProviders(), SET_PROXY.usage);
  if (!clear) checkProxyUrl(proxyUrl, SET_PROXY.usage);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withAccountStore(io, settings, async (store) => {
    if (!(await store.setProxy(provider, accountId, clear ? undefined : proxyUrl))) {
      io.err(`byokey accounts set-proxy: no ${provider} account named "${accountId}" (see: byokey accounts list)`);
      return EXIT_FAILURE;
    }
    if (clear) io.out(`${provider} account "${accountId}" follows its instance's proxy again.`);
    else if (proxyUrl === 'none') io.out(`${provider} account "${accountId}" now connects directly, whatever proxy_url and HTTPS_PROXY say.`);
    else io.out(`${provider} account "${accountId}" now goes through ${describeProxySetting(proxyUrl)}.`);
    return EXIT_OK;
  });
}

/** What a login or import that pinned a proxy says about it. */
export function pinnedLine(proxyUrl: string): string {
  return proxyUrl === 'none' ? 'The account connects directly, whatever proxy_url and HTTPS_PROXY say.' : `The account's requests go through ${describeProxySetting(proxyUrl)}.`;
}

/** A usage error (exit 2) for a proxy URL providers.yaml would refuse too; the URL is not echoed. */
export function checkProxyUrl(value: string, usage: string): void {
  const problem = proxyUrlProblem(value);
  if (problem) throw new UsageError(`not a usable proxy: it ${problem}`, usage);
}

async function importAccount(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(IMPORT, argv);
  const source = positionals[0];
  if (positionals.length !== 1) throw new UsageError(`name the login to import: ${IMPORT_NAMES}`, IMPORT.usage);
  if (values['proxy-url'] !== undefined) checkProxyUrl(values['proxy-url'], IMPORT.usage);
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
  const proxyUrl = values['proxy-url'];
  return withAccountStore(io, config.store, async (store) => {
    const saved = await store.save(proxyUrl === undefined ? account : { ...account, tokens: { ...account.tokens, proxyUrl } });
    const expiry = saved.expiresAt === undefined ? '' : `; token expires ${relativeTime(saved.expiresAt)}`;
    io.out(`Imported ${source} account "${saved.accountId}"${saved.label ? ` (${saved.label})` : ''}${saved.isDefault ? ', the default' : ''}${expiry}.`);
    if (saved.tokens.proxyUrl !== undefined) io.out(pinnedLine(saved.tokens.proxyUrl));
    io.out(describeAccountServing(config, cliPlugins(), await store.list(), saved));
    return EXIT_OK;
  });
}
