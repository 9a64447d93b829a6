// Every command and subcommand of the `byokey` executable as a user meets it: `--help` on each
// (walked from the command table, so a new command is covered without a new test), the exit
// codes (0 ok, 2 usage, 130 interrupted), unknown provider names, read-only commands that leave a
// missing BYOKEY_HOME missing, and the shell completion scripts. Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../src/cli/cli';
import type { CommandSpec } from '../src/cli/command-spec';
import { OAUTH_DEFINITIONS } from '../src/providers/oauth-definitions';
import { CliSandbox, killAllCli, runCli, startCli } from './support/cli-process';

let sandbox: CliSandbox;

beforeEach(() => {
  sandbox = new CliSandbox();
});

afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

/** Every command and subcommand, as the words after `byokey`. */
const SPECS: CommandSpec[] = COMMANDS.flatMap((c) => [c.spec, ...(c.spec.subcommands ?? [])]);
const LEAVES: CommandSpec[] = SPECS.filter((spec) => !spec.subcommands);
const PROVIDERS = Object.keys(OAUTH_DEFINITIONS).join(', ');

function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

describe('--help', () => {
  it.each(SPECS.map((spec) => [spec.path, spec]))('byokey %s --help prints its usage and exits 0, naming every option', async (path, spec) => {
    const result = await runCli([...path.split(' '), '--help'], sandbox);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith(`Usage: byokey ${path}`)).toBe(true);
    expect(result.stdout).toContain('-h, --help');
    // The parser and the help come from the same spec: an option the help forgets fails here.
    for (const [name, option] of Object.entries(spec.options)) {
      expect(result.stdout).toContain(`--${name}`);
      if (option.short) expect(result.stdout).toContain(`-${option.short}, --${name}`);
    }
    expect(existsSync(sandbox.home)).toBe(false);
  });

  it('-h works after arguments and other options too', async () => {
    const result = await runCli(['accounts', 'import', 'codex', '--file', 'x.json', '-h'], sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: byokey accounts import /);
  });

  it('lists every command in the main help', async () => {
    const result = await runCli(['--help'], sandbox);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^ {2}${command.spec.path} +${escape(command.spec.summary)}$`, 'm'));
  });
});

describe('exit codes', () => {
  it.each(LEAVES.map((spec) => [spec.path]))('byokey %s --frobnicate exits 2 naming the option, with that command\'s usage', async (path) => {
    const result = await runCli([...path.split(' '), '--frobnicate'], sandbox);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--frobnicate'");
    expect(result.stderr).not.toContain('To specify a positional argument'); // Node's raw message, cut
    expect(result.stderr).toContain(`Usage: byokey ${path}`);
    expect(result.stdout).toBe('');
  });

  it.each([
    [['accounts'], 'name a subcommand', 'Usage: byokey accounts <subcommand>'],
    [['accounts', 'frob'], 'unknown subcommand "frob"', 'Usage: byokey accounts <subcommand>'],
    [['keys'], 'name a subcommand', 'Usage: byokey keys <subcommand>'],
    [['accounts', 'import', '--file'], "Option '--file <value>' argument missing", 'Usage: byokey accounts import'],
    [['accounts', 'use', 'codex'], 'name the provider and the account', 'Usage: byokey accounts use'],
    [['status', 'extra'], "Unexpected argument 'extra'", 'Usage: byokey status'],
    [['completion', 'tcsh'], 'no completion for "tcsh": bash, zsh or fish', 'Usage: byokey completion'],
  ])('byokey %j exits 2: %s', async (args, message, usage) => {
    const result = await runCli(args, sandbox);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(usage);
  });
});

describe('unknown providers', () => {
  it.each([
    [['accounts', 'list', '--provider', 'nope']],
    [['logout', 'nope']],
    [['login', 'nope']],
    [['accounts', 'use', 'nope', 'work']],
    [['accounts', 'remove', 'nope', 'work']],
  ])('byokey %j exits 2 with the known providers, and creates nothing', async (args) => {
    const result = await runCli(args, sandbox);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`unknown provider "nope" (providers: ${PROVIDERS})`);
    expect(existsSync(sandbox.home)).toBe(false);
  });
});

describe('read-only commands', () => {
  it.each([
    [['status'], 'No stored accounts.'],
    [['accounts', 'list'], 'No accounts yet.'],
    [['accounts', 'list', '--provider', 'codex'], 'No accounts for codex yet.'],
    [['keys', 'list'], 'No client keys yet.'],
    [['usage'], 'No requests in this window.'],
  ])('byokey %j creates no BYOKEY_HOME, database or key, and says there is nothing yet', async (args, message) => {
    const result = await runCli(args, sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(message);
    expect(existsSync(sandbox.home)).toBe(false);
  });

  it('leave an empty BYOKEY_HOME empty', async () => {
    mkdirSync(sandbox.home);
    for (const args of [['status'], ['accounts', 'list'], ['keys', 'list'], ['usage']]) {
      expect((await runCli(args, sandbox)).code).toBe(0);
    }
    expect(readdirSync(sandbox.home)).toEqual([]);
  });

  it('status says where the database will be, not that it is there', async () => {
    const result = await runCli(['status'], sandbox);
    expect(result.stdout).toContain(`store:  ${join(sandbox.home, 'byokey.db')} (not created yet)`);
  });

  it('read what is stored once the database exists', async () => {
    expect((await runCli(['keys', 'create', '--name', 'ci'], sandbox)).code).toBe(0);
    const list = await runCli(['keys', 'list'], sandbox);
    expect(list.stdout).toMatch(/^ci +/m);
  });
});

describe('byokey completion', () => {
  const allWords = (spec: CommandSpec) => [spec.path.split(' ').at(-1)!, ...Object.keys(spec.options).map((name) => `--${name}`)];

  it('bash: a script bash accepts, completing commands, subcommands, options, values and providers', async () => {
    const result = await runCli(['completion', 'bash'], sandbox);
    expect(result.code).toBe(0);
    const script = sandbox.write('byokey.bash', result.stdout);
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const complete = (...words: string[]) => {
      const driver = [
        `source ${JSON.stringify(script)}`,
        `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}`,
        '_byokey; printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      const run = spawnSync('bash', ['-c', driver], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      return run.stdout.split('\n').filter(Boolean);
    };
    expect(complete('byokey', '')).toEqual(COMMANDS.map((c) => c.spec.path));
    expect(complete('byokey', 'accounts', '')).toEqual(['list', 'use', 'remove', 'set-proxy', 'import']);
    expect(complete('byokey', 'accounts', 'list', '--')).toEqual(['--provider', '--config', '--help']);
    expect(complete('byokey', 'accounts', 'list', '--provider', 'c')).toEqual(['codex', 'claude', 'copilot']);
    expect(complete('byokey', 'login', '--config', 'p.yaml', '')).toEqual(Object.keys(OAUTH_DEFINITIONS));
    expect(complete('byokey', 'login', 'codex', '')).toEqual([]);
    expect(complete('byokey', 'serve', '--log-format', '')).toEqual(['json', 'pretty']);
    expect(complete('byokey', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('zsh: a compdef function naming every command, subcommand and option', async () => {
    const result = await runCli(['completion', 'zsh'], sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('#compdef byokey\n')).toBe(true);
    expect(result.stdout.trimEnd().endsWith('compdef _byokey byokey')).toBe(true);
    for (const spec of SPECS) for (const word of allWords(spec)) expect(result.stdout).toContain(word);
    if (hasShell('zsh')) {
      const script = sandbox.write('byokey.zsh', result.stdout);
      expect(spawnSync('zsh', ['-n', script]).status).toBe(0);
    }
  });

  it('fish: a complete line for every command, subcommand and option', async () => {
    const result = await runCli(['completion', 'fish'], sandbox);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    for (const command of COMMANDS) {
      expect(lines).toContain(`complete -c byokey -n __fish_use_subcommand -a ${command.spec.path} -d '${command.spec.summary.replaceAll("'", "\\'")}'`);
    }
    for (const spec of LEAVES) {
      const condition = spec.path.split(' ').map((word) => `__fish_seen_subcommand_from ${word}`).join('; and ');
      for (const name of [...Object.keys(spec.options), 'help']) {
        expect(lines.some((line) => line.startsWith(`complete -c byokey -n '${condition}' -l ${name}`))).toBe(true);
      }
    }
    expect(lines).toContain(`complete -c byokey -n '__fish_seen_subcommand_from login' -a '${Object.keys(OAUTH_DEFINITIONS).join(' ')}'`);
    if (hasShell('fish')) {
      const script = sandbox.write('byokey.fish', result.stdout);
      expect(spawnSync('fish', ['--no-execute', script]).status).toBe(0);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
