// `byokey login <provider>`: signs in to a subscription the way its official CLI does (browser
// PKCE with a loopback callback, or a device code) and stores the account.
import { parseArgs } from 'node:util';
import { runAuthorizationCodeFlow } from '../auth/authorization-code-flow';
import { runDeviceCodeFlow } from '../auth/device-code-flow';
import { OAuthError } from '../auth/oauth-error';
import { resolveOAuthDefinition } from '../auth/resolve-oauth-definition';
import { OAUTH_DEFINITIONS } from '../providers/oauth-definitions';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { relativeTime } from './format';
import { describeAccountServing } from '../registry/account-serving';
import { cliPlugins, loadConfigForCommand } from './load-config';
import { withAccountStore } from './open-store';
import { TerminalLoginUi } from './terminal-login-ui';

export const LOGIN_USAGE = `Usage: byokey login <provider> [--account NAME] [--no-browser] [--config FILE]

Signs in to a subscription and stores the account where providers.yaml's \`store:\` says (by
default the database in BYOKEY_HOME; with a shared PostgreSQL, every gateway on it sees the account).

Providers: ${Object.keys(OAUTH_DEFINITIONS).join(', ')}

Options:
      --account NAME  the account's name (default: the provider's default account, or "default")
      --no-browser    print the login URL instead of opening a browser; paste the redirect URL
                      (or the code) here when the browser is on another machine
  -c, --config FILE   providers.yaml whose \`oauth:\` and \`store:\` settings to use (default: ./providers.yaml)
  -h, --help          show this help`;

export async function loginCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      account: { type: 'string' },
      'no-browser': { type: 'boolean' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    io.out(LOGIN_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('name one provider to log in to');
  const provider = positionals[0];
  if (!OAUTH_DEFINITIONS[provider]) {
    throw new UsageError(`unknown provider "${provider}" (providers: ${Object.keys(OAUTH_DEFINITIONS).join(', ')})`);
  }
  const config = loadConfigForCommand(values.config, io);
  if (!config) return EXIT_FAILURE;
  const definition = resolveOAuthDefinition(provider, OAUTH_DEFINITIONS, config)!;

  return withAccountStore(io, config.store, async (store) => {
    const accountId = values.account ?? (await store.getDefault(provider))?.accountId ?? 'default';
    const ui = new TerminalLoginUi(io);
    const abort = new AbortController();
    const cancel = () => abort.abort(new Error('cancelled'));
    process.once('SIGINT', cancel);
    let obtained;
    try {
      io.out(`Logging in to ${definition.displayName} (account "${accountId}")…`);
      const options = { definition, ui, noBrowser: values['no-browser'] === true, signal: abort.signal };
      obtained =
        definition.flow === 'device-code' ? await runDeviceCodeFlow(options) : await runAuthorizationCodeFlow(options);
    } catch (error) {
      if (error instanceof OAuthError || abort.signal.aborted) {
        io.err(`byokey login ${provider}: ${abort.signal.aborted ? 'cancelled' : (error as Error).message}`);
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
      tokens: obtained.tokens,
      expiresAt: obtained.expiresAt,
      claims: obtained.claims,
    });
    const who = account.label ? ` as ${account.label}` : '';
    const plan = typeof account.claims.plan === 'string' ? `, plan ${account.claims.plan}` : '';
    const expiry = account.expiresAt === undefined ? '' : `; token expires ${relativeTime(account.expiresAt)}`;
    const isDefault = account.isDefault ? ', the default' : '';
    io.out(`Logged in to ${definition.displayName}${who}: account "${account.accountId}"${isDefault}${plan}${expiry}.`);
    io.out(describeAccountServing(config, cliPlugins(), await store.list(), account));
    return EXIT_OK;
  });
}
