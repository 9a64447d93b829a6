// Memory under load: RSS of a target process while it holds many slow streams open at once, and
// RSS over a soak of mixed traffic (is anything kept per request that is never released?).
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { runMixed, type RunResult } from './load';
import { memoryOf, rssOf, type Child } from './processes';
import type { RequestSpec } from './scenarios';

export interface StreamsResult {
  streams: number;
  /** RSS before the streams, MiB. */
  idleMb: number;
  /** Highest RSS sampled while the streams were open, MiB. */
  peakMb: number;
  /** RSS once every stream had started (all open at once), MiB. */
  allOpenMb: number;
  /** Seconds from the first request until every stream had its first bytes. */
  openSeconds: number;
  completed: number;
  errors: number;
  firstError?: string;
}

/**
 * Opens `count` streams to `target` (in bursts, so the listen backlog is not flooded), reads
 * each to its end, and samples the target's RSS every 250 ms meanwhile.
 */
export async function concurrentStreams(target: Child, spec: RequestSpec, count: number): Promise<StreamsResult> {
  const agent = new Agent({ connections: null, keepAliveTimeout: 1000, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const idleMb = rssOf(target).rssMb;
  let peakMb = idleMb;
  let started = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let allOpenMb = NaN;
  let openSeconds = NaN;
  const begin = Date.now();
  const sampler = setInterval(() => {
    peakMb = Math.max(peakMb, rssOf(target).rssMb);
  }, 250);

  const one = async () => {
    try {
      const res = await request(target.url + spec.path, { dispatcher: agent, method: 'POST', headers: spec.headers, body: spec.body });
      let text = '';
      let first = true;
      for await (const chunk of res.body) {
        if (first) {
          first = false;
          if (++started === count) {
            openSeconds = (Date.now() - begin) / 1000;
            allOpenMb = rssOf(target).rssMb;
          }
        }
        text += (chunk as Buffer).toString();
      }
      if (res.statusCode !== 200 || !text.includes(spec.expect)) throw new Error(`status ${res.statusCode}: ${text.slice(0, 300)}`);
      completed++;
    } catch (error) {
      errors++;
      firstError ??= (error as Error).message;
    }
  };

  const all: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    all.push(one());
    if (i % 100 === 99) await sleep(50);
  }
  await Promise.all(all);
  clearInterval(sampler);
  await agent.close();
  return { streams: count, idleMb, peakMb, allOpenMb, openSeconds, completed, errors, firstError };
}

export interface SoakResult {
  seconds: number;
  connections: number;
  /** RSS after the warm-up, MiB. */
  startMb: number;
  endMb: number;
  maxMb: number;
  growthPct: number;
  /** Live heap after a full GC, after the warm-up and at the end (MiB): a leak shows here. */
  heapStartMb: number;
  heapEndMb: number;
  heapGrowthPct: number;
  /** RSS every sample (MiB), for the curious. */
  samples: number[];
  load: RunResult;
  warmup: RunResult;
}

/** Mixed traffic (the scenarios' byokey requests in turn) for warm-up + soak, RSS sampled every 5 s. */
export async function soak(target: Child, specs: RequestSpec[], options: { seconds: number; warmupSeconds: number; connections: number }): Promise<SoakResult> {
  const warmup = await runMixed(target.url, specs, options.connections, options.warmupSeconds);
  const startMb = rssOf(target).rssMb;
  const heapStartMb = (await memoryOf(target, true)).heapUsedMb;
  const samples = [startMb];
  const sampler = setInterval(() => samples.push(rssOf(target).rssMb), 5000);
  const load = await runMixed(target.url, specs, options.connections, options.seconds);
  clearInterval(sampler);
  const endMb = rssOf(target).rssMb;
  samples.push(endMb);
  const heapEndMb = (await memoryOf(target, true)).heapUsedMb;
  return {
    seconds: options.seconds,
    connections: options.connections,
    startMb,
    endMb,
    maxMb: Math.max(...samples),
    growthPct: ((endMb - startMb) / startMb) * 100,
    heapStartMb,
    heapEndMb,
    heapGrowthPct: ((heapEndMb - heapStartMb) / heapStartMb) * 100,
    samples,
    load,
    warmup,
  };
}
