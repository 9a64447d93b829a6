// The SecretRotation of the embedded database: reads every sealed value and writes the re-sealed
// ones inside one write transaction (BEGIN IMMEDIATE), so a gateway writing the same file waits
// for it and nothing is half re-sealed. Versions and timestamps stay as they are: the plaintext
// did not change, only the key it is sealed with.
import type Database from 'better-sqlite3';
import type { KeySources } from '../secret-key';
import { noPreviousKey, planReseal, SecretRotation, type ResealCounts } from '../secret-rotation';
import type { TokenCipher } from '../token-cipher';
import { KEY_CHECK, readKeyCheck } from './key-check';

export class SqliteSecretRotation extends SecretRotation {
  private readonly selectAccounts: Database.Statement<[], { provider: string; accountId: string; sealed: Buffer }>;
  private readonly selectRuntimeKeys: Database.Statement<[], { instance: string; label: string; sealed: Buffer }>;
  private readonly writeTokens: Database.Statement<[{ provider: string; accountId: string; sealed: Buffer }]>;
  private readonly writeRuntimeKey: Database.Statement<[{ instance: string; label: string; sealed: Buffer }]>;
  private readonly writeKeyCheck: Database.Statement<[string, string]>;

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: TokenCipher,
    readonly keySources: KeySources,
  ) {
    super();
    this.selectAccounts = db.prepare('SELECT provider, account_id AS accountId, tokens AS sealed FROM accounts ORDER BY provider, account_id');
    this.selectRuntimeKeys = db.prepare('SELECT instance, label, key AS sealed FROM provider_runtime_keys ORDER BY instance, seq');
    this.writeTokens = db.prepare('UPDATE accounts SET tokens = @sealed WHERE provider = @provider AND account_id = @accountId');
    this.writeRuntimeKey = db.prepare('UPDATE provider_runtime_keys SET key = @sealed WHERE instance = @instance AND label = @label');
    this.writeKeyCheck = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
  }

  async reseal(): Promise<ResealCounts> {
    if (!this.cipher.hasPreviousKey) throw noPreviousKey();
    return this.db
      .transaction(() => {
        const plan = planReseal(this.cipher, {
          accounts: this.selectAccounts.all(),
          runtimeKeys: this.selectRuntimeKeys.all(),
          keyCheck: readKeyCheck(this.db),
        });
        for (const account of plan.values.accounts) this.writeTokens.run(account);
        for (const key of plan.values.runtimeKeys) this.writeRuntimeKey.run(key);
        if (plan.values.keyCheck) this.writeKeyCheck.run(plan.values.keyCheck.toString('base64'), KEY_CHECK);
        return plan.counts;
      })
      .immediate();
  }
}
