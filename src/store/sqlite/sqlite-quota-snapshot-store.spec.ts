// The SQLite QuotaSnapshotStore, and the channel on it, on a real database file in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeQuotaSnapshotStoreContract } from '../quota-snapshot-store.contract';
import { SqliteAccountStore } from './sqlite-account-store';
import { SqliteQuotaSnapshotStore } from './sqlite-quota-snapshot-store';

const env = { BYOKEY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') };

function openOn(home: string) {
  const accounts = SqliteAccountStore.open({ home, env });
  return { accounts, store: new SqliteQuotaSnapshotStore(accounts.connection) };
}

describeQuotaSnapshotStoreContract('SqliteQuotaSnapshotStore', async () => {
  const home = mkdtempSync(join(tmpdir(), 'byokey-quota-'));
  let opened = openOn(home);
  return {
    ...opened,
    async reopen() {
      await opened.accounts.close();
      opened = openOn(home);
      return opened;
    },
    async close() {
      await opened.accounts.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
});
