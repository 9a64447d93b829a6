// Turns a run's measurements into the tables printed at the end and into bench/RESULTS.md.
import type { StreamsResult, SoakResult } from './memory';
import type { RunResult } from './load';
import type { BenchOptions } from './options';
import type { TargetName } from './scenarios';

export interface CaseResult {
  scenario: string;
  title: string;
  connections: number;
  /** Each round's result per target, in round order. */
  rounds: Record<TargetName, RunResult[]>;
  /** True when a `--compare` candidate was measured (its rounds are in rounds.candidate). */
  compared?: boolean;
  /** True when the keyed gateway was measured (its rounds are in rounds.keyed). */
  keyed?: boolean;
  /** True when the keyed gateway on PostgreSQL and Redis was measured (rounds.shared). */
  shared?: boolean;
  /** True when the gateway logging at info was measured (rounds.logged). */
  logged?: boolean;
  /** Failed byokey requests during the warm-up (not in the figures, but they fail the run). */
  byokeyWarmupErrors: number;
}

export interface Summary {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUs: number;
}

export interface MachineNote {
  nproc: number;
  node: string;
  cpu: string;
  memGb: number;
  date: string;
}

export interface BenchReport {
  machine: MachineNote;
  /** Which byokey was measured: commit (and `+dirty`) or path. */
  build: string;
  /** Extra sections (markdown) to append to RESULTS.md, e.g. an A/B against another build. */
  notes?: string[];
  options: BenchOptions;
  cases: CaseResult[];
  streams?: { byokey: StreamsResult; floor: StreamsResult };
  soak?: SoakResult;
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(runs: RunResult[]): Summary {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    cpuUs: median(runs.map((r) => r.cpuUsPerRequest)),
  };
}

/** Median over rounds of the per-round ratio: neighbours in time share the machine's drift. */
export function ratio(c: CaseResult, over: TargetName, of: TargetName = 'byokey'): number {
  return median(c.rounds[of].map((b, i) => b.rps / c.rounds[over][i].rps));
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const sign = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(2)}` : '–');

export function throughputTable(cases: CaseResult[]): string {
  const lines = [
    '| scenario | conns | direct req/s | floor req/s | byokey req/s | **byokey/floor** | byokey/direct | floor/direct | p50 ms direct / floor / byokey | p99 ms direct / floor / byokey | byokey − floor p50 | CPU µs/req fake / floor / byokey | errors d/f/b |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of cases) {
    const d = summarize(c.rounds.direct);
    const fl = summarize(c.rounds.floor);
    const b = summarize(c.rounds.byokey);
    const floorDirect = median(c.rounds.floor.map((r, i) => r.rps / c.rounds.direct[i].rps));
    lines.push(
      `| ${c.scenario} | ${c.connections} | ${f0(d.rps)} | ${f0(fl.rps)} | ${f0(b.rps)} | **${f2(ratio(c, 'floor'))}** | ${f2(ratio(c, 'direct'))} | ${f2(floorDirect)} | ${f2(d.p50)} / ${f2(fl.p50)} / ${f2(b.p50)} | ${f2(d.p99)} / ${f2(fl.p99)} / ${f2(b.p99)} | ${sign(b.p50 - fl.p50)} ms | ${f0(d.cpuUs)} / ${f0(fl.cpuUs)} / ${f0(b.cpuUs)} | ${d.errors}/${fl.errors}/${b.errors} |`,
    );
  }
  return lines.join('\n');
}

/** byokey against the `--compare` build, same rounds. */
export function compareTable(cases: CaseResult[]): string {
  const lines = [
    '| scenario | conns | byokey req/s | candidate req/s | **candidate/byokey** | candidate/floor | p50 ms byokey / candidate | CPU µs/req byokey / candidate | errors b/c |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of cases.filter((x) => x.compared)) {
    const b = summarize(c.rounds.byokey);
    const k = summarize(c.rounds.candidate);
    lines.push(
      `| ${c.scenario} | ${c.connections} | ${f0(b.rps)} | ${f0(k.rps)} | **${f2(ratio(c, 'byokey', 'candidate'))}** | ${f2(ratio(c, 'floor', 'candidate'))} | ${f2(b.p50)} / ${f2(k.p50)} | ${f0(b.cpuUs)} / ${f0(k.cpuUs)} | ${b.errors}/${k.errors} |`,
    );
  }
  return lines.join('\n');
}

/** The keyless gateway against the one that checks a client key and its limits, same rounds. */
export function keyedTable(cases: CaseResult[]): string {
  const lines = [
    '| scenario | conns | keyless req/s | keyed req/s | **keyed/keyless** | keyed/floor | p50 ms keyless / keyed | CPU µs/req keyless / keyed | errors keyless/keyed |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of cases.filter((x) => x.keyed)) {
    const b = summarize(c.rounds.byokey);
    const k = summarize(c.rounds.keyed);
    lines.push(
      `| ${c.scenario} | ${c.connections} | ${f0(b.rps)} | ${f0(k.rps)} | **${f2(ratio(c, 'byokey', 'keyed'))}** | ${f2(ratio(c, 'floor', 'keyed'))} | ${f2(b.p50)} / ${f2(k.p50)} | ${f0(b.cpuUs)} / ${f0(k.cpuUs)} | ${b.errors}/${k.errors} |`,
    );
  }
  return lines.join('\n');
}

export function loggedTable(cases: CaseResult[]): string {
  const rows = [
    '| scenario | conns | silent req/s | info req/s | **info/silent** | p50 ms silent / info | CPU µs/req silent / info | errors silent/info |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cases.filter((x) => x.logged)) {
    const b = summarize(c.rounds.byokey);
    const l = summarize(c.rounds.logged);
    rows.push(
      `| ${c.scenario} | ${c.connections} | ${f0(b.rps)} | ${f0(l.rps)} | **${f2(ratio(c, 'byokey', 'logged'))}** | ${f2(b.p50)} / ${f2(l.p50)} | ${f0(b.cpuUs)} / ${f0(l.cpuUs)} | ${b.errors}/${l.errors} |`,
    );
  }
  return rows.join('\n');
}

export function sharedTable(cases: CaseResult[]): string {
  const lines = [
    '| scenario | conns | embedded req/s | PostgreSQL + Redis req/s | **shared/embedded** | p50 ms embedded / shared | CPU µs/req embedded / shared | errors embedded/shared |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of cases.filter((x) => x.shared)) {
    const k = summarize(c.rounds.keyed);
    const s = summarize(c.rounds.shared);
    lines.push(
      `| ${c.scenario} | ${c.connections} | ${f0(k.rps)} | ${f0(s.rps)} | **${f2(ratio(c, 'keyed', 'shared'))}** | ${f2(k.p50)} / ${f2(s.p50)} | ${f0(k.cpuUs)} / ${f0(s.cpuUs)} | ${k.errors}/${s.errors} |`,
    );
  }
  return lines.join('\n');
}

export function streamsTable(s: { byokey: StreamsResult; floor: StreamsResult }): string {
  const row = (name: string, r: StreamsResult) =>
    `| ${name} | ${r.streams} | ${f0(r.idleMb)} | ${f0(r.allOpenMb)} | ${f0(r.peakMb)} | ${f0(r.peakMb - r.idleMb)} | ${f2(r.openSeconds)} | ${r.completed} | ${r.errors} |`;
  return [
    '| process | streams | idle RSS MB | RSS all open MB | peak RSS MB | peak − idle MB | s to open all | completed | errors |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    row('byokey', s.byokey),
    row('floor', s.floor),
  ].join('\n');
}

export function soakTable(s: SoakResult): string {
  return [
    '| soak | conns | requests | req/s | errors | RSS after warm-up MB | RSS at end MB | max MB | RSS growth | live heap after GC: start → end MB | heap growth |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    `| ${s.seconds} s mixed | ${s.connections} | ${f0(s.load.requests)} | ${f0(s.load.rps)} | ${s.load.errors + s.warmup.errors} | ${f0(s.startMb)} | ${f0(s.endMb)} | ${f0(s.maxMb)} | ${sign(s.growthPct)} % | ${f2(s.heapStartMb)} → ${f2(s.heapEndMb)} | ${sign(s.heapGrowthPct)} % |`,
  ].join('\n');
}

export interface TargetCheck {
  what: string;
  value: string;
  ok: boolean;
}

/** The targets of issue #7, as far as this run measured them. */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const c of report.cases) {
    if (c.connections === 32 && (c.scenario === 'json' || c.scenario === 'stream')) {
      const r = ratio(c, 'floor');
      checks.push({ what: `${c.scenario} @32: byokey/floor req/s ≥ 0.8`, value: f2(r), ok: r >= 0.8 });
    }
    if (c.shared && c.connections === 32) {
      const r = ratio(c, 'keyed', 'shared');
      checks.push({ what: `${c.scenario} @32: PostgreSQL + Redis / embedded req/s ≥ 0.85 (issue #14)`, value: f2(r), ok: r >= 0.85 });
    }
    if (c.logged && c.connections === 32) {
      const r = ratio(c, 'byokey', 'logged');
      checks.push({ what: `${c.scenario} @32: info/silent req/s ≥ 0.95 (issue #15)`, value: f2(r), ok: r >= 0.95 });
    }
    if (c.keyed && c.connections === 32) {
      const r = ratio(c, 'byokey', 'keyed');
      checks.push({ what: `${c.scenario} @32: keyed/keyless req/s ≥ 0.9 (issue #13)`, value: f2(r), ok: r >= 0.9 });
    }
    if (c.connections === 1 && (c.scenario === 'json' || c.scenario === 'stream')) {
      const delta = summarize(c.rounds.byokey).p50 - summarize(c.rounds.floor).p50;
      checks.push({ what: `${c.scenario} @1: p50 within 0.5 ms of the floor`, value: `${sign(delta)} ms`, ok: delta <= 0.5 });
    }
  }
  if (report.streams) {
    const s = report.streams.byokey;
    checks.push({ what: `RSS ≤ 200 MB at ${s.streams} concurrent streams`, value: `${f0(s.peakMb)} MB`, ok: s.peakMb <= 200 });
  }
  if (report.soak) checks.push({ what: '< 10 % RSS growth over the soak', value: `${sign(report.soak.growthPct)} %`, ok: report.soak.growthPct < 10 });
  return checks;
}

export function targetsTable(checks: TargetCheck[]): string {
  return ['| target | measured | met |', '|---|--:|:-:|', ...checks.map((c) => `| ${c.what} | ${c.value} | ${c.ok ? 'yes' : '**no**'} |`)].join('\n');
}

export function machineLine(m: MachineNote): string {
  return `${m.nproc} CPUs (${m.cpu}), ${m.memGb} GB RAM, Node ${m.node}, ${m.date}`;
}

/** bench/RESULTS.md: how the numbers were made, and the numbers. */
export function resultsMarkdown(report: BenchReport): string {
  const o = report.options;
  const parts = [
    '# Benchmark results',
    '',
    `Generated by \`npm run bench -- --write\` on ${machineLine(report.machine)}; byokey ${report.build}.`,
    'Absolute numbers depend on the machine; compare the **ratios**, measured in one run.',
    '',
    '## Method',
    '',
    '- Three processes, each a child of the runner: a lean fake upstream (`bench/children/fake-upstream.ts`, answers from prebuilt frames),',
    '  the floor — a bare pass-through proxy in `node:http` + a pooled undici Agent that parses the JSON body, forwards it and streams',
    '  the answer back or re-serializes the JSON (`bench/children/floor-proxy.ts`) — and byokey itself (`dist/main.js serve`, log level',
    '  silent, a temporary providers.yaml and BYOKEY_HOME with a seeded Codex account). autocannon 9 runs in the parent.',
    '- For each scenario and connection count, each target is warmed up, then driven in turn — direct → upstream, floor → upstream,',
    '  byokey → upstream, the order rotated every round — for',
    `  ${o.rounds} rounds of ${o.seconds} s (warm-up ${o.warmupSeconds} s). Figures are medians over rounds; ratios are medians of the`,
    '  per-round ratios. Latency is per response, to the end of the body (a whole stream), with microsecond resolution.',
    '  CPU µs/req is the CPU time (user + system, /proc) the process in front — the fake for direct, else the proxy — spent per',
    '  answered request: less noisy than req/s when the machine is shared, and it is what byokey adds per request.',
    '- In translation scenarios byokey gets the client protocol and the fake speaks the upstream protocol; direct and the floor send',
    '  the upstream protocol (the floor does no translation — that is the comparison).',
    `- Streams have ${o.chunks} events. Memory: ${report.streams?.byokey.streams ?? o.streams} concurrent streams of ${o.slowChunks} chunks, one per`,
    `  ${o.slowIntervalMs} ms, opened against a fresh process; RSS from /proc. Soak: a fresh byokey, mixed traffic (every scenario's`,
    `  byokey request in turn) on ${o.soakConnections} connections, ${o.soakWarmupSeconds} s warm-up then ${o.soakSeconds} s.`,
    '',
  ];
  if (report.cases.length > 0) {
    parts.push('## Throughput and latency', '', throughputTable(report.cases), '');
    parts.push(
      'Scenarios: `json` chat non-stream; `stream` chat with a 20-chunk SSE answer; `codex` chat stream in, Codex Responses SSE',
      'upstream; `anthropic` Messages stream in, chat SSE upstream; `claude` chat stream in, Anthropic Messages SSE upstream (API key);',
      '`keyed` the `json` request, also sent with a client key to a second byokey that needs one (rpm, tpm, concurrency, budget and',
      'expiry all set, none low enough to trip).',
      '',
    );
  }
  if (report.cases.some((c) => c.compared)) parts.push('## A/B against another build', '', compareTable(report.cases), '');
  if (report.cases.some((c) => c.keyed)) parts.push('## Access control: keyless against keyed (same build)', '', keyedTable(report.cases), '');
  if (report.cases.some((c) => c.logged)) parts.push('## Request logging: silent against info (same build, metrics on in both)', '', loggedTable(report.cases), '');
  if (report.cases.some((c) => c.shared)) parts.push('## Several instances: embedded store against PostgreSQL + Redis (same build, keyed)', '', sharedTable(report.cases), '');
  if (report.streams) parts.push('## Concurrent streams', '', streamsTable(report.streams), '');
  if (report.soak) parts.push('## Soak', '', soakTable(report.soak), '');
  parts.push('## Targets (issue #7)', '', targetsTable(checkTargets(report)), '');
  for (const note of report.notes ?? []) parts.push(note, '');
  return parts.join('\n');
}
