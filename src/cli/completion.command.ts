// `byokey completion bash|zsh|fish`: prints a shell completion script for byokey's commands,
// subcommands, options, option values and provider names, generated from the same command specs
// that parse the arguments and print `--help`, so a new command or option completes at once.
import { EXIT_OK, UsageError, type CliIo } from './cli-io';
import { commandName, parseCommandArgs, type CommandSpec } from './command-spec';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export const COMPLETION_USAGE = `Usage: byokey completion bash|zsh|fish

Prints a completion script for the shell: commands, subcommands, options, option values and
provider names.

  bash   eval "$(byokey completion bash)"          (in ~/.bashrc)
  zsh    source <(byokey completion zsh)            (in ~/.zshrc, after compinit)
  fish   byokey completion fish > ~/.config/fish/completions/byokey.fish

Options:
  -h, --help            show this help`;

export const COMPLETION_COMMAND: CommandSpec<Record<string, never>> = {
  path: 'completion',
  summary: 'print a shell completion script (bash, zsh, fish)',
  usage: COMPLETION_USAGE,
  options: {},
  positionals: { complete: () => SHELLS },
};

export async function completionCommand(argv: string[], io: CliIo, commands: readonly CommandSpec[]): Promise<number> {
  const { positionals } = parseCommandArgs(COMPLETION_COMMAND, argv);
  const shell = positionals[0];
  if (positionals.length !== 1 || !(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(positionals.length === 0 ? 'name the shell: bash, zsh or fish' : `no completion for "${positionals.join(' ')}": bash, zsh or fish`, COMPLETION_USAGE);
  }
  io.out(completionScript(shell as Shell, commands));
  return EXIT_OK;
}

export function completionScript(shell: Shell, commands: readonly CommandSpec[]): string {
  const table = completionTable(commands);
  return shell === 'fish' ? fishScript(table) : shell === 'zsh' ? zshScript(table) : bashScript(table);
}

/** One command or subcommand as the completion sees it. */
interface Completable {
  /** "serve", "accounts list". */
  path: string;
  summary: string;
  /** Every option word, long and short, `--help` and `-h` included. */
  options: string[];
  /** Option words that take a value, with the values to offer ('files' for a file name). */
  values: Array<{ words: string[]; offer: readonly string[] | 'files' }>;
  /** What the first argument may be. */
  positionals: readonly string[];
}

interface CompletionTable {
  leaves: Completable[];
  /** Top-level commands, with their summary. */
  commands: Array<{ name: string; summary: string }>;
  /** Commands made of subcommands, with theirs. */
  groups: Array<{ name: string; subcommands: Array<{ name: string; summary: string }> }>;
  /** Every option word that takes a value, in any command: the word after it is not a command. */
  valued: string[];
}

function completionTable(commands: readonly CommandSpec[]): CompletionTable {
  const leaves: Completable[] = [];
  const groups: CompletionTable['groups'] = [];
  for (const spec of commands) {
    if (spec.subcommands) {
      groups.push({ name: spec.path, subcommands: spec.subcommands.map((s) => ({ name: commandName(s), summary: s.summary })) });
      leaves.push(...spec.subcommands.map(completable));
    } else {
      leaves.push(completable(spec));
    }
  }
  const valued = [...new Set(leaves.flatMap((leaf) => leaf.values.flatMap((v) => v.words)))];
  return { leaves, commands: commands.map((c) => ({ name: c.path, summary: c.summary })), groups, valued };
}

function completable(spec: CommandSpec): Completable {
  const options: string[] = [];
  const values: Completable['values'] = [];
  for (const [name, option] of Object.entries(spec.options)) {
    const words = option.short ? [`--${name}`, `-${option.short}`] : [`--${name}`];
    options.push(...words);
    if (option.type === 'string') {
      const offer = spec.optionValues?.[name] ?? (name === 'config' || name === 'file' ? 'files' : []);
      values.push({ words, offer });
    }
  }
  options.push('--help', '-h');
  return { path: spec.path, summary: spec.summary, options, values, positionals: spec.positionals?.complete?.() ?? [] };
}

/** bash and zsh share the word walk and the tables; only how a list is offered differs. */
function posixBody(table: CompletionTable, offer: (words: string) => string, offerFiles: string): string {
  const groupNames = table.groups.map((g) => g.name).join(' ');
  const valueCases = table.leaves.flatMap((leaf) =>
    leaf.values.map((v) => {
      const patterns = v.words.map((w) => `"${leaf.path}|${w}"`).join('|');
      // A free-text value (a name, a number) gets no suggestions rather than the commands.
      const action = v.offer === 'files' ? `${offerFiles}; ` : v.offer.length > 0 ? `${offer(v.offer.join(' '))}; ` : '';
      return `    ${patterns}) ${action}return 0 ;;`;
    }),
  );
  const optionCases = table.leaves.map((leaf) => `      "${leaf.path}") ${offer(leaf.options.join(' '))} ;;`);
  const subcommandCases = table.groups.map((g) => `      ${g.name}) ${offer(g.subcommands.map((s) => s.name).join(' '))} ;;`);
  const positionalCases = table.leaves
    .filter((leaf) => leaf.positionals.length > 0)
    .map((leaf) => `      "${leaf.path}") ${offer(leaf.positionals.join(' '))} ;;`);
  return `  local valued=" ${table.valued.join(' ')} "
  local groups=" ${groupNames} "
  local cmd="" sub="" word skip=0 npos=0 i
  for ((i = first; i < current; i++)); do
    word="\${all[i]}"
    if ((skip)); then skip=0; continue; fi
    if [[ "$word" == -* ]]; then
      [[ "$valued" == *" $word "* ]] && skip=1
      continue
    fi
    if [[ -z "$cmd" ]]; then cmd="$word"
    elif [[ -z "$sub" && "$groups" == *" $cmd "* ]]; then sub="$word"
    else npos=$((npos + 1)); fi
  done
  local at="$cmd\${sub:+ $sub}"
  case "$at|$prev" in
${valueCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    case "$at" in
${optionCases.join('\n')}
    esac
    return 0
  fi
  if [[ -z "$cmd" ]]; then
    ${offer(table.commands.map((c) => c.name).join(' '))}
    return 0
  fi
  if [[ "$groups" == *" $cmd "* && -z "$sub" ]]; then
    case "$cmd" in
${subcommandCases.join('\n')}
    esac
    return 0
  fi
  if ((npos == 0)); then
    case "$at" in
${positionalCases.join('\n')}
    esac
  fi
  return 0`;
}

function bashScript(table: CompletionTable): string {
  const offer = (words: string) => `COMPREPLY=($(compgen -W "${words}" -- "$cur"))`;
  return `# byokey completion for bash. Load it with: eval "$(byokey completion bash)"
_byokey() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local -a all=("\${COMP_WORDS[@]}")
  local first=1 current=$COMP_CWORD
  COMPREPLY=()
${posixBody(table, offer, 'COMPREPLY=($(compgen -f -- "$cur"))')}
}
complete -o default -F _byokey byokey`;
}

function zshScript(table: CompletionTable): string {
  const offer = (words: string) => `compadd -- ${words}`;
  return `#compdef byokey
# byokey completion for zsh. Load it with: source <(byokey completion zsh) (after compinit)
_byokey() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}"
  local -a all=("\${words[@]}")
  local first=2 current=$CURRENT
${posixBody(table, offer, '_files')}
}
compdef _byokey byokey`;
}

function fishScript(table: CompletionTable): string {
  const quote = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const lines = ['# byokey completion for fish. Save it as ~/.config/fish/completions/byokey.fish', 'complete -c byokey -f'];
  for (const c of table.commands) {
    lines.push(`complete -c byokey -n __fish_use_subcommand -a ${c.name} -d ${quote(c.summary)}`);
  }
  for (const g of table.groups) {
    const names = g.subcommands.map((s) => s.name).join(' ');
    for (const s of g.subcommands) {
      lines.push(`complete -c byokey -n ${quote(`__fish_seen_subcommand_from ${g.name}; and not __fish_seen_subcommand_from ${names}`)} -a ${s.name} -d ${quote(s.summary)}`);
    }
  }
  for (const leaf of table.leaves) {
    const condition = quote(leaf.path.split(' ').map((word) => `__fish_seen_subcommand_from ${word}`).join('; and '));
    const valued = new Map(leaf.values.map((v) => [v.words[0], v.offer]));
    for (const word of leaf.options.filter((w) => w.startsWith('--'))) {
      const short = leaf.options[leaf.options.indexOf(word) + 1];
      const shortFlag = short && !short.startsWith('--') ? ` -s ${short.slice(1)}` : '';
      const offer = valued.get(word);
      const takes = offer === undefined ? '' : offer === 'files' ? ' -r -F' : offer.length > 0 ? ` -x -a ${quote(offer.join(' '))}` : ' -x';
      lines.push(`complete -c byokey -n ${condition} -l ${word.slice(2)}${shortFlag}${takes}`);
    }
    if (leaf.positionals.length > 0) lines.push(`complete -c byokey -n ${condition} -a ${quote(leaf.positionals.join(' '))}`);
  }
  return lines.join('\n');
}
