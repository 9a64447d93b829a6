// The key-check value kept in meta: something sealed with the secret key when the database is
// first set up, so that opening it with another key fails at once with a clear message instead
// of later, account by account, as "cannot decrypt".
import type Database from 'better-sqlite3';
import { keysDoNotMatch, ROTATION_HINT, SECRET_KEY_ENV, type KeySources } from '../secret-key';
import { StoreError } from '../store-error';
import type { TokenCipher } from '../token-cipher';

export const KEY_CHECK = 'key_check';

/** The stored key-check value; the meta table must exist. Read-only. */
export function readKeyCheck(db: Database.Database): Buffer | undefined {
  const stored = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck().get(KEY_CHECK);
  return stored === undefined ? undefined : Buffer.from(stored, 'base64');
}

export function keyMismatch(path: string, sources: KeySources, cause?: unknown): StoreError {
  return new StoreError(
    `${keysDoNotMatch(sources)} the database ${path}: its accounts were encrypted with ` +
      `another key. Set ${SECRET_KEY_ENV} to that key or restore the key file it was created with. ` +
      `${ROTATION_HINT} Nothing was changed.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Verifies the key (or the previous key) against the stored key check, or stores one made with
 * the current key when there is none yet. Runs under the write lock so that two processes setting
 * up one new database agree on a single key. A key check made with the previous key stays as it
 * is: instances not yet given the new key must still start, until `byokey rekey` re-seals it.
 */
export function ensureKeyCheck(db: Database.Database, cipher: TokenCipher, path: string, sources: KeySources): void {
  const anyAccount = db.prepare<[], { provider: string; account_id: string; tokens: Buffer }>(
    'SELECT provider, account_id, tokens FROM accounts LIMIT 1',
  );
  const insert = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)');

  db.transaction(() => {
    const stored = readKeyCheck(db);
    if (stored) {
      if (!cipher.matchesKeyCheck(stored)) throw keyMismatch(path, sources);
      return;
    }
    // Accounts but no key check should not happen, but if it does, prove the key on an account
    // before vouching for it: stamping a wrong key would make the mismatch look like corruption.
    const account = anyAccount.get();
    if (account) {
      try {
        cipher.decryptTokens({ provider: account.provider, accountId: account.account_id }, account.tokens);
      } catch (error) {
        throw keyMismatch(path, sources, error);
      }
    }
    insert.run(KEY_CHECK, cipher.createKeyCheck().toString('base64'));
  }).immediate();
}
