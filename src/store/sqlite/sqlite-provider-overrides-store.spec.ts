// The SQLite ProviderOverridesStore: the shared contract on a real database file, and what only
// this backend can show — the keys are not readable in the file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProviderOverridesStoreContract } from '../provider-overrides-store.contract';
import { SqliteAccountStore } from './sqlite-account-store';
import { SqliteProviderOverridesStore } from './sqlite-provider-overrides-store';

const env = { BYOKEY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') };

function openOn(home: string): { accounts: SqliteAccountStore; store: SqliteProviderOverridesStore } {
  const accounts = SqliteAccountStore.open({ home, env });
  return { accounts, store: new SqliteProviderOverridesStore(accounts.connection, accounts.tokenCipher) };
}

describeProviderOverridesStoreContract('SqliteProviderOverridesStore', async () => {
  const home = mkdtempSync(join(tmpdir(), 'byokey-overrides-'));
  let opened = openOn(home);
  return {
    store: opened.store,
    async reopen() {
      await opened.accounts.close();
      opened = openOn(home);
      return opened.store;
    },
    async close() {
      await opened.accounts.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
});

describe('SqliteProviderOverridesStore at rest', () => {
  it('keeps upstream keys encrypted in the database file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'byokey-overrides-'));
    try {
      const { accounts, store } = openOn(home);
      await store.addKey('openai', { label: 'plain-label', key: 'sk-MUST-NOT-BE-IN-THE-FILE-4242' });
      accounts.connection.pragma('wal_checkpoint(TRUNCATE)');
      await accounts.close();
      const file = readFileSync(join(home, 'byokey.db')).toString('latin1');
      expect(file).toContain('plain-label');
      expect(file).not.toContain('sk-MUST-NOT-BE-IN-THE-FILE');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
