// byokey's command line: the table of commands, and the one place that turns what a command
// throws into an exit code — `--help` (0), a usage mistake (2, with that command's usage), an
// unexpected failure (1). Each command lives in its own file and returns an exit code.
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './cli-io';
import { ACCOUNTS_COMMAND, accountsCommand } from './accounts.command';
import { HelpRequested, type CommandSpec } from './command-spec';
import { COMPLETION_COMMAND, completionCommand } from './completion.command';
import { KEYS_COMMAND, keysCommand } from './keys.command';
import { LOGIN_COMMAND, loginCommand } from './login.command';
import { LOGOUT_COMMAND, logoutCommand } from './logout.command';
import { REKEY_COMMAND, rekeyCommand } from './rekey.command';
import { SERVE_COMMAND, serveCommand } from './serve.command';
import { STATUS_COMMAND, statusCommand } from './status.command';
import { USAGE_COMMAND, usageCommand } from './usage.command';
import { byokeyVersion } from './version';

export interface CliCommand {
  spec: CommandSpec;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Every command, in the order the help lists them; the completions are generated from it too. */
export const COMMANDS: readonly CliCommand[] = [
  { spec: SERVE_COMMAND, run: serveCommand },
  { spec: LOGIN_COMMAND, run: loginCommand },
  { spec: LOGOUT_COMMAND, run: logoutCommand },
  { spec: ACCOUNTS_COMMAND, run: accountsCommand },
  { spec: KEYS_COMMAND, run: keysCommand },
  { spec: STATUS_COMMAND, run: statusCommand },
  { spec: USAGE_COMMAND, run: usageCommand },
  { spec: REKEY_COMMAND, run: rekeyCommand },
  { spec: COMPLETION_COMMAND, run: (argv, io) => completionCommand(argv, io, COMMANDS.map((c) => c.spec)) },
];

export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.path.length));
  const list = COMMANDS.map((c) => `  ${c.spec.path.padEnd(width)}  ${c.spec.summary}`).join('\n');
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
  if (name === undefined) {
    io.err(mainUsage());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = COMMANDS.find((c) => c.spec.path === rest[0]);
    io.out(name === 'help' && topic ? topic.spec.usage : mainUsage());
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    io.out(byokeyVersion());
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.spec.path === name);
  if (!command) {
    io.err(`byokey: unknown command "${name}"\n\n${mainUsage()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.out(error.usage);
      return EXIT_OK;
    }
    if (error instanceof UsageError) {
      io.err(`byokey ${name}: ${error.message}\n\n${error.usage ?? command.spec.usage}`);
      return EXIT_USAGE;
    }
    io.err(`byokey ${name}: ${(error as Error).stack ?? String(error)}`);
    return EXIT_FAILURE;
  }
}
