// Runs the built `byokey` executable (dist/main.js) as a child process, the way a user would:
// a private BYOKEY_HOME and working directory per test, stdout/stderr collected, helpers to wait
// for the "byokey started" JSON line (with the address) and for the exit. Every process started here is
// remembered so a test's afterEach can kill whatever is still running, even after a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BYOKEY_BIN = resolve(__dirname, '..', '..', 'dist', 'main.js');

export interface CliResult {
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A JSON log line as serve writes it (pino's fields plus whatever the line carries). */
export type LogLine = { level: number; time: number; msg: string } & Record<string, unknown>;

/** serve's "byokey started" line. */
export interface StartLine extends Record<string, unknown> {
  level: number;
  msg: 'byokey started';
  version: string;
  address: string;
  config: string;
  instances: string[];
  models: number;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the child's environment (which never inherits BYOKEY_* variables from ours). */
  env?: NodeJS.ProcessEnv;
  /** BYOKEY_HOME for the child; defaults to `<sandbox>/home`. */
  home?: string;
  /**
   * Run it on a pseudo-terminal, as at a user's shell: util-linux `script` gives the child a pty
   * and copies what it writes there to our stdout (stderr arrives there too, merged as a
   * terminal shows it). `script -e` exits with the child's code.
   */
  terminal?: boolean;
}

/** `'…'` for a POSIX shell. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A temporary directory for one test: `cwd/` for the process, `home/` as BYOKEY_HOME. */
export class CliSandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'byokey-cli-'));
  readonly cwd = join(this.root, 'cwd');
  readonly home = join(this.root, 'home');

  constructor() {
    mkdirSync(this.cwd);
  }

  /** Writes a file under the sandbox root (or `cwd/` when `inCwd`); returns its absolute path. */
  write(name: string, text: string, inCwd = false): string {
    const file = join(inCwd ? this.cwd : this.root, name);
    writeFileSync(file, text);
    return file;
  }

  remove(): void {
    if (existsSync(this.root)) rmSync(this.root, { recursive: true, force: true });
  }
}

const running = new Set<CliProcess>();

/** A running `byokey` process. */
export class CliProcess {
  stdout = '';
  stderr = '';
  /** Resolves when the process has exited and its output streams have closed. */
  readonly exited: Promise<CliResult>;
  private result?: CliResult;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(args: string[], sandbox: CliSandbox, options: CliOptions = {}) {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BYOKEY_')) env[key] = value;
    Object.assign(env, { BYOKEY_HOME: options.home ?? sandbox.home, BYOKEY_LOG_LEVEL: 'info' }, options.env);
    const command = [process.execPath, BYOKEY_BIN, ...args];
    const [file, argv] = options.terminal ? ['script', ['-qfec', command.map(shellQuote).join(' '), '/dev/null']] : [command[0], command.slice(1)];
    this.child = spawn(file, argv, {
      cwd: options.cwd ?? sandbox.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      this.notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
      this.notify();
    });
    running.add(this);
    this.exited = new Promise<CliResult>((done, fail) => {
      this.child.once('error', fail);
      // 'close' (not 'exit') so all output has been read.
      this.child.once('close', (code, signal) => {
        running.delete(this);
        this.result = { code, signal, stdout: this.stdout, stderr: this.stderr };
        this.notify();
        done(this.result);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get hasExited(): boolean {
    return this.result !== undefined;
  }

  /** Types a line on the process's stdin (as a user pasting into the terminal). */
  typeLine(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.hasExited) this.child.kill(signal);
  }

  /** Waits until stdout or stderr matches; fails early if the process exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 8000, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    return new Promise((resolveMatch, reject) => {
      const check = () => {
        const match = this[stream].match(pattern);
        if (match) return finish(() => resolveMatch(match));
        if (this.result) {
          return finish(() => reject(new Error(`byokey exited (code ${this.result!.code}, signal ${this.result!.signal}) before ${stream} matched ${pattern}\n${this.describe()}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${stream} to match ${pattern}\n${this.describe()}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for the "byokey started" log line and returns the base URL and port, and the line itself. */
  async listening(timeoutMs = 8000): Promise<{ url: string; host: string; port: number; line: StartLine }> {
    const match = await this.waitFor(/^\{.*"msg":"byokey started".*\}$/m, timeoutMs);
    const line = JSON.parse(match[0]) as StartLine;
    const address = /^http:\/\/(\[[^\]]+\]|[^:/\s]+):(\d+)$/.exec(line.address);
    if (!address) throw new Error(`the start line's address is not http://HOST:PORT: ${match[0]}`);
    return { url: line.address, host: address[1], port: Number(address[2]), line };
  }

  /** Every stdout line, parsed as JSON: fails on a line that is not JSON, naming it. */
  logLines(): LogLine[] {
    return logLinesOf(this.stdout);
  }

  /** Waits for the exit, failing (after killing the process) if it takes longer than timeoutMs. */
  async exit(timeoutMs = 8000): Promise<CliResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const text = this.describe();
        this.kill();
        reject(new Error(`byokey did not exit within ${timeoutMs} ms\n${text}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL if still running, and wait for it to be gone. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGKILL');
    await this.exited.catch(() => undefined);
  }

  describe(): string {
    return `--- stdout ---\n${this.stdout}--- stderr ---\n${this.stderr}`;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Every line of a finished run's stdout, parsed as JSON; throws on one that is not. */
export function logLinesOf(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => {
      try {
        return JSON.parse(text) as LogLine;
      } catch {
        throw new Error(`a stdout line is not JSON: ${JSON.stringify(text)}\n--- stdout ---\n${stdout}`);
      }
    });
}

/**
 * Why a `byokey serve` that could not start said it stopped: the message of its one fatal
 * (level 60) log line. Throws unless stdout is all JSON with exactly one fatal line and no
 * "byokey started" line.
 */
export function fatalMessage(result: CliResult): string {
  const lines = logLinesOf(result.stdout);
  const fatal = lines.filter((line) => line.level === 60);
  if (fatal.length !== 1 || lines.some((line) => line.msg === 'byokey started')) {
    throw new Error(`expected one fatal line and no start line\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`);
  }
  return fatal[0].msg;
}

/** Starts `byokey ARGS`. */
export function startCli(args: string[], sandbox: CliSandbox, options?: CliOptions): CliProcess {
  return new CliProcess(args, sandbox, options);
}

/** Runs `byokey ARGS` to completion. */
export function runCli(args: string[], sandbox: CliSandbox, options?: CliOptions, timeoutMs = 8000): Promise<CliResult> {
  return startCli(args, sandbox, options).exit(timeoutMs);
}

/** Kills every byokey process a test left running; for afterEach. */
export async function killAllCli(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

/** A TCP port that was free a moment ago (listen on 0, note the port, close). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, host, done);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
