// The SQLite client key store: the shared contract against a real database file, plus what only
// the file shows (no secret on disk).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintSecret } from '../client-key-secret';
import { describeClientKeyStoreContract } from '../client-key-store.contract';
import { SqliteAccountStore } from './sqlite-account-store';
import { SqliteClientKeyStore } from './sqlite-client-key-store';

describeClientKeyStoreContract('SqliteClientKeyStore', async () => {
  const home = mkdtempSync(join(tmpdir(), 'byokey-keys-'));
  let now = 0;
  const opened: SqliteAccountStore[] = [];
  const openStore = () => {
    const accounts = SqliteAccountStore.open({ home, env: {} });
    opened.push(accounts);
    return new SqliteClientKeyStore(accounts.connection, () => now);
  };
  return {
    store: openStore(),
    setNow: (ms) => (now = ms),
    reopen: async () => openStore(),
    async close() {
      for (const store of opened) await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
});

describe('SqliteClientKeyStore on disk', () => {
  it('keeps the hash and prefix, never the secret', async () => {
    const home = mkdtempSync(join(tmpdir(), 'byokey-keys-'));
    const accounts = SqliteAccountStore.open({ home, env: {} });
    try {
      const minted = mintSecret();
      await new SqliteClientKeyStore(accounts.connection).create({ name: 'team-a', prefix: minted.prefix, secretHash: minted.secretHash });
      accounts.connection.pragma('wal_checkpoint(TRUNCATE)');
      const bytes = readdirSync(home).map((file) => readFileSync(join(home, file)).toString('latin1')).join('');
      expect(bytes).toContain(minted.secretHash);
      expect(bytes).not.toContain(minted.secret);
      expect(bytes).not.toContain(minted.secret.slice(12));
    } finally {
      await accounts.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
