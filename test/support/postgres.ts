// PostgreSQL for tests: the local server (BYOKEY_TEST_DATABASE_URL, else 127.0.0.1:5432/test
// with trust auth), a random schema per test or test file so jest workers never share tables,
// and raw access to it — what a person with psql would see — for checks and for tampering.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEST_DATABASE_URL = process.env.BYOKEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name nobody else uses (lower case, as `store.schema` requires). */
export function randomSchema(prefix = 'byokey_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `use` on a connection of its own whose search_path is `schema`; closes it after. */
export async function withRawClient<T>(schema: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${quote(schema)}` });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** One statement on its own connection: the rows. */
export async function rawQuery<R extends Record<string, unknown> = Record<string, unknown>>(
  schema: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  return withRawClient(schema, async (client) => (await client.query<R>(text, values)).rows);
}

export async function dropSchema(schema: string): Promise<void> {
  await withRawClient('public', async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
  });
}
