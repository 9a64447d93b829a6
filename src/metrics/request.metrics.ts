// The metrics of model requests — rates, errors, latencies, tokens, retries, failovers and
// cooldowns — counted from the usage record each finished request (HTTP or a Responses WebSocket
// response) publishes on the UsageBus: what was asked, what served it, how it ended, and each
// upstream attempt's timings (usage/usage-meter.ts). byokey's provider instance is the label
// `provider_instance`: `instance` is Prometheus' own label for the scraped gateway process.
// Nothing is added to the request path beyond the record it already builds.
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ActiveStreams } from '../health/active-streams';
import type { UpstreamAttempt, UsageRecord } from '../store/usage-record';
import { UsageBus } from '../usage/usage-bus';
import { BoundedLabel } from './bounded-label';
import type { FastCounter, FastHistogram } from './fast-series';
import { MetricsRegistry } from './metrics-registry';

/** Label value for "not known": a request refused before routing has no instance. */
export const NONE_LABEL = 'none';

/** Time to first byte: most answers start within seconds; a long prompt's first token may take a minute. */
const TTFB_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
/** Whole requests and attempts: streams run for minutes. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

@Injectable()
export class RequestMetrics implements OnModuleDestroy {
  // Fast series (fast-series.ts): label values are passed in labelNames' order.
  private readonly requests: FastCounter;
  private readonly errors: FastCounter;
  private readonly duration: FastHistogram;
  private readonly ttfb: FastHistogram;
  private readonly upstreamTtfb: FastHistogram;
  private readonly upstreamDuration: FastHistogram;
  private readonly tokens: FastCounter;
  private readonly retries: FastCounter;
  private readonly failovers: FastCounter;
  private readonly cooldowns: FastCounter;
  /** Client-chosen values: bounded (bounded-label.ts). */
  private readonly models = new BoundedLabel(200);
  private readonly keys = new BoundedLabel(500);
  private readonly errorTypes = new BoundedLabel(50);
  private readonly unsubscribe: () => void;

  constructor(metrics: MetricsRegistry, bus: UsageBus, streams: ActiveStreams) {
    this.requests = metrics.fastCounter({
      name: 'byokey_requests_total',
      help: 'Model requests finished, by route, model asked for, instance that served (or last failed) it, and status class (2xx, 4xx, 5xx)',
      labelNames: ['route', 'model', 'provider_instance', 'status_class'],
    });
    this.errors = metrics.fastCounter({
      name: 'byokey_request_errors_total',
      help: 'Model requests that ended in an error (an error status, or an error event after a stream began), by error type',
      labelNames: ['route', 'provider_instance', 'type'],
    });
    this.duration = metrics.fastHistogram({
      name: 'byokey_request_duration_seconds',
      help: 'Model requests from arrival to the last byte of the answer',
      labelNames: ['route', 'provider_instance'],
      buckets: DURATION_BUCKETS,
    });
    this.ttfb = metrics.fastHistogram({
      name: 'byokey_time_to_first_byte_seconds',
      help: "Model requests from arrival to the answer's first byte to the client (a stream's first event)",
      labelNames: ['route', 'provider_instance'],
      buckets: TTFB_BUCKETS,
    });
    this.upstreamTtfb = metrics.fastHistogram({
      name: 'byokey_upstream_time_to_first_byte_seconds',
      help: "Upstream attempts from the call to the upstream's first event (a whole JSON answer counts as its first byte)",
      labelNames: ['provider_instance'],
      buckets: TTFB_BUCKETS,
    });
    this.upstreamDuration = metrics.fastHistogram({
      name: 'byokey_upstream_duration_seconds',
      help: 'Upstream attempts from the call to the end of the answer (ok) or to the failure (error)',
      labelNames: ['provider_instance', 'outcome'],
      buckets: DURATION_BUCKETS,
    });
    this.tokens = metrics.fastCounter({
      name: 'byokey_tokens_total',
      help: 'Tokens the upstreams counted, by model served, client key name and kind (input, output, cached: part of input, reasoning: part of output)',
      labelNames: ['model', 'key', 'kind'],
    });
    this.retries = metrics.fastCounter({
      name: 'byokey_retries_total',
      help: 'Upstream attempts that failed and were tried again (on another credential or instance), by the instance that failed',
      labelNames: ['provider_instance'],
    });
    this.failovers = metrics.fastCounter({
      name: 'byokey_failovers_total',
      help: 'Retries that moved to another instance (a fallback target), from the failed instance to the next',
      labelNames: ['from', 'to'],
    });
    this.cooldowns = metrics.fastCounter({
      name: 'byokey_cooldowns_total',
      help: 'Credential cooldowns this instance started (a 429 until its reset, an auth failure …), by provider instance',
      labelNames: ['provider_instance'],
    });
    metrics.gauge({
      name: 'byokey_active_streams',
      help: 'Streamed answers being written to clients now',
      collect() {
        this.set(streams.count);
      },
    });
    this.unsubscribe = bus.subscribe((record) => this.count(record));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private count(record: UsageRecord): void {
    const instance = record.instance ?? NONE_LABEL;
    // A model nobody serves (404) is the caller's typo: not worth a series of its own.
    const model = record.modelRequested === undefined || record.status === 404 ? NONE_LABEL : this.models.of(record.modelRequested);
    this.requests.inc([record.route, model, instance, statusClass(record.status)]);
    if (record.errorType !== undefined) this.errors.inc([record.route, instance, this.errorTypes.of(record.errorType)]);
    this.duration.observe([record.route, instance], record.durationMs / 1000);
    if (record.ttfbMs !== undefined) this.ttfb.observe([record.route, instance], record.ttfbMs / 1000);
    this.countTokens(record);
    if (record.upstreamAttempts) this.countAttempts(record.upstreamAttempts, record.at + record.durationMs);
  }

  private countTokens(record: UsageRecord): void {
    const { input, output, cached, reasoning } = record.tokens;
    if (input + output === 0) return;
    const model = record.modelServed === undefined ? NONE_LABEL : this.models.of(record.modelServed);
    const key = record.keyName === undefined ? NONE_LABEL : this.keys.of(record.keyName);
    if (input > 0) this.tokens.inc([model, key, 'input'], input);
    if (output > 0) this.tokens.inc([model, key, 'output'], output);
    if (cached > 0) this.tokens.inc([model, key, 'cached'], cached);
    if (reasoning > 0) this.tokens.inc([model, key, 'reasoning'], reasoning);
  }

  /** Each attempt's latencies; a failed attempt followed by another is a retry (a failover when the instance changed). */
  private countAttempts(attempts: readonly UpstreamAttempt[], endedAt: number): void {
    for (let i = 0; i < attempts.length; i++) {
      const attempt = attempts[i];
      if (attempt.firstEventAt !== undefined) this.upstreamTtfb.observe([attempt.instance], (attempt.firstEventAt - attempt.startedAt) / 1000);
      const failed = attempt.failedAt !== undefined;
      this.upstreamDuration.observe([attempt.instance, failed ? 'error' : 'ok'], ((attempt.failedAt ?? endedAt) - attempt.startedAt) / 1000);
      if (attempt.cooledDown) this.cooldowns.inc([attempt.instance]);
      const next = attempts[i + 1];
      if (failed && next) {
        this.retries.inc([attempt.instance]);
        if (next.instance !== attempt.instance) this.failovers.inc([attempt.instance, next.instance]);
      }
    }
  }
}

function statusClass(status: number): string {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}
