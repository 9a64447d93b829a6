// The benchmark's settings: flags (`npm run bench -- --rounds 5`), each also readable from an
// environment variable (BENCH_ROUNDS=5), flags winning. `--quick` shortens everything for a
// smoke run; the numbers it prints are noisier.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  scenarios: string[];
  connections: number[];
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  /** Bytes of padding added to the last user message (bigger bodies: more parsing). */
  padBytes: number;
  /** Events per stream (chat chunks, Responses deltas, Messages deltas). */
  chunks: number;
  throughput: boolean;
  memory: boolean;
  soak: boolean;
  streams: number;
  slowIntervalMs: number;
  slowChunks: number;
  soakSeconds: number;
  soakWarmupSeconds: number;
  soakConnections: number;
  /** Run byokey under --cpu-prof; profiles go to bench/results/profiles/. */
  profile: boolean;
  /** Write bench/RESULTS.md from this run. */
  write: boolean;
  /** Exit 1 when a target is missed, not only on errors. */
  strict: boolean;
  /** The checkout whose dist/main.js is measured (default: this one). */
  byokeyRoot?: string;
  /** Another built checkout measured beside byokey, in the same rounds (A/B). */
  compareRoot?: string;
  /** byokey's --log-level (default silent: the gateway's own cost, not the log sink's). */
  logLevel: string;
}

export const USAGE = `npm run bench -- [options]      (each option also as BENCH_<NAME>, e.g. BENCH_ROUNDS=5)

  --scenarios LIST        json,keyed,shared,logged,stream,codex,anthropic,gemini,claude (default: all;
                          shared needs PostgreSQL and Redis: BENCH_POSTGRES_URL, BENCH_REDIS_URL)
  --connections LIST      autocannon connections per run (default: 1,32)
  --rounds N              measured rounds per target, interleaved (default: 3)
  --seconds N             length of one round (default: 4)
  --warmup N              warm-up seconds per target before the rounds (default: 2)
  --pad-bytes N           pad the last user message by N bytes (default: 0)
  --chunks N              events per stream (default: 20)
  --no-throughput         skip the throughput scenarios
  --no-memory             skip the concurrent-streams memory test
  --no-soak               skip the soak
  --streams N             concurrent slow streams (default: 1000)
  --slow-interval-ms N    gap between chunks of a slow stream (default: 1000)
  --slow-chunks N         chunks of a slow stream (default: 30)
  --soak-seconds N        soak length after warm-up (default: 300)
  --soak-warmup N         soak warm-up seconds (default: 30)
  --soak-connections N    connections of the soak's mixed traffic (default: 32)
  --profile               run byokey with --cpu-prof (bench/results/profiles/)
  --write                 write bench/RESULTS.md from this run
  --log-level LEVEL       byokey's log level (default: silent; info shows what request logging costs)
  --compare DIR           also measure DIR/dist/main.js (e.g. a branch) in the same rounds, A/B
  --byokey DIR            measure DIR/dist/main.js (another checkout, built) instead of this one
  --strict                exit 1 when a target is missed (always exit 1 on a byokey error)
  --quick                 2 rounds of 2 s, 1 s warm-up, 10 s streams, 30 s soak
  -h, --help`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'pad-bytes': { type: 'string' },
      chunks: { type: 'string' },
      'no-throughput': { type: 'boolean' },
      'no-memory': { type: 'boolean' },
      'no-soak': { type: 'boolean' },
      streams: { type: 'string' },
      'slow-interval-ms': { type: 'string' },
      'slow-chunks': { type: 'string' },
      'soak-seconds': { type: 'string' },
      'soak-warmup': { type: 'string' },
      'soak-connections': { type: 'string' },
      profile: { type: 'boolean' },
      write: { type: 'boolean' },
      strict: { type: 'boolean' },
      byokey: { type: 'string' },
      compare: { type: 'string' },
      'log-level': { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  const get = (name: keyof typeof values): string | boolean | undefined =>
    values[name] ?? env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const flag = (name: keyof typeof values) => {
    const value = get(name);
    return value === true || value === '1' || value === 'true';
  };
  const quick = flag('quick');
  const num = (name: keyof typeof values, normal: number, short = normal): number => {
    const value = get(name);
    if (value === undefined || typeof value === 'boolean') return quick ? short : normal;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got "${value}"`);
    return n;
  };
  const list = (name: keyof typeof values, normal: string): string[] =>
    String(get(name) ?? normal)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    scenarios: list('scenarios', 'json,keyed,stream,codex,anthropic,claude'),
    connections: list('connections', '1,32').map(Number),
    rounds: num('rounds', 3, 2),
    seconds: num('seconds', 4, 2),
    warmupSeconds: num('warmup', 2, 1),
    padBytes: num('pad-bytes', 0),
    chunks: num('chunks', 20),
    throughput: !flag('no-throughput'),
    memory: !flag('no-memory'),
    soak: !flag('no-soak'),
    streams: num('streams', 1000),
    slowIntervalMs: num('slow-interval-ms', 1000),
    slowChunks: num('slow-chunks', 30, 10),
    soakSeconds: num('soak-seconds', 300, 30),
    soakWarmupSeconds: num('soak-warmup', 30, 10),
    soakConnections: num('soak-connections', 32),
    profile: flag('profile'),
    write: flag('write'),
    strict: flag('strict'),
    logLevel: String(get('log-level') ?? 'silent'),
    compareRoot: typeof get('compare') === 'string' ? resolve(String(get('compare'))) : undefined,
    byokeyRoot: typeof get('byokey') === 'string' ? resolve(String(get('byokey'))) : undefined,
  };
}
