// The SecretRotation on the shared PostgreSQL schema: reads every sealed value with FOR UPDATE and
// writes the re-sealed ones in the same transaction, so a gateway refreshing an account meanwhile
// waits for it (and then writes its own tokens sealed with its key), and nothing is half re-sealed.
// Versions and timestamps stay as they are: the plaintext did not change, only the key it is
// sealed with.
import type { PoolClient } from 'pg';
import type { KeySources } from '../secret-key';
import { noPreviousKey, planReseal, SecretRotation, type ResealCounts } from '../secret-rotation';
import { KEY_CHECK, type PostgresDatabase } from './postgres-database';

const SQL = {
  accounts: 'SELECT provider, account_id AS "accountId", tokens AS sealed FROM accounts ORDER BY provider, account_id FOR UPDATE',
  runtimeKeys: 'SELECT instance, label, key AS sealed FROM provider_runtime_keys ORDER BY instance, seq FOR UPDATE',
  keyCheck: 'SELECT value FROM meta WHERE key = $1 FOR UPDATE',
  writeTokens: 'UPDATE accounts SET tokens = $3 WHERE provider = $1 AND account_id = $2',
  writeRuntimeKey: 'UPDATE provider_runtime_keys SET key = $3 WHERE instance = $1 AND label = $2',
  writeKeyCheck: 'UPDATE meta SET value = $2 WHERE key = $1',
} as const;

export class PostgresSecretRotation extends SecretRotation {
  constructor(private readonly database: PostgresDatabase) {
    super();
  }

  get keySources(): KeySources {
    return this.database.keySources;
  }

  async reseal(): Promise<ResealCounts> {
    if (!this.database.cipher.hasPreviousKey) throw noPreviousKey();
    return this.database.transaction(async (client) => {
      const plan = planReseal(this.database.cipher, {
        accounts: (await client.query<{ provider: string; accountId: string; sealed: Buffer }>(SQL.accounts)).rows,
        runtimeKeys: (await client.query<{ instance: string; label: string; sealed: Buffer }>(SQL.runtimeKeys)).rows,
        keyCheck: await readKeyCheck(client),
      });
      for (const a of plan.values.accounts) await client.query(SQL.writeTokens, [a.provider, a.accountId, a.sealed]);
      for (const k of plan.values.runtimeKeys) await client.query(SQL.writeRuntimeKey, [k.instance, k.label, k.sealed]);
      if (plan.values.keyCheck) await client.query(SQL.writeKeyCheck, [KEY_CHECK, plan.values.keyCheck.toString('base64')]);
      return plan.counts;
    });
  }
}

async function readKeyCheck(client: PoolClient): Promise<Buffer | undefined> {
  const { rows } = await client.query<{ value: string }>(SQL.keyCheck, [KEY_CHECK]);
  return rows.length === 0 ? undefined : Buffer.from(rows[0].value, 'base64');
}
