// `npm run bench`: byokey's overhead next to a bare Node pass-through proxy (the floor) and to the
// fake upstream itself, every scenario at every connection count, targets interleaved round by
// round; then memory with many concurrent slow streams, and a soak. Prints the tables; exits 1
// when any byokey request failed (or, with --strict, when a target of issue #7 is missed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { probe, runLoad, type RunResult } from './load';
import { concurrentStreams, soak } from './memory';
import { parseOptions, USAGE, type BenchOptions } from './options';
import { cpuMsOf, killAll, ROOT, startByokey, startFakeUpstream, startFloor, type Child } from './processes';
import { dropSharedBackends, sharedBackends } from './shared-backends';
import {
  checkTargets,
  machineLine,
  resultsMarkdown,
  soakTable,
  compareTable,
  keyedTable,
  ratio,
  sharedTable,
  streamsTable,
  summarize,
  targetsTable,
  throughputTable,
  type BenchReport,
  type CaseResult,
} from './report';
import { requestFor, scenarios, slowStreamBody, TARGETS, type TargetName } from './scenarios';

const RESULTS_DIR = join(ROOT, 'bench', 'results');
const log = (line: string) => process.stderr.write(`${line}\n`);

async function throughput(options: BenchOptions, report: BenchReport): Promise<void> {
  const selected = scenarios(options.padBytes).filter((s) => options.scenarios.includes(s.id));
  const unknown = options.scenarios.filter((id) => !selected.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);

  const fake = await startFakeUpstream({ chunks: options.chunks, slowIntervalMs: options.slowIntervalMs, slowChunks: options.slowChunks });
  const incoming = join(RESULTS_DIR, 'profiles', 'incoming');
  const profiling = (who: string) => {
    if (!options.profile) return [];
    mkdirSync(join(incoming, who), { recursive: true });
    return ['--cpu-prof', '--cpu-prof-dir', join(incoming, who)];
  };
  const floor = await startFloor(fake.url, profiling('floor'));
  const byokey = await startByokey({ upstream: fake.url, root: options.byokeyRoot, logLevel: options.logLevel, execArgv: profiling('byokey') });
  const candidate = options.compareRoot ? await startByokey({ upstream: fake.url, root: options.compareRoot, logLevel: options.logLevel }) : undefined;
  const keyed = selected.some((s) => s.keyed)
    ? await startByokey({ upstream: fake.url, root: options.byokeyRoot, logLevel: options.logLevel, clientKey: true, execArgv: profiling('keyed') })
    : undefined;
  const backends = selected.some((s) => s.shared) ? sharedBackends() : undefined;
  const shared = backends
    ? await startByokey({ upstream: fake.url, root: options.byokeyRoot, logLevel: options.logLevel, clientKey: true, shared: backends, execArgv: profiling('shared') })
    : undefined;
  const logged = selected.some((s) => s.logged)
    ? await startByokey({ upstream: fake.url, root: options.byokeyRoot, logLevel: 'info', execArgv: profiling('logged') })
    : undefined;
  const baseTargets: TargetName[] = candidate ? [...TARGETS, 'candidate'] : [...TARGETS];
  // Whose CPU a target's requests cost: the fake for direct, else the proxy in front of it.
  const processes = {
    direct: fake,
    floor,
    byokey,
    ...(candidate ? { candidate } : {}),
    ...(keyed ? { keyed } : {}),
    ...(shared ? { shared } : {}),
    ...(logged ? { logged } : {}),
  } as Record<TargetName, Child>;
  const urls = Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, child.url])) as Record<TargetName, string>;
  try {
    for (const scenario of selected) {
      const targets: TargetName[] = [...baseTargets, ...(scenario.keyed ? ['keyed' as const] : []), ...(scenario.shared ? ['shared' as const] : []), ...(scenario.logged ? ['logged' as const] : [])];
      const specFor = (target: TargetName) => requestFor(scenario, target, target === 'shared' ? shared?.clientKey : keyed?.clientKey);
      for (const target of targets) await probe(urls[target], specFor(target));
      for (const connections of options.connections) {
        const run = (target: TargetName, seconds: number): Promise<RunResult> =>
          runLoad({ url: urls[target], spec: specFor(target), connections, seconds, cpuMs: () => cpuMsOf(processes[target]) });
        const warmups = {} as Record<TargetName, RunResult>;
        for (const target of targets) warmups[target] = await run(target, options.warmupSeconds);
        const rounds: Record<TargetName, RunResult[]> = { direct: [], floor: [], byokey: [], candidate: [], keyed: [], shared: [], logged: [] };
        for (let round = 0; round < options.rounds; round++) {
          // Rotate who goes first, so no target always runs right after the same one.
          for (let k = 0; k < targets.length; k++) {
            const target = targets[(round + k) % targets.length];
            rounds[target].push(await run(target, options.seconds));
          }
        }
        const c: CaseResult = {
          scenario: scenario.id,
          title: scenario.title,
          connections,
          rounds,
          byokeyWarmupErrors: warmups.byokey.errors + (warmups.keyed?.errors ?? 0) + (warmups.shared?.errors ?? 0),
          compared: !!candidate,
          keyed: !!scenario.keyed,
          shared: !!scenario.shared,
          logged: !!scenario.logged,
        };
        report.cases.push(c);
        const s = (t: TargetName) => summarize(rounds[t]);
        log(
          `  ${scenario.id} @${connections}: direct ${Math.round(s('direct').rps)}, floor ${Math.round(s('floor').rps)}, byokey ${Math.round(s('byokey').rps)} req/s; ` +
            `p50 ${s('floor').p50.toFixed(2)} / ${s('byokey').p50.toFixed(2)} ms; errors ${s('direct').errors}/${s('floor').errors}/${s('byokey').errors}` +
            (candidate ? `; candidate ${Math.round(s('candidate').rps)} req/s, p50 ${s('candidate').p50.toFixed(2)} ms, errors ${s('candidate').errors}` : '') +
            (scenario.keyed ? `; keyed ${Math.round(s('keyed').rps)} req/s (×${ratio(c, 'byokey', 'keyed').toFixed(2)}), p50 ${s('keyed').p50.toFixed(2)} ms, errors ${s('keyed').errors}` : '') +
            (scenario.logged ? `; logged ${Math.round(s('logged').rps)} req/s (×${ratio(c, 'byokey', 'logged').toFixed(2)} of silent), p50 ${s('logged').p50.toFixed(2)} ms, errors ${s('logged').errors}` : '') +
            (scenario.shared ? `; shared ${Math.round(s('shared').rps)} req/s (×${ratio(c, 'keyed', 'shared').toFixed(2)} of keyed), p50 ${s('shared').p50.toFixed(2)} ms, errors ${s('shared').errors}` : ''),
        );
      }
    }
  } finally {
    await candidate?.stop();
    await keyed?.stop();
    await shared?.stop();
    await logged?.stop();
    if (backends) await dropSharedBackends(backends);
    await byokey.stop();
    await floor.stop();
    await fake.stop();
  }
  if (options.profile) {
    // One profile per process and run, named for what it measured.
    const stamp = `${options.scenarios.join('+')}-c${options.connections.join('+')}-${Date.now()}`;
    for (const who of readdirSync(incoming)) {
      for (const file of readdirSync(join(incoming, who))) {
        const name = `${who}-${stamp}.cpuprofile`;
        renameSync(join(incoming, who, file), join(RESULTS_DIR, 'profiles', name));
        log(`  cpu profile: bench/results/profiles/${name}`);
      }
    }
    log('  summarize with: npm run bench:profile -- FILE [--skip-seconds 3] [--callers NAME]');
  }
}

async function memory(options: BenchOptions, report: BenchReport): Promise<void> {
  const fake = await startFakeUpstream({ chunks: options.chunks, slowIntervalMs: options.slowIntervalMs, slowChunks: options.slowChunks });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer bench-client' };
  const slow = { path: '/v1/chat/completions', headers, body: slowStreamBody(), expect: 'data: [DONE]' };
  const slowDirect = { ...slow, path: '/slow/v1/chat/completions' };
  let byokey: Child | undefined;
  let floor: Child | undefined;
  try {
    byokey = await startByokey({ upstream: fake.url, root: options.byokeyRoot, logLevel: options.logLevel });
    await probe(byokey.url, scenarios(0)[0].byokey); // boots the lazy parts (pools, JIT) as real traffic would
    log(`  ${options.streams} streams through byokey (${options.slowChunks} chunks, ${options.slowIntervalMs} ms apart)…`);
    const b = await concurrentStreams(byokey, slow, options.streams);
    await byokey.stop();
    byokey = undefined;
    floor = await startFloor(fake.url);
    await probe(floor.url, scenarios(0)[0].upstream);
    log(`  ${options.streams} streams through the floor…`);
    const f = await concurrentStreams(floor, slowDirect, options.streams);
    report.streams = { byokey: b, floor: f };
    log(`  byokey: idle ${b.idleMb.toFixed(0)} MB, all open ${b.allOpenMb.toFixed(0)} MB, peak ${b.peakMb.toFixed(0)} MB, errors ${b.errors}${b.firstError ? ` (${b.firstError})` : ''}`);
  } finally {
    await byokey?.stop();
    await floor?.stop();
    await fake.stop();
  }
}

async function soakPhase(options: BenchOptions, report: BenchReport): Promise<void> {
  const fake = await startFakeUpstream({ chunks: options.chunks, slowIntervalMs: options.slowIntervalMs, slowChunks: options.slowChunks });
  const byokey = await startByokey({ upstream: fake.url, root: options.byokeyRoot, logLevel: options.logLevel, heapProbe: true });
  try {
    const specs = scenarios(options.padBytes).map((s) => s.byokey);
    log(`  soak: ${options.soakWarmupSeconds} s warm-up + ${options.soakSeconds} s of mixed traffic on ${options.soakConnections} connections…`);
    report.soak = await soak(byokey, specs, { seconds: options.soakSeconds, warmupSeconds: options.soakWarmupSeconds, connections: options.soakConnections });
  } finally {
    await byokey.stop();
    await fake.stop();
  }
}

/** The commit of a checkout (`+dirty` with local changes), or its path when it is not one. */
function buildOf(root: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (git('rev-parse', '--show-toplevel') !== root) return `from ${root}`;
    return `at ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src') ? '+dirty (uncommitted src/ changes)' : ''}`;
  } catch {
    return `from ${root}`;
  }
}

function machine(): BenchReport['machine'] {
  let nproc = availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // not on this system; availableParallelism says the same
  }
  return {
    nproc,
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    memGb: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString().slice(0, 10),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const main = join(options.byokeyRoot ?? ROOT, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm run bench does).`);
  const report: BenchReport = { machine: machine(), build: buildOf(options.byokeyRoot ?? ROOT), options, cases: [] };
  log(`byokey benchmark — ${machineLine(report.machine)}${options.byokeyRoot ? ` — byokey from ${options.byokeyRoot}` : ''}, log level ${options.logLevel}`);
  if (options.throughput) {
    log(`throughput: ${options.scenarios.join(', ')} at ${options.connections.join(', ')} connections, ${options.rounds} × ${options.seconds} s rounds`);
    await throughput(options, report);
  }
  if (options.memory) {
    log('memory: concurrent streams');
    await memory(options, report);
  }
  if (options.soak) {
    log('memory: soak');
    await soakPhase(options, report);
  }

  const out: string[] = [];
  if (report.cases.length > 0) out.push('Throughput and latency (medians over rounds; ratios are medians of per-round ratios)', '', throughputTable(report.cases), '');
  if (report.cases.some((c) => c.compared)) out.push(`A/B: byokey against the candidate build (${options.compareRoot})`, '', compareTable(report.cases), '');
  if (report.cases.some((c) => c.keyed)) out.push('A/B: keyless byokey against byokey with a client key and limits (same build, same rounds)', '', keyedTable(report.cases), '');
  if (report.cases.some((c) => c.shared)) out.push('A/B: keyed byokey on the embedded store against the same on PostgreSQL + Redis (same build, same rounds)', '', sharedTable(report.cases), '');
  if (report.streams) out.push('Concurrent streams', '', streamsTable(report.streams), '');
  if (report.soak) out.push('Soak', '', soakTable(report.soak), '');
  const checks = checkTargets(report);
  if (checks.length > 0) out.push('Targets (issue #7)', '', targetsTable(checks), '');
  process.stdout.write(`\n${out.join('\n')}\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2));
  if (options.write) {
    writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), resultsMarkdown(report));
    log('wrote bench/RESULTS.md');
  }

  const byokeyErrors =
    report.cases.reduce((sum, c) => sum + c.byokeyWarmupErrors + c.rounds.byokey.reduce((s, r) => s + r.errors, 0), 0) +
    (report.streams?.byokey.errors ?? 0) +
    (report.soak ? report.soak.load.errors + report.soak.warmup.errors : 0);
  if (byokeyErrors > 0) {
    log(`FAIL: ${byokeyErrors} byokey request(s) failed`);
    return 1;
  }
  if (options.strict && checks.some((c) => !c.ok)) {
    log('FAIL: a target was missed (--strict)');
    return 1;
  }
  return 0;
}

process.on('SIGINT', () => {
  killAll();
  process.exit(130);
});
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench: ${(error as Error).stack ?? String(error)}`);
    killAll();
    process.exit(1);
  },
);
