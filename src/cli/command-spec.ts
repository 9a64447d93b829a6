// What every command and subcommand declares about its command line — its usage text, its
// options, whether it takes arguments and what they may be — and the one parser they all use.
// The same declarations drive `--help` (every command takes it), usage errors (exit 2, with the
// command's usage) and the shell completions, so the three cannot drift apart.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-io';

/** parseArgs's option table (node:util does not export its name). */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<O extends OptionsConfig = OptionsConfig> {
  /** The words after `byokey`: "serve", "accounts list". */
  path: string;
  /** One line for the list of commands. */
  summary: string;
  /** The whole `--help` text, starting with "Usage: byokey <path>". */
  usage: string;
  /** Its options, as node:util parseArgs takes them; every command also takes `-h, --help`. */
  options: O;
  /** Whether it takes positional arguments, and what the first may be (for completion). */
  positionals?: { complete?: () => readonly string[] };
  /** The values a string option may take, by option name (for completion). */
  optionValues?: Record<string, readonly string[]>;
  /** A command made of subcommands (`accounts`, `keys`): these, each with its own spec. */
  subcommands?: readonly CommandSpec[];
}

/** `--help` (or `-h`) was given: print the usage and exit 0, whatever else the line says. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
  }
}

/**
 * Parses a command's arguments against its spec. Throws HelpRequested for `--help`, and a
 * UsageError carrying the command's usage for an unknown option, a missing value or an argument
 * where none is taken (Node's own messages, cut to their first sentence).
 */
export function parseCommandArgs<O extends OptionsConfig>(spec: CommandSpec<O>, argv: string[]) {
  // --help wins over any other mistake on the line: `byokey accounts import --help` is a question.
  const end = argv.indexOf('--');
  const optionWords = end < 0 ? argv : argv.slice(0, end);
  if (optionWords.includes('--help') || optionWords.includes('-h')) throw new HelpRequested(spec.usage);
  try {
    return parseArgs({
      args: argv,
      options: spec.options,
      allowPositionals: spec.positionals !== undefined,
      strict: true,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError((error as Error).message.split('. ')[0], spec.usage);
  }
}

/** The subcommand a command made of subcommands was given, or the reason there is none. */
export function pickSubcommand(spec: CommandSpec, argv: string[]): { sub: CommandSpec; rest: string[] } {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') throw new HelpRequested(spec.usage);
  if (name === undefined) throw new UsageError('name a subcommand', spec.usage);
  const sub = spec.subcommands?.find((s) => s.path === `${spec.path} ${name}`);
  if (!sub) throw new UsageError(`unknown subcommand "${name}"`, spec.usage);
  return { sub, rest };
}

/** The last word of a spec's path: "list" for "accounts list". */
export function commandName(spec: CommandSpec): string {
  return spec.path.slice(spec.path.lastIndexOf(' ') + 1);
}
