// A usage record as both backends store it: the same columns, read back into a StoredUsageRecord
// the same way. Only `stream` differs in type (SQLite has no boolean: 0 or 1).
import type { StoredUsageRecord } from './usage-store';

export interface UsageRow {
  id: number;
  at: number;
  request_id: string;
  key_id: string | null;
  key_name: string | null;
  route: string;
  model_requested: string | null;
  model_served: string | null;
  instance: string | null;
  credential: string | null;
  status: number;
  error_type: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  ttfb_ms: number | null;
  duration_ms: number;
  stream: boolean | number;
  attempts: number;
}

export function usageRecordOf(row: UsageRow): StoredUsageRecord {
  const record: StoredUsageRecord = {
    id: row.id,
    at: row.at,
    requestId: row.request_id,
    route: row.route,
    status: row.status,
    tokens: { input: row.input_tokens, output: row.output_tokens, cached: row.cached_tokens, reasoning: row.reasoning_tokens },
    durationMs: row.duration_ms,
    stream: row.stream === true || row.stream === 1,
    attempts: row.attempts,
  };
  if (row.key_id !== null) record.keyId = row.key_id;
  if (row.key_name !== null) record.keyName = row.key_name;
  if (row.model_requested !== null) record.modelRequested = row.model_requested;
  if (row.model_served !== null) record.modelServed = row.model_served;
  if (row.instance !== null) record.instance = row.instance;
  if (row.credential !== null) record.credential = row.credential;
  if (row.error_type !== null) record.errorType = row.error_type;
  if (row.ttfb_ms !== null) record.ttfbMs = row.ttfb_ms;
  return record;
}
