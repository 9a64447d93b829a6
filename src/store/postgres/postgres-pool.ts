// The connection pool to the shared PostgreSQL database: every connection starts with its
// search_path set to byokey's schema (a startup parameter, so no extra round trip and no window
// in which a query could run elsewhere), and int8 columns come back as numbers, on this pool
// only (pg's global type parsers are shared by everything in the process).
import type { CustomTypesConfig, Pool } from 'pg';

/** What `store:` names: where the database is, and the schema byokey's tables live in. */
export interface PostgresTarget {
  url: string;
  schema: string;
}

export interface PoolOptions {
  /** Connections at most (pg's default is 10). */
  max?: number;
  /** How long to wait for a connection before a query fails (a database that is down). */
  connectionTimeoutMs?: number;
}

/** A schema name as SQL, quoted: the config allows only lower-case names, but quote anyway. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * BIGINT (ms since epoch, counts, ids) as a JavaScript number: byokey's values stay far below
 * 2^53. pg returns strings for int8 because it cannot know that.
 */
function parseInt8(text: string): number {
  return Number(text);
}

export function createPool(target: PostgresTarget, options: PoolOptions = {}): Pool {
  // pg is loaded with the first pool, not at start: a gateway on SQLite never pays its memory.
  const { Pool: PgPool, types } = require('pg') as typeof import('pg');
  const typeParsers: CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === types.builtins.INT8 ? parseInt8 : types.getTypeParser(oid, format as 'text')) as CustomTypesConfig['getTypeParser'],
  };
  const { connectionString, extraOptions } = withoutOptionsParameter(target.url);
  // `options` in the URL would replace ours (pg lets the URL win), so it is taken out and kept.
  const startup = [extraOptions, `-c search_path=${quoteIdentifier(target.schema)}`].filter(Boolean).join(' ');
  return new PgPool({
    connectionString,
    options: startup,
    types: typeParsers,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    application_name: 'byokey',
  });
}

function withoutOptionsParameter(url: string): { connectionString: string; extraOptions?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url };
  }
  const extra = parsed.searchParams.get('options');
  if (extra === null) return { connectionString: url };
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), extraOptions: extra };
}

/** The URL without its password, for messages and `byokey status`. */
export function describeTarget(target: PostgresTarget): string {
  try {
    const parsed = new URL(target.url);
    parsed.password = '';
    parsed.search = '';
    return `${parsed.toString()} (schema ${target.schema})`;
  } catch {
    return `a PostgreSQL database (schema ${target.schema})`;
  }
}
