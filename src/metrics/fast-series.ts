// Counters and histograms for the request path, cheaper than prom-client's own: prom-client checks
// every label and builds its series key on each inc/observe (about 0.8 µs a call, 5.8 µs for the
// seven a request made — measured with the request metrics over a million records). Here a series
// is a cell found by its label values joined into one key and updated as plain numbers; prom-client
// still owns the registry, the metric types and the text format, and reads the cells when scraped.
import { Counter, Histogram, type Registry } from 'prom-client';

interface CounterCell {
  labels: Record<string, string>;
  value: number;
}

interface HistogramCell {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export interface SeriesConfig {
  name: string;
  help: string;
  labelNames: readonly string[];
}

const SEPARATOR = '\u0001';

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) labels[names[i]] = values[i];
  return labels;
}

export class FastCounter {
  private readonly cells = new Map<string, CounterCell>();

  constructor(
    readonly config: SeriesConfig,
    registry: Registry,
  ) {
    const cells = this.cells;
    new Counter({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      registers: [registry],
      // A scrape sets the totals from the cells.
      collect() {
        this.reset();
        for (const cell of cells.values()) this.inc(cell.labels, cell.value);
      },
    });
  }

  /** Adds `by` to the series of these label values, in labelNames' order. */
  inc(values: readonly string[], by = 1): void {
    const key = values.join(SEPARATOR);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { labels: labelsOf(this.config.labelNames, values), value: 0 };
      this.cells.set(key, cell);
    }
    cell.value += by;
  }
}

/** A prom-client histogram whose series come from cells kept outside it. */
class CellHistogram extends Histogram<string> {
  constructor(
    private readonly config: SeriesConfig & { buckets: number[] },
    registry: Registry,
    private readonly cells: Map<string, HistogramCell>,
  ) {
    super({ name: config.name, help: config.help, labelNames: config.labelNames, buckets: config.buckets, registers: [registry] });
  }

  override async get(): Promise<Awaited<ReturnType<Histogram<string>['get']>>> {
    const bounds = this.config.buckets;
    const name = this.config.name;
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const cell of this.cells.values()) {
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += cell.counts[i];
        values.push({ labels: { le: bounds[i], ...cell.labels }, value: cumulative, metricName: `${name}_bucket` });
      }
      values.push({ labels: { le: '+Inf', ...cell.labels }, value: cell.count, metricName: `${name}_bucket` });
      values.push({ labels: cell.labels, value: cell.sum, metricName: `${name}_sum` });
      values.push({ labels: cell.labels, value: cell.count, metricName: `${name}_count` });
    }
    return { name, help: this.config.help, type: 'histogram', values, aggregator: 'sum' } as unknown as Awaited<ReturnType<Histogram<string>['get']>>;
  }

  /** The registry formats what get() gives (prom-client calls this first when it exists). */
  async getForPromString(): Promise<Awaited<ReturnType<Histogram<string>['get']>>> {
    return this.get();
  }
}

export class FastHistogram {
  private readonly cells = new Map<string, HistogramCell>();
  private readonly bounds: number[];

  constructor(
    readonly config: SeriesConfig & { buckets: number[] },
    registry: Registry,
  ) {
    this.bounds = [...config.buckets].sort((a, b) => a - b);
    new CellHistogram({ ...config, buckets: this.bounds }, registry, this.cells);
  }

  /** Records one observation in the series of these label values, in labelNames' order. */
  observe(values: readonly string[], value: number): void {
    const key = values.join(SEPARATOR);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { labels: labelsOf(this.config.labelNames, values), counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.cells.set(key, cell);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    cell.counts[i]++;
    cell.sum += value;
    cell.count++;
  }
}
