// GET /admin/v1/usage — totals per key, model, account or instance over a window
// (`?since=24h&by=model`), the same table `byokey usage` prints — and GET /admin/v1/usage/records,
// the most recent usage records, newest first, paged with `?limit=50&before=<next_before>`.
// Behind the admin key. Field names are snake_case like the rest of the HTTP API.
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { invalidRequest } from '../common/gateway-error';
import { UsageStore, type StoredUsageRecord, type UsageAggregate } from '../store/usage-store';
import { DEFAULT_GROUPING, DEFAULT_SINCE, parseGrouping, parseSince, UsageQueryError } from '../usage/usage-query';
import type { TokenCounts } from '../store/usage-record';
import { AdminKeyGuard } from './admin-key.guard';

export const DEFAULT_RECORDS_LIMIT = 50;
export const MAX_RECORDS_LIMIT = 1000;

type QueryParams = Record<string, string | string[] | undefined>;

@Controller('admin/v1/usage')
@UseGuards(AdminKeyGuard)
export class UsageController {
  constructor(private readonly store: UsageStore) {}

  @Get()
  async aggregate(@Query() query: QueryParams) {
    const now = Date.now();
    const since = read(() => parseSince(single(query, 'since') ?? DEFAULT_SINCE, now), 'since');
    const by = read(() => parseGrouping(single(query, 'by') ?? DEFAULT_GROUPING), 'by');
    const groups = await this.store.aggregate({ since, until: now }, by);
    return {
      object: 'usage.aggregate',
      by,
      since: new Date(since).toISOString(),
      until: new Date(now).toISOString(),
      data: groups.map(aggregateJson),
    };
  }

  @Get('records')
  async records(@Query() query: QueryParams) {
    const limit = positiveInteger(query, 'limit', MAX_RECORDS_LIMIT) ?? DEFAULT_RECORDS_LIMIT;
    const before = positiveInteger(query, 'before');
    const page = await this.store.recent({ limit, before });
    return {
      object: 'list',
      data: page.records.map(recordJson),
      has_more: page.nextBefore !== undefined,
      next_before: page.nextBefore ?? null,
    };
  }
}

function aggregateJson(aggregate: UsageAggregate) {
  return {
    group: aggregate.group,
    ...(aggregate.name !== undefined ? { key_name: aggregate.name } : {}),
    requests: aggregate.requests,
    errors: aggregate.errors,
    tokens: aggregate.tokens satisfies TokenCounts,
    p50_ttfb_ms: aggregate.p50TtfbMs ?? null,
    p50_duration_ms: aggregate.p50DurationMs ?? null,
  };
}

function recordJson(record: StoredUsageRecord) {
  return {
    id: record.id,
    at: new Date(record.at).toISOString(),
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
    tokens: record.tokens,
    ttfb_ms: record.ttfbMs ?? null,
    duration_ms: record.durationMs,
    stream: record.stream,
    attempts: record.attempts,
  };
}

/** A query word turned into a 400 that names the parameter. */
function read<T>(parse: () => T, param: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageQueryError) throw invalidRequest(error.message, param, 'invalid_query');
    throw error;
  }
}

function single(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw invalidRequest(`Give \`${name}\` once.`, name, 'invalid_query');
  return value === undefined || value === '' ? undefined : value;
}

function positiveInteger(query: QueryParams, name: string, max?: number): number | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > (max ?? Number.MAX_SAFE_INTEGER)) {
    const range = max === undefined ? 'of at least 1' : `from 1 to ${max}`;
    throw invalidRequest(`\`${name}\` must be a whole number ${range}, not "${text}".`, name, 'invalid_query');
  }
  return value;
}
