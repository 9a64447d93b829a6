// byokey's command line: picks the command and reports usage mistakes. Each command lives in
// its own file and returns an exit code.
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './cli-io';
import { ACCOUNTS_USAGE, accountsCommand } from './accounts.command';
import { KEYS_USAGE, keysCommand } from './keys.command';
import { LOGIN_USAGE, loginCommand } from './login.command';
import { LOGOUT_USAGE, logoutCommand } from './logout.command';
import { REKEY_USAGE, rekeyCommand } from './rekey.command';
import { SERVE_USAGE, serveCommand } from './serve.command';
import { STATUS_USAGE, statusCommand } from './status.command';
import { USAGE_USAGE, usageCommand } from './usage.command';
import { byokeyVersion } from './version';

const COMMANDS: Record<string, { summary: string; usage: string; run: (argv: string[], io: CliIo) => Promise<number> }> = {
  serve: { summary: 'start the gateway', usage: SERVE_USAGE, run: serveCommand },
  login: { summary: 'sign in to a subscription (codex, claude, copilot, …)', usage: LOGIN_USAGE, run: loginCommand },
  logout: { summary: 'forget a stored account', usage: LOGOUT_USAGE, run: logoutCommand },
  accounts: { summary: 'list, choose, remove or import stored accounts', usage: ACCOUNTS_USAGE, run: accountsCommand },
  keys: { summary: 'create, list, update or revoke client keys', usage: KEYS_USAGE, run: keysCommand },
  status: { summary: 'show the configuration and the accounts', usage: STATUS_USAGE, run: statusCommand },
  usage: { summary: 'requests and tokens served, by key, model, account or instance', usage: USAGE_USAGE, run: usageCommand },
  rekey: { summary: 're-seal stored secrets with a new secret key (key rotation)', usage: REKEY_USAGE, run: rekeyCommand },
};

export function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return `byokey ${byokeyVersion()}: bring your own keys — AI subscriptions and API keys as OpenAI- and Anthropic-compatible endpoints

Usage: byokey <command> [options]

Commands:
${list}

Options:
  -h, --help     show this help (byokey <command> --help for a command's options)
  -v, --version  print the version`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) io.out(COMMANDS[rest[0]].usage);
    else io.out(mainUsage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    io.out(byokeyVersion());
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`byokey: unknown command "${name}"\n\n${mainUsage()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // parseArgs reports unknown or malformed options as TypeErrors with an ERR_PARSE_ARGS_* code.
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`byokey ${name}: ${(error as Error).message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    io.err(`byokey ${name}: ${(error as Error).stack ?? String(error)}`);
    return EXIT_FAILURE;
  }
}
