// One autocannon run against one target, with latencies kept per response in microseconds:
// autocannon's own histogram rounds to whole milliseconds, too coarse to compare p50s at one
// connection (the target there is "within 0.5 ms of the floor").
import autocannon from 'autocannon';
import { request } from 'undici';
import type { RequestSpec } from './scenarios';

export interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors + timeouts + non-2xx answers. */
  errors: number;
  non2xx: number;
  requests: number;
  /** CPU the measured process spent per answered request, µs (NaN when not measured). */
  cpuUsPerRequest: number;
}

export interface RunOptions {
  url: string;
  spec: RequestSpec;
  connections: number;
  seconds: number;
  /** Keep per-response latencies (off for long soaks). */
  latencies?: boolean;
  /** CPU ms used so far by the process being measured (the fake for direct runs). */
  cpuMs?: () => number;
}

export async function runLoad(options: RunOptions): Promise<RunResult> {
  const times: number[] = [];
  let instance!: autocannon.Instance;
  const finished = new Promise<autocannon.Result>((done, fail) => {
    instance = autocannon(
      {
        url: options.url + options.spec.path,
        method: 'POST',
        headers: options.spec.headers,
        body: options.spec.body,
        connections: options.connections,
        pipelining: 1,
        duration: options.seconds,
        timeout: 30,
      },
      (error, result) => (error ? fail(error) : done(result)),
    );
  });
  if (options.latencies !== false) {
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => times.push(responseTime));
  }
  const cpuBefore = options.cpuMs?.() ?? NaN;
  const result = await finished;
  const cpuAfter = options.cpuMs?.() ?? NaN;
  times.sort((a, b) => a - b);
  const errors = result.errors + result.timeouts + result.non2xx;
  const completed = result.requests.total;
  return {
    rps: completed / (result.duration || options.seconds),
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    errors,
    non2xx: result.non2xx,
    requests: completed,
    cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1000) / completed,
  };
}

/** Mixed traffic: autocannon cycles through the requests, one per response, on every connection. */
export async function runMixed(url: string, specs: RequestSpec[], connections: number, seconds: number): Promise<RunResult> {
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 60,
    requests: specs.map((spec) => ({ method: 'POST' as const, path: spec.path, headers: spec.headers, body: spec.body })),
  });
  return {
    rps: result.requests.total / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    non2xx: result.non2xx,
    requests: result.requests.total,
    cpuUsPerRequest: NaN,
  };
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** One request, read whole: the answer must be 2xx and contain the scenario's marker. */
export async function probe(url: string, spec: RequestSpec): Promise<void> {
  const res = await request(url + spec.path, { method: 'POST', headers: spec.headers, body: spec.body });
  const text = await res.body.text();
  if (res.statusCode >= 300 || !text.includes(spec.expect)) {
    throw new Error(`POST ${url}${spec.path} answered ${res.statusCode} without "${spec.expect}":\n${text.slice(0, 800)}`);
  }
}
