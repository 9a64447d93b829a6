// The gateway's Prometheus registry: one per app, not prom-client's process-wide default, so two
// gateways in one process (the tests start several) each count their own traffic. Any module that
// keeps a metric asks here for its instrument by name; asking twice returns the same one, so a
// module built again (a config reload) goes on counting where it was.
import { Injectable } from '@nestjs/common';
import { FastCounter, FastHistogram, type SeriesConfig } from './fast-series';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Metric } from 'prom-client';

@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly fast = new Map<string, FastCounter | FastHistogram>();

  constructor() {
    // Process metrics: CPU, memory, event-loop lag, handles, GC — Prometheus' standard names.
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
    return this.existing(config.name) ?? new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
    return this.existing(config.name) ?? new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
    return this.existing(config.name) ?? new Histogram({ ...config, registers: [this.registry] });
  }

  /** A counter for the request path (fast-series.ts): label values by position. */
  fastCounter(config: SeriesConfig): FastCounter {
    const existing = this.fast.get(config.name);
    if (existing instanceof FastCounter) return existing;
    const counter = new FastCounter(config, this.registry);
    this.fast.set(config.name, counter);
    return counter;
  }

  /** A histogram for the request path (fast-series.ts): label values by position. */
  fastHistogram(config: SeriesConfig & { buckets: number[] }): FastHistogram {
    const existing = this.fast.get(config.name);
    if (existing instanceof FastHistogram) return existing;
    const histogram = new FastHistogram(config, this.registry);
    this.fast.set(config.name, histogram);
    return histogram;
  }

  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private existing<M extends Metric<string>>(name: string): M | undefined {
    return this.registry.getSingleMetric(name) as M | undefined;
  }
}
