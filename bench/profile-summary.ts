// Reads a V8 .cpuprofile (node --cpu-prof; `npm run bench -- --profile` makes one of byokey) and
// prints where the time went: the top functions by self time and by total (inclusive) time, and
// self time per package / source file group. `--callers NAME` shows which stacks a function's
// self time came from; `--skip-seconds N` leaves out the first N seconds (startup).
// Usage: npm run bench:profile -- FILE [--top N] [--skip-seconds N] [--callers NAME]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './processes';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(frame: CallFrame): string {
  if (!frame.url) return '';
  let file = frame.url.replace(/^file:\/\//, '');
  if (file.startsWith(ROOT)) file = relative(ROOT, file);
  return `${file}:${frame.lineNumber + 1}`;
}

function keyOf(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'}  ${where(frame)}`;
}

/** node_modules/<pkg>, dist/<dir>, node:<internal>, or a V8 pseudo-frame such as (garbage collector). */
function groupOf(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const rel = url.startsWith(ROOT) ? relative(ROOT, url) : url;
  const dist = /^dist\/(?:([^/]+)\/)?/.exec(rel);
  if (dist) return `byokey ${dist[1] ?? '(root)'}`;
  return rel;
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '30' }, 'skip-seconds': { type: 'string', default: '0' }, callers: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    process.stdout.write('usage: npm run bench:profile -- FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const top = Number(values.top);
  const skipUs = Number(values['skip-seconds']) * 1e6;
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

    // Self time per node from the samples (each sample's time is the delta to the next one).
    const selfUs = new Map<number, number>();
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i];
      if (at - profile.startTime < skipUs) continue;
      const dt = profile.timeDeltas[i + 1] ?? 0;
      selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
    }
    const total = profile.endTime - profile.startTime - skipUs;
    const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((s, [, t]) => s + t, 0);
    const busy = total - idle;

    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const groups = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const node = byId.get(id)!;
      if (node.callFrame.functionName === '(idle)') continue;
      const k = keyOf(node.callFrame);
      self.set(k, (self.get(k) ?? 0) + us);
      const g = groupOf(node.callFrame);
      groups.set(g, (groups.get(g) ?? 0) + us);
      // Inclusive: every distinct function on the stack gets the sample once.
      const seen = new Set<string>();
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const key = keyOf(byId.get(n)!.callFrame);
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + us);
      }
    }
    const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
    const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
    const list = (title: string, m: Map<string, number>, n: number) => {
      process.stdout.write(`\n${title}\n`);
      for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${ms(us)} ${pct(us)}  ${k}\n`);
    };
    process.stdout.write(`${file}\n  wall ${(total / 1e6).toFixed(1)} s, busy (not idle) ${(busy / 1e6).toFixed(1)} s; percentages are of busy time\n`);
    list('self time by package / byokey folder', groups, 40);
    list(`top ${top} functions by self time`, self, top);
    list(`top ${top} functions by total time (inclusive)`, inclusive, top);
    for (const name of values.callers ?? []) {
      // The stacks (up to 6 frames) under which functions named `name` spent their self time.
      const stacks = new Map<string, number>();
      for (const [id, us] of selfUs) {
        if (byId.get(id)!.callFrame.functionName !== name) continue;
        const frames: string[] = [];
        for (let n = parent.get(id); n !== undefined && frames.length < 6; n = parent.get(n)) frames.push(keyOf(byId.get(n)!.callFrame));
        const key = frames.join('\n           < ');
        stacks.set(key, (stacks.get(key) ?? 0) + us);
      }
      list(`callers of ${name} (self time by stack)`, stacks, 8);
    }
  }
}

main();
