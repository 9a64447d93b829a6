// Secret key rotation on the embedded database: the shared contract (secret-rotation.contract.ts)
// against a real byokey.db in a temporary BYOKEY_HOME, and the key files a laptop install uses
// (secret.key, secret.key.previous) instead of variables.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login } from '../account-store.contract';
import { openStores, type Stores } from '../open-stores';
import { previousSecretKeyPath, secretKeyPath } from '../secret-key';
import { describeSecretRotationContract } from '../secret-rotation.contract';
import { DATABASE_FILE } from './database-file';

/** Every row that holds a sealed value, as the sqlite3 CLI would print it. */
function dump(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = ['accounts ORDER BY provider, account_id', 'provider_runtime_keys ORDER BY instance, label', 'meta ORDER BY key'].map(
      (table) => db.prepare(`SELECT * FROM ${table}`).all(),
    );
    return JSON.stringify(rows, (_, value: unknown) =>
      typeof value === 'object' && value !== null && (value as { type?: string }).type === 'Buffer'
        ? Buffer.from((value as { data: number[] }).data).toString('hex')
        : value,
    );
  } finally {
    db.close();
  }
}

describeSecretRotationContract('SQLite', async () => {
  const home = mkdtempSync(join(tmpdir(), 'byokey-rekey-'));
  const opened: Stores[] = [];
  return {
    async open(env, onUnreadable) {
      const stores = await openStores({ home, store: { kind: 'sqlite' }, env, onUnreadable });
      opened.push(stores);
      return stores;
    },
    dump: async () => dump(join(home, DATABASE_FILE)),
    async close() {
      for (const stores of opened) await stores.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
});

describe('SQLite secret key rotation with key files', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-rekey-'));
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('moves the old secret.key to secret.key.previous, a new one in place, rekey, then drops the previous file', async () => {
    const first = await openStores({ home, store: { kind: 'sqlite' }, env: {} });
    await first.accounts.save(login('work'));
    await first.close();

    // The rotation as a person does it with files: old key aside, new key in place.
    const oldKey = readFileSync(secretKeyPath(home), 'utf8');
    renameSync(secretKeyPath(home), previousSecretKeyPath(home));
    writeFileSync(secretKeyPath(home), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });

    const rolled = await openStores({ home, store: { kind: 'sqlite' }, env: {} });
    expect(rolled.rotation.keySources).toEqual({ current: secretKeyPath(home), previous: previousSecretKeyPath(home) });
    expect(await rolled.rotation.reseal()).toEqual({ accounts: 1, runtimeKeys: 0, keyCheck: 1, unchanged: 0 });
    await rolled.close();

    rmSync(previousSecretKeyPath(home));
    const after = await openStores({ home, store: { kind: 'sqlite' }, env: {} });
    expect((await after.accounts.get('codex', 'work'))?.accountId).toBe('work');
    await after.close();

    writeFileSync(secretKeyPath(home), oldKey, { mode: 0o600 });
    await expect(openStores({ home, store: { kind: 'sqlite' }, env: {} })).rejects.toThrow(/^The secret key \(from .*secret\.key\) does not match the database/);
  });
});
