// `byokey login <provider>`: signs in to a subscription the way its official CLI does (browser
// PKCE with a loopback callback, or a device code) and stores the account.
import { runAuthorizationCodeFlow } from '../auth/authorization-code-flow';
import { runDeviceCodeFlow } from '../auth/device-code-flow';
import { OAuthError } from '../auth/oauth-error';
import { resolveOAuthDefinition } from '../auth/resolve-oauth-definition';
import { OAUTH_DEFINITIONS } from '../providers/oauth-definitions';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { parseCommandArgs, type CommandSpec } from './command-spec';
import { checkProvider, loginProviders } from './known-providers';
import { relativeTime } from './format';
import { describeAccountServing } from '../registry/account-serving';
import { cliPlugins, loadConfigForCommand } from './load-config';
import { withAccountStore } from './open-store';
import { TerminalLoginUi } from './terminal-login-ui';
import { checkProxyUrl, pinnedLine } from './accounts.command';

export const LOGIN_USAGE = `Usage: byokey login <provider> [--account NAME] [--no-browser] [--proxy-url URL] [--config FILE]

Signs in to a subscription and stores the account where providers.yaml's \`store:\` says (by
default the database in BYOKEY_HOME; with a shared PostgreSQL, every gateway on it sees the account).

Providers: ${Object.keys(OAUTH_DEFINITIONS).join(', ')}

Options:
      --account NAME  the account's name (default: the provider's default account, or "default")
      --no-browser    print the login URL instead of opening a browser; paste the redirect URL
                      (or the code) here when the browser is on another machine
      --proxy-url URL the account's own proxy (http://, https://, socks5://, socks5h:// or none):
                      the login, its requests and its refreshes go through it (see
                      byokey accounts set-proxy); without it, a new login keeps the
                      account's proxy, if it has one
  -c, --config FILE   providers.yaml whose \`oauth:\` and \`store:\` settings to use (default: ./providers.yaml)
  -h, --help          show this help`;

const LOGIN_OPTIONS = {
  account: { type: 'string' },
  'no-browser': { type: 'boolean' },
  'proxy-url': { type: 'string' },
  config: { type: 'string', short: 'c' },
} as const;

export const LOGIN_COMMAND: CommandSpec<typeof LOGIN_OPTIONS> = {
  path: 'login',
  summary: 'sign in to a subscription (codex, claude, copilot, …)',
  usage: LOGIN_USAGE,
  options: LOGIN_OPTIONS,
  positionals: { complete: loginProviders },
};

export async function loginCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(LOGIN_COMMAND, argv);
  if (positionals.length !== 1) throw new UsageError('name one provider to log in to');
  const provider = checkProvider(positionals[0], loginProviders(), LOGIN_USAGE);
  const proxyUrl = values['proxy-url'];
  if (proxyUrl !== undefined) checkProxyUrl(proxyUrl, LOGIN_USAGE);
  const importOnly = OAUTH_DEFINITIONS[provider]?.importOnly;
  if (importOnly) {
    io.err(`byokey login ${provider}: ${importOnly}`);
    return EXIT_FAILURE;
  }
  const config = loadConfigForCommand(values.config, io);
  if (!config) return EXIT_FAILURE;
  const resolved = resolveOAuthDefinition(provider, OAUTH_DEFINITIONS, config)!;
  // The login itself leaves by the account's proxy too: the provider sees one egress.
  const definition = proxyUrl === undefined ? resolved : { ...resolved, proxyUrl };

  return withAccountStore(io, config.store, async (store) => {
    const accountId = values.account ?? (await store.getDefault(provider))?.accountId ?? 'default';
    const ui = new TerminalLoginUi(io);
    const abort = new AbortController();
    const cancel = () => abort.abort(new Error('cancelled'));
    process.once('SIGINT', cancel);
    let obtained;
    try {
      if (definition.notice) io.err(definition.notice);
      io.out(`Logging in to ${definition.displayName} (account "${accountId}")…`);
      const options = { definition, ui, noBrowser: values['no-browser'] === true, signal: abort.signal, retryCommand: retryCommand(provider, values) };
      obtained =
        definition.flow === 'device-code' ? await runDeviceCodeFlow(options) : await runAuthorizationCodeFlow(options);
    } catch (error) {
      if (abort.signal.aborted) {
        ui.clearProgress();
        io.err(`byokey login ${provider}: cancelled`);
        return EXIT_INTERRUPTED;
      }
      if (error instanceof OAuthError) {
        ui.clearProgress();
        io.err(`byokey login ${provider}: ${error.message}${retryHint(provider, values, error.message)}`);
        return EXIT_FAILURE;
      }
      throw error;
    } finally {
      process.removeListener('SIGINT', cancel);
      ui.close();
    }
    const account = await store.save({
      provider,
      accountId,
      label: obtained.label,
      tokens: proxyUrl === undefined ? obtained.tokens : { ...obtained.tokens, proxyUrl },
      expiresAt: obtained.expiresAt,
      claims: obtained.claims,
    });
    const who = account.label ? ` as ${account.label}` : '';
    const plan = typeof account.claims.plan === 'string' ? `, plan ${account.claims.plan}` : '';
    const expiry = account.expiresAt === undefined ? '' : `; token expires ${relativeTime(account.expiresAt)}`;
    const isDefault = account.isDefault ? ', the default' : '';
    io.out(`Logged in to ${definition.displayName}${who}: account "${account.accountId}"${isDefault}${plan}${expiry}.`);
    if (account.tokens.proxyUrl !== undefined) io.out(pinnedLine(account.tokens.proxyUrl));
    io.out(describeAccountServing(config, cliPlugins(), await store.list(), account));
    return EXIT_OK;
  });
}

/** The command that repeats this login, with the user's own flags: what a failure says to run. */
function retryCommand(provider: string, values: { account?: string; 'no-browser'?: boolean; 'proxy-url'?: string; config?: string }): string {
  const words = ['byokey', 'login', provider];
  if (values.account !== undefined) words.push('--account', shellWord(values.account));
  if (values['no-browser']) words.push('--no-browser');
  // Not the proxy URL itself: it may hold a password, and this line is printed.
  if (values['proxy-url'] !== undefined) words.push('--proxy-url', 'URL');
  if (values.config !== undefined) words.push('--config', shellWord(values.config));
  return words.join(' ');
}

/** A failure's message names the bare `byokey login <provider>`; with flags given, say the full one too. */
function retryHint(provider: string, values: Parameters<typeof retryCommand>[1], message: string): string {
  const retry = retryCommand(provider, values);
  return message.includes(retry) || retry === `byokey login ${provider}` ? '' : `\nTo try again: ${retry}`;
}

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
