// The UsageStore on the shared PostgreSQL database. The usage writer hands it a batch every
// second (up to 2000 records): one prepared INSERT … SELECT FROM json_to_recordset($1) stores it
// in one round trip and one statement (so all or nothing), whatever its size. JSON because
// JSON.stringify is native: a 2000-record batch costs the event loop ~6 ms, where pg's own
// serialisation of 19 parameter arrays costs ~30 ms (the database's share is the same).
// Aggregates are one query with the medians in it: percentile_disc(0.5) is the lower median, the
// value SQLite's query picks, so both backends give the same numbers.
import type { UsageRecord } from '../usage-record';
import {
  UsageStore,
  type UsageAggregate,
  type UsageGrouping,
  type UsagePage,
  type UsageWindow,
} from '../usage-store';
import { usageRecordOf, type UsageRow } from '../usage-row';
import type { PostgresDatabase } from './postgres-database';


/** A row as the batch's JSON carries it. */
interface NewUsageRow {
  at: number;
  request_id: string;
  key_id?: string;
  key_name?: string;
  route: string;
  model_requested?: string;
  model_served?: string;
  instance?: string;
  credential?: string;
  status: number;
  error_type?: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  ttfb_ms?: number;
  duration_ms: number;
  stream: boolean;
  attempts: number;
}

interface AggregateRow {
  grp: string | null;
  name: string | null;
  requests: number;
  errors: number;
  input: number;
  output: number;
  cached: number;
  reasoning: number;
  p50_ttfb: number | null;
  p50_duration: number | null;
}

/** The SQL expression each grouping groups by (as in the SQLite store). */
const GROUP_EXPRESSION: Record<UsageGrouping, string> = {
  key: 'key_id',
  model: 'coalesce(model_served, model_requested)',
  // A credential's label (`api_keys[0]`) is only unique within its instance.
  account: "CASE WHEN credential IS NULL THEN NULL ELSE coalesce(instance, '') || '/' || credential END",
  instance: 'instance',
};

/** Column and type of each field of a batch's JSON rows (the row's keys are the column names). */
const INSERT_COLUMNS: readonly (readonly [keyof NewUsageRow, string])[] = [
  ['at', 'bigint'],
  ['request_id', 'text'],
  ['key_id', 'text'],
  ['key_name', 'text'],
  ['route', 'text'],
  ['model_requested', 'text'],
  ['model_served', 'text'],
  ['instance', 'text'],
  ['credential', 'text'],
  ['status', 'integer'],
  ['error_type', 'text'],
  ['input_tokens', 'bigint'],
  ['output_tokens', 'bigint'],
  ['cached_tokens', 'bigint'],
  ['reasoning_tokens', 'bigint'],
  ['ttfb_ms', 'bigint'],
  ['duration_ms', 'bigint'],
  ['stream', 'boolean'],
  ['attempts', 'integer'],
];

const COLUMN_LIST = INSERT_COLUMNS.map(([column]) => column).join(', ');
const COLUMN_TYPES = INSERT_COLUMNS.map(([column, type]) => `${column} ${type}`).join(', ');

const SQL = {
  // WITH ORDINALITY … ORDER BY: ids are given in the batch's order. A key missing from a row is NULL.
  insert: `
    INSERT INTO usage_records (${COLUMN_LIST})
    SELECT ${COLUMN_LIST}
    FROM ROWS FROM (json_to_recordset($1::json) AS (${COLUMN_TYPES})) WITH ORDINALITY AS batch(${COLUMN_LIST}, position)
    ORDER BY position`,
  newest: 'SELECT * FROM usage_records ORDER BY id DESC LIMIT $1',
  olderThanId: 'SELECT * FROM usage_records WHERE id < $2 ORDER BY id DESC LIMIT $1',
  pruneSlice: 'DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records WHERE at < $1 LIMIT $2)',
} as const;

function aggregateSql(by: UsageGrouping): string {
  // Percentiles ignore NULLs: a median over the requests that had a first byte. COLLATE "C":
  // ties in the busiest-first order break by byte order, as in SQLite.
  return `
    SELECT * FROM (
      SELECT ${GROUP_EXPRESSION[by]} AS grp, max(key_name) AS name, count(*) AS requests,
             count(*) FILTER (WHERE status >= 400 OR error_type IS NOT NULL) AS errors,
             sum(input_tokens)::bigint AS input, sum(output_tokens)::bigint AS output,
             sum(cached_tokens)::bigint AS cached, sum(reasoning_tokens)::bigint AS reasoning,
             percentile_disc(0.5) WITHIN GROUP (ORDER BY ttfb_ms) AS p50_ttfb,
             percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_duration
      FROM usage_records
      WHERE at >= $1 AND at < $2
      GROUP BY 1
    ) AS groups
    ORDER BY requests DESC, grp IS NULL, grp COLLATE "C"`;
}

/** Rows deleted per statement when pruning. */
const PRUNE_SLICE = 5_000;

export class PostgresUsageStore extends UsageStore {
  constructor(private readonly database: PostgresDatabase) {
    super();
  }

  async insertBatch(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.database.query(SQL.insert, [JSON.stringify(records.map(toRow))], 'byokey_usage_insert_batch');
  }

  async aggregate(window: UsageWindow, by: UsageGrouping): Promise<UsageAggregate[]> {
    const { rows } = await this.database.query<AggregateRow>(
      aggregateSql(by),
      [Math.floor(window.since), Math.floor(window.until)],
      `byokey_usage_aggregate_${by}`,
    );
    return rows.map((row) => {
      const aggregate: UsageAggregate = {
        group: row.grp,
        requests: row.requests,
        errors: row.errors,
        tokens: { input: row.input, output: row.output, cached: row.cached, reasoning: row.reasoning },
      };
      if (by === 'key' && row.name !== null) aggregate.name = row.name;
      if (row.p50_ttfb !== null) aggregate.p50TtfbMs = row.p50_ttfb;
      if (row.p50_duration !== null) aggregate.p50DurationMs = row.p50_duration;
      return aggregate;
    });
  }

  async recent(page: { limit: number; before?: number }): Promise<UsagePage> {
    // One more than asked tells whether another page follows.
    const limit = page.limit + 1;
    const { rows } =
      page.before === undefined
        ? await this.database.query<UsageRow>(SQL.newest, [limit], 'byokey_usage_newest')
        : await this.database.query<UsageRow>(SQL.olderThanId, [limit, page.before], 'byokey_usage_older_than');
    const records = rows.slice(0, page.limit).map(usageRecordOf);
    return rows.length > page.limit ? { records, nextBefore: records[records.length - 1].id } : { records };
  }

  /** In slices, so a large backlog never holds one long transaction (and its locks) open. */
  async prune(olderThan: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.database.query(SQL.pruneSlice, [Math.floor(olderThan), PRUNE_SLICE], 'byokey_usage_prune');
      deleted += rowCount;
      if (rowCount < PRUNE_SLICE) return deleted;
    }
  }
}

/** The record as a row of the batch: undefined fields are left out of the JSON, so NULL. */
function toRow(record: UsageRecord): NewUsageRow {
  return {
    at: Math.round(record.at),
    request_id: record.requestId,
    key_id: record.keyId,
    key_name: record.keyName,
    route: record.route,
    model_requested: record.modelRequested,
    model_served: record.modelServed,
    instance: record.instance,
    credential: record.credential,
    status: record.status,
    error_type: record.errorType,
    input_tokens: record.tokens.input,
    output_tokens: record.tokens.output,
    cached_tokens: record.tokens.cached,
    reasoning_tokens: record.tokens.reasoning,
    ttfb_ms: record.ttfbMs === undefined ? undefined : Math.round(record.ttfbMs),
    duration_ms: Math.round(record.durationMs),
    stream: record.stream,
    attempts: record.attempts,
  };
}
