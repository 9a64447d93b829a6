// The embedded UsageStore: the usage_records table (migration 4) on the shared better-sqlite3
// connection. Batches go in as one transaction; medians are computed in SQL with window
// functions, so an aggregate never loads a window's rows into the process; pruning deletes in
// slices and yields between them, so a large backlog does not hold the event loop.
import type Database from 'better-sqlite3';
import type { UsageRecord } from '../usage-record';
import { UsageStore, type UsageAggregate, type UsageGrouping, type UsagePage, type UsageWindow } from '../usage-store';
import { usageRecordOf, type UsageRow } from '../usage-row';


/** SQLite keeps `stream` as 0 or 1. */
type NewUsageRow = Omit<UsageRow, 'id' | 'stream'> & { stream: number };

interface AggregateRow {
  grp: string | null;
  name: string | null;
  requests: number;
  errors: number;
  input: number;
  output: number;
  cached: number;
  reasoning: number;
}

interface MedianRow {
  grp: string | null;
  value: number;
}

/** The SQL expression each grouping groups by. */
const GROUP_EXPRESSION: Record<UsageGrouping, string> = {
  key: 'key_id',
  model: 'coalesce(model_served, model_requested)',
  // A credential's label (`api_keys[0]`) is only unique within its instance.
  account: "CASE WHEN credential IS NULL THEN NULL ELSE coalesce(instance, '') || '/' || credential END",
  instance: 'instance',
};

/** Rows deleted per statement when pruning. */
const PRUNE_SLICE = 5_000;

export class SqliteUsageStore extends UsageStore {
  private readonly insert: Database.Statement<[NewUsageRow]>;
  private readonly insertAll: (rows: readonly NewUsageRow[]) => void;
  private readonly newest: Database.Statement<[{ limit: number }], UsageRow>;
  private readonly olderThanId: Database.Statement<[{ limit: number; before: number }], UsageRow>;
  private readonly pruneSlice: Database.Statement<[{ olderThan: number; slice: number }]>;
  private readonly aggregates = new Map<UsageGrouping, Database.Statement<[UsageWindow], AggregateRow>>();
  private readonly medians = new Map<string, Database.Statement<[UsageWindow], MedianRow>>();

  constructor(private readonly db: Database.Database) {
    super();
    this.insert = db.prepare(`
      INSERT INTO usage_records (at, request_id, key_id, key_name, route, model_requested, model_served, instance,
        credential, status, error_type, input_tokens, output_tokens, cached_tokens, reasoning_tokens, ttfb_ms,
        duration_ms, stream, attempts)
      VALUES (@at, @request_id, @key_id, @key_name, @route, @model_requested, @model_served, @instance,
        @credential, @status, @error_type, @input_tokens, @output_tokens, @cached_tokens, @reasoning_tokens, @ttfb_ms,
        @duration_ms, @stream, @attempts)`);
    this.insertAll = db.transaction((rows: readonly NewUsageRow[]) => {
      for (const row of rows) this.insert.run(row);
    });
    this.newest = db.prepare('SELECT * FROM usage_records ORDER BY id DESC LIMIT @limit');
    this.olderThanId = db.prepare('SELECT * FROM usage_records WHERE id < @before ORDER BY id DESC LIMIT @limit');
    this.pruneSlice = db.prepare(
      'DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records WHERE at < @olderThan LIMIT @slice)',
    );
  }

  async insertBatch(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.insertAll(records.map(toRow));
  }

  async aggregate(window: UsageWindow, by: UsageGrouping): Promise<UsageAggregate[]> {
    const rows = this.aggregateStatement(by).all(window);
    const ttfb = medianMap(this.medianStatement(by, 'ttfb_ms').all(window));
    const duration = medianMap(this.medianStatement(by, 'duration_ms').all(window));
    return rows.map((row) => {
      const aggregate: UsageAggregate = {
        group: row.grp,
        requests: row.requests,
        errors: row.errors,
        tokens: { input: row.input, output: row.output, cached: row.cached, reasoning: row.reasoning },
      };
      if (by === 'key' && row.name !== null) aggregate.name = row.name;
      const p50Ttfb = ttfb.get(row.grp);
      if (p50Ttfb !== undefined) aggregate.p50TtfbMs = p50Ttfb;
      const p50Duration = duration.get(row.grp);
      if (p50Duration !== undefined) aggregate.p50DurationMs = p50Duration;
      return aggregate;
    });
  }

  async recent(page: { limit: number; before?: number }): Promise<UsagePage> {
    // One more than asked tells whether another page follows.
    const limit = page.limit + 1;
    const rows = page.before === undefined ? this.newest.all({ limit }) : this.olderThanId.all({ limit, before: page.before });
    const records = rows.slice(0, page.limit).map(usageRecordOf);
    return rows.length > page.limit ? { records, nextBefore: records[records.length - 1].id } : { records };
  }

  async prune(olderThan: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { changes } = this.pruneSlice.run({ olderThan, slice: PRUNE_SLICE });
      deleted += changes;
      if (changes < PRUNE_SLICE) return deleted;
      // Requests are served between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private aggregateStatement(by: UsageGrouping): Database.Statement<[UsageWindow], AggregateRow> {
    let statement = this.aggregates.get(by);
    if (!statement) {
      statement = this.db.prepare(`
        SELECT ${GROUP_EXPRESSION[by]} AS grp, max(key_name) AS name, count(*) AS requests,
               sum(status >= 400 OR error_type IS NOT NULL) AS errors,
               sum(input_tokens) AS input, sum(output_tokens) AS output,
               sum(cached_tokens) AS cached, sum(reasoning_tokens) AS reasoning
        FROM usage_records
        WHERE at >= @since AND at < @until
        GROUP BY grp
        ORDER BY requests DESC, grp IS NULL, grp`);
      this.aggregates.set(by, statement);
    }
    return statement;
  }

  /** The lower median of a column per group, over the rows that have a value. */
  private medianStatement(by: UsageGrouping, column: 'ttfb_ms' | 'duration_ms'): Database.Statement<[UsageWindow], MedianRow> {
    const cacheKey = `${by}:${column}`;
    let statement = this.medians.get(cacheKey);
    if (!statement) {
      statement = this.db.prepare(`
        WITH ranked AS (
          SELECT ${GROUP_EXPRESSION[by]} AS grp, ${column} AS value,
                 row_number() OVER (PARTITION BY ${GROUP_EXPRESSION[by]} ORDER BY ${column}) AS position,
                 count(*) OVER (PARTITION BY ${GROUP_EXPRESSION[by]}) AS total
          FROM usage_records
          WHERE at >= @since AND at < @until AND ${column} IS NOT NULL
        )
        SELECT grp, value FROM ranked WHERE position = (total + 1) / 2`);
      this.medians.set(cacheKey, statement);
    }
    return statement;
  }
}

function medianMap(rows: MedianRow[]): Map<string | null, number> {
  return new Map(rows.map((row) => [row.grp, row.value]));
}

function toRow(record: UsageRecord): NewUsageRow {
  return {
    at: Math.round(record.at),
    request_id: record.requestId,
    key_id: record.keyId ?? null,
    key_name: record.keyName ?? null,
    route: record.route,
    model_requested: record.modelRequested ?? null,
    model_served: record.modelServed ?? null,
    instance: record.instance ?? null,
    credential: record.credential ?? null,
    status: record.status,
    error_type: record.errorType ?? null,
    input_tokens: record.tokens.input,
    output_tokens: record.tokens.output,
    cached_tokens: record.tokens.cached,
    reasoning_tokens: record.tokens.reasoning,
    ttfb_ms: record.ttfbMs === undefined ? null : Math.round(record.ttfbMs),
    duration_ms: Math.round(record.durationMs),
    stream: record.stream ? 1 : 0,
    attempts: record.attempts,
  };
}
