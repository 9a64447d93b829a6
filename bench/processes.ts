// The processes a benchmark run measures, each in a child of its own so that no target shares an
// event loop with autocannon (which stays in the parent) or with another target: the fake
// upstream, the floor proxy, and byokey itself — the built CLI, `dist/main.js serve`, on a
// temporary providers.yaml and BYOKEY_HOME, exactly as a user starts it.
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (this file runs from dist/bench/). */
export const ROOT = resolve(__dirname, '..', '..');

export interface Child {
  name: string;
  url: string;
  process: ChildProcess;
  /** The client key of a gateway started with `clientKey`. */
  clientKey?: string;
  stop(): Promise<void>;
}

const children = new Set<Child>();

/** Kills whatever is still running (on error or Ctrl-C). */
/** A TCP port that was free a moment ago (listen on 0, note the port, close). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => done(port));
    });
  });
}

export function killAll(): void {
  for (const child of children) child.process.kill('SIGKILL');
}
process.on('exit', killAll);

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

function track(name: string, url: string, proc: ChildProcess, signal: NodeJS.Signals): Child {
  const child: Child = {
    name,
    url,
    process: proc,
    async stop() {
      children.delete(child);
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited(proc);
      clearTimeout(timer);
    },
  };
  children.add(child);
  return child;
}

/** Forks one of bench/children/*, which posts `{ url }` once it listens. */
async function forkChild(name: string, script: string, args: string[], execArgv: string[] = []): Promise<Child> {
  const proc = fork(join(__dirname, 'children', script), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((done, fail) => {
    proc.once('message', (message: { url: string }) => done(message.url));
    proc.once('exit', (code) => fail(new Error(`${name} exited (${code}) before it listened`)));
  });
  return track(name, url, proc, 'SIGTERM');
}

export interface FakeOptions {
  chunks: number;
  slowIntervalMs: number;
  slowChunks: number;
}

export function startFakeUpstream(options: FakeOptions): Promise<Child> {
  return forkChild('fake upstream', 'fake-upstream.js', [
    '--chunks', String(options.chunks),
    '--slow-interval-ms', String(options.slowIntervalMs),
    '--slow-chunks', String(options.slowChunks),
  ]);
}

export function startFloor(upstream: string, execArgv: string[] = []): Promise<Child> {
  return forkChild('floor', 'floor-proxy.js', [upstream], execArgv);
}

/** The multi-instance backends a `shared` gateway runs on: a schema of its own, a Redis prefix of its own. */
export interface SharedBackends {
  postgresUrl: string;
  schema: string;
  redisUrl: string;
  keyPrefix: string;
}

/** The admin key of a gateway whose client key is made over the admin API. */
const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789';

/** providers.yaml for one fake upstream: every scenario's model on its own instance. */
export function byokeyConfig(upstream: string, keyed = false, shared?: SharedBackends): string {
  const backends = shared
    ? `store:\n  url: ${shared.postgresUrl}\n  schema: ${shared.schema}\nredis:\n  url: ${shared.redisUrl}\n  key_prefix: "${shared.keyPrefix}"\nadmin:\n  key: ${BENCH_ADMIN_KEY}\n`
    : '';
  return `${keyed ? 'auth:\n  mode: keys\n' : ''}${backends}server:
  host: 127.0.0.1
  port: 0
  shutdown_timeout_ms: 2000
providers:
  bench:
    type: openai-compatible
    base_url: ${upstream}/v1
    api_key: bench-key
    models: [bench-model]
  slow:
    type: openai-compatible
    base_url: ${upstream}/slow/v1
    api_key: bench-key
    models: [bench-slow]
  codex:
    transport: http
    base_url: ${upstream}/backend-api/codex
  claude:
    api_key: bench-key
    base_url: ${upstream}
  gemini:
    api_key: bench-key
    base_url: ${upstream}
`;
}

export interface ByokeyOptions {
  upstream: string;
  /** The checkout whose dist/ is run (default: this one). */
  root?: string;
  /** --log-level (default silent). With a level that logs, lines go to /dev/null via a pipe we drain. */
  logLevel?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  execArgv?: string[];
  /** Preload children/heap-probe (with --expose-gc), so memoryOf() can ask for heap figures. */
  heapProbe?: boolean;
  /**
   * Needs a client key (auth.mode keys), one created in the store with every limit set high
   * enough never to trip: the key check, scope and limits run on every request.
   */
  clientKey?: boolean;
  /** Runs on PostgreSQL and Redis instead of the embedded store (the key is made over the admin API). */
  shared?: SharedBackends;
}

/**
 * A temporary BYOKEY_HOME with a Codex account in its store (the `codex` instance runs on the
 * subscription path, which reads the account per request) and providers.yaml, then
 * `byokey serve` on a free port. Resolves once it prints its URL.
 */
export async function startByokey(options: ByokeyOptions): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'byokey-bench-'));
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BYOKEY_')) env[key] = value;
  env.BYOKEY_HOME = home;

  // The store as dist/ builds it; only its public open/save/close are used.
  const root = options.root ?? ROOT;
  const { SqliteAccountStore } = require(join(root, 'dist', 'store', 'sqlite', 'sqlite-account-store.js')) as {
    SqliteAccountStore: {
      open(options: { home: string; env?: NodeJS.ProcessEnv }): {
        save(account: { provider: string; accountId: string; tokens: { accessToken: string }; claims?: Record<string, unknown> }): Promise<unknown>;
        close(): Promise<void>;
      };
    };
  };
  const store = SqliteAccountStore.open({ home, env });
  await store.save({ provider: 'codex', accountId: 'default', tokens: { accessToken: 't' }, claims: { chatgpt_account_id: 'a' } });
  let clientKey = options.clientKey && !options.shared ? await createBenchKey(root, store) : undefined;
  await store.close();

  const config = join(dir, 'providers.yaml');
  writeFileSync(config, byokeyConfig(options.upstream, options.clientKey, options.shared));

  // A port picked here: at `--log-level silent` byokey logs no start line to read it from.
  const port = await freePort();
  // BENCH_BYOKEY_STDOUT=FILE keeps the lines, to see what a level writes per request.
  const devNull = openSync(process.env.BENCH_BYOKEY_STDOUT ?? '/dev/null', 'w');
  const proc = fork(join(root, 'dist', 'main.js'), ['serve', '--config', config, '--port', String(port), '--log-level', options.logLevel ?? 'silent'], {
    cwd: dir,
    env,
    execArgv: [...(options.execArgv ?? []), ...(options.heapProbe ? ['--expose-gc', '--require', join(__dirname, 'children', 'heap-probe.js')] : [])],
    // Log lines (stdout) go straight to /dev/null: byokey pays for writing them, as it would to
    // a log collector, and the parent — which runs the load generator on the same cores — pays
    // nothing for reading them. stderr is kept to explain a failed start.
    stdio: ['ignore', devNull, 'pipe', 'ipc'],
  });
  closeSync(devNull);
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  proc.stderr!.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((done, fail) => {
    let exited = false;
    proc.once('exit', (code) => {
      exited = true;
      fail(new Error(`byokey exited (${code}) before it listened:\n${output}`));
    });
    const poll = () => {
      if (exited) return;
      fetch(`${url}/healthz`).then(
        (res) => (res.ok ? done() : setTimeout(poll, 50)),
        () => setTimeout(poll, 50),
      );
    };
    poll();
  });
  proc.stderr!.off('data', collect);
  proc.stderr!.resume();
  output = '';
  if (options.clientKey && options.shared) clientKey = await createBenchKeyOverHttp(url);
  const name = options.shared ? 'byokey (shared)' : options.clientKey ? 'byokey (keyed)' : 'byokey';
  const child = track(name, url, proc, 'SIGTERM');
  child.clientKey = clientKey;
  const stop = child.stop;
  child.stop = async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return child;
}

/** The limits of the bench's client key: every one set, none low enough to trip. */
const BENCH_KEY_LIMITS = {
  rpm: 100_000_000,
  tpm: 1_000_000_000_000,
  concurrency: 100_000,
  budget: { tokens: 1_000_000_000_000_000, per: 'month' },
};

/** The same key as createBenchKey, made over the admin API (whatever the store). */
async function createBenchKeyOverHttp(url: string): Promise<string> {
  const answer = await fetch(`${url}/admin/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', models: ['bench-*', 'gpt-5*', 'claude-*'], ...BENCH_KEY_LIMITS, expires_in: '1d' }),
  });
  const body = (await answer.json()) as { secret?: string };
  if (answer.status !== 201 || !body.secret) throw new Error(`creating the bench key answered ${answer.status}: ${JSON.stringify(body)}`);
  return body.secret;
}

/** A client key in the store of the build under test, limits generous, every model in scope. */
async function createBenchKey(root: string, accounts: unknown): Promise<string> {
  const { SqliteClientKeyStore } = require(join(root, 'dist', 'store', 'sqlite', 'sqlite-client-key-store.js')) as {
    SqliteClientKeyStore: new (db: unknown) => unknown;
  };
  const { createClientKey } = require(join(root, 'dist', 'access', 'client-key-specs.js')) as {
    createClientKey(store: unknown, spec: Record<string, unknown>): Promise<{ secret: string }>;
  };
  const keys = new SqliteClientKeyStore((accounts as { connection: unknown }).connection);
  const { secret } = await createClientKey(keys, {
    name: 'bench',
    models: ['bench-*', 'gpt-5*', 'claude-*'],
    ...BENCH_KEY_LIMITS,
    expiresAt: Date.now() + 86_400_000,
  });
  return secret;
}

export interface Rss {
  /** Resident set size now, MiB. */
  rssMb: number;
  /** Peak RSS since start (VmHWM), MiB. */
  peakMb: number;
}

/** RSS of a child from /proc (Linux). */
export function rssOf(child: Child): Rss {
  const status = readFileSync(`/proc/${child.process.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) a child has used so far, in ms, from /proc (clock-tick resolution). */
export function cpuMsOf(child: Child): number {
  const stat = readFileSync(`/proc/${child.process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

let queries = 0;

/** process.memoryUsage() of a child started with `heapProbe`, after a full GC when `gc`; MiB. */
export function memoryOf(child: Child, gc = false): Promise<{ rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number }> {
  const id = ++queries;
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${child.name} did not answer a memory query (started without heapProbe?)`)), 10_000);
    const onMessage = (message: { type?: string; id?: number; usage?: NodeJS.MemoryUsage }) => {
      if (message?.type !== 'memory' || message.id !== id || !message.usage) return;
      clearTimeout(timer);
      child.process.off('message', onMessage);
      const mb = (n: number) => n / 2 ** 20;
      done({ rssMb: mb(message.usage.rss), heapUsedMb: mb(message.usage.heapUsed), heapTotalMb: mb(message.usage.heapTotal), externalMb: mb(message.usage.external) });
    };
    child.process.on('message', onMessage);
    child.process.send({ type: 'memory', id, gc });
  });
}
