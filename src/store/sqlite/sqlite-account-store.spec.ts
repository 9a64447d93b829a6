// The SQLite account store against real files in a temporary BYOKEY_HOME: every method's
// behaviour, what is on disk, what is refused (and left untouched), and two stores sharing one
// file the way a CLI and a running server do.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewAccount } from '../account';
import { SECRET_KEY_ENV } from '../secret-key';
import { StoreError } from '../store-error';
import { latestVersion, MIGRATIONS } from './migrations';
import { SqliteAccountStore, type SqliteAccountStoreOptions } from './sqlite-account-store';

const ACCESS = 'at-SECRET-access-token-7f3a9c';
const REFRESH = 'rt-SECRET-refresh-token-1b2d4e';
const ID_TOKEN = 'eyJhbGciOi.SECRET-id-token.5c6d';
const SECRETS = [ACCESS, REFRESH, ID_TOKEN];

const T0 = 1_750_000_000_000;

function login(accountId: string, overrides: Partial<NewAccount> = {}): NewAccount {
  return {
    provider: 'codex',
    accountId,
    label: `${accountId}@example.com`,
    tokens: { accessToken: `${ACCESS}-${accountId}`, refreshToken: `${REFRESH}-${accountId}`, idToken: ID_TOKEN },
    expiresAt: T0 + 3_600_000,
    claims: { chatgpt_account_id: `acct-${accountId}`, plan: 'plus' },
    ...overrides,
  };
}

describe('SqliteAccountStore', () => {
  let home: string;
  let dbPath: string;
  let clock: number;
  let opened: SqliteAccountStore[];

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-store-'));
    dbPath = join(home, 'byokey.db');
    clock = T0;
    opened = [];
  });

  afterEach(async () => {
    for (const store of opened) await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  function open(options: Partial<SqliteAccountStoreOptions> = {}): SqliteAccountStore {
    const store = SqliteAccountStore.open({ home, env: {}, now: () => clock, ...options });
    opened.push(store);
    return store;
  }

  /** Another connection to the file, as a person with the sqlite3 CLI would have. */
  function withRaw<T>(use: (db: Database.Database) => T): T {
    const db = new Database(dbPath, { fileMustExist: true });
    try {
      return use(db);
    } finally {
      db.close();
    }
  }

  function openError(options: Partial<SqliteAccountStoreOptions> = {}): StoreError {
    try {
      open(options);
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      return error as StoreError;
    }
    throw new Error('expected open() to throw a StoreError');
  }

  async function rejection(promise: Promise<unknown>): Promise<StoreError> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      return error as StoreError;
    }
    throw new Error('expected a StoreError, the promise resolved');
  }

  function expectNoSecret(error: Error): void {
    const text = `${error.message} ${String(error.cause)}`;
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }

  /** Everything in the home directory, name → bytes, to show a refusal changed nothing. */
  function snapshot(): Map<string, Buffer> {
    return new Map(readdirSync(home).map((name) => [name, readFileSync(join(home, name))]));
  }

  const mode = (path: string) => statSync(path).mode & 0o777;

  describe('accounts', () => {
    it('saves an account and reads it back; the first of a provider is its default', async () => {
      const store = open();
      const saved = await store.save(login('work'));
      expect(saved).toEqual({
        provider: 'codex',
        accountId: 'work',
        label: 'work@example.com',
        isDefault: true,
        status: 'active',
        tokens: { accessToken: `${ACCESS}-work`, refreshToken: `${REFRESH}-work`, idToken: ID_TOKEN },
        expiresAt: T0 + 3_600_000,
        claims: { chatgpt_account_id: 'acct-work', plan: 'plus' },
        createdAt: T0,
        updatedAt: T0,
        version: 1,
      });
      expect(await store.get('codex', 'work')).toEqual(saved);
      expect(await store.getDefault('codex')).toEqual(saved);
    });

    it('stores the optional fields as absent', async () => {
      const store = open();
      const saved = await store.save({ provider: 'claude', accountId: 'default', tokens: { accessToken: 'a' } });
      expect(saved).toEqual({
        provider: 'claude',
        accountId: 'default',
        isDefault: true,
        status: 'active',
        tokens: { accessToken: 'a' },
        claims: {},
        createdAt: T0,
        updatedAt: T0,
        version: 1,
      });
    });

    it('does not make a second account the default; unknown names are undefined', async () => {
      const store = open();
      await store.save(login('work'));
      clock += 1000;
      const home2 = await store.save(login('home'));
      expect(home2.isDefault).toBe(false);
      expect((await store.getDefault('codex'))?.accountId).toBe('work');
      expect(await store.get('codex', 'nobody')).toBeUndefined();
      expect(await store.get('claude', 'work')).toBeUndefined();
      expect(await store.getDefault('claude')).toBeUndefined();
    });

    it('treats a save of an existing name as a fresh login', async () => {
      const store = open();
      await store.save(login('work'));
      await store.save(login('home'));
      await store.setStatus('codex', 'home', 'needs_relogin', 'invalid_grant');
      clock += 60_000;

      const again = await store.save({
        provider: 'codex',
        accountId: 'home',
        tokens: { accessToken: 'new-access' },
        expiresAt: T0 + 7_200_000,
      });
      expect(again).toEqual({
        provider: 'codex',
        accountId: 'home',
        label: 'home@example.com', // kept: the new login did not say
        isDefault: false, // kept
        status: 'active',
        tokens: { accessToken: 'new-access' }, // replaced whole: the old refresh token belongs to the old login
        expiresAt: T0 + 7_200_000,
        claims: { chatgpt_account_id: 'acct-home', plan: 'plus' }, // kept: the new login did not say
        createdAt: T0,
        updatedAt: T0 + 60_000,
        version: 2,
      });

      const relabelled = await store.save(login('work', { label: 'new@example.com', claims: { plan: 'pro' } }));
      expect(relabelled).toMatchObject({ label: 'new@example.com', claims: { plan: 'pro' }, isDefault: true, version: 2 });
      expect(await store.list('codex')).toHaveLength(2);
    });

    it('lists by provider, then the default first, then by account id', async () => {
      const store = open();
      for (const [provider, accountId] of [
        ['codex', 'm'],
        ['claude', 'z'],
        ['codex', 'b'],
        ['codex', 'x'],
        ['claude', 'a'],
      ]) {
        await store.save(login(accountId, { provider }));
      }
      const ids = (accounts: { provider: string; accountId: string }[]) => accounts.map((a) => `${a.provider}/${a.accountId}`);
      expect(ids(await store.list())).toEqual(['claude/z', 'claude/a', 'codex/m', 'codex/b', 'codex/x']);
      expect(ids(await store.list('codex'))).toEqual(['codex/m', 'codex/b', 'codex/x']);
      await store.setDefault('codex', 'x');
      expect(ids(await store.list('codex'))).toEqual(['codex/x', 'codex/b', 'codex/m']);
      expect(await store.list('gemini')).toEqual([]);
    });

    describe('updateTokens', () => {
      it('writes new tokens, keeping what the update leaves out, and merges claims', async () => {
        const store = open();
        await store.save(login('work'));
        await store.setStatus('codex', 'work', 'disabled');
        clock += 5000;

        const updated = await store.updateTokens('codex', 'work', { accessToken: 'access-2', claims: { plan: 'pro' } });
        expect(updated).toEqual({
          provider: 'codex',
          accountId: 'work',
          label: 'work@example.com',
          isDefault: true,
          status: 'disabled', // a refresh does not change the status
          tokens: { accessToken: 'access-2', refreshToken: `${REFRESH}-work`, idToken: ID_TOKEN },
          expiresAt: T0 + 3_600_000,
          claims: { chatgpt_account_id: 'acct-work', plan: 'pro' },
          createdAt: T0,
          refreshedAt: T0 + 5000,
          updatedAt: T0 + 5000,
          version: 2,
        });
        expect(await store.get('codex', 'work')).toEqual(updated);

        const rotated = await store.updateTokens('codex', 'work', {
          accessToken: 'access-3',
          refreshToken: 'refresh-3',
          idToken: 'id-3',
          expiresAt: T0 + 9_000_000,
        });
        expect(rotated?.tokens).toEqual({ accessToken: 'access-3', refreshToken: 'refresh-3', idToken: 'id-3' });
        expect(rotated?.expiresAt).toBe(T0 + 9_000_000);
        expect(rotated?.version).toBe(3);
      });

      it('is a compare-and-set with expectedVersion: a stale writer gets undefined and changes nothing', async () => {
        const store = open();
        const read = await store.save(login('work'));

        const first = await store.updateTokens('codex', 'work', { accessToken: 'winner', refreshToken: 'r-winner' }, read.version);
        expect(first?.version).toBe(read.version + 1);

        const second = await store.updateTokens('codex', 'work', { accessToken: 'loser', refreshToken: 'r-loser' }, read.version);
        expect(second).toBeUndefined();
        const stored = await store.get('codex', 'work');
        expect(stored?.tokens).toMatchObject({ accessToken: 'winner', refreshToken: 'r-winner' });
        expect(stored?.version).toBe(read.version + 1);

        // A login between a refresher's read and its write wins too.
        await store.save(login('work'));
        expect(await store.updateTokens('codex', 'work', { accessToken: 'late' }, first?.version)).toBeUndefined();
        expect((await store.get('codex', 'work'))?.tokens.accessToken).toBe(`${ACCESS}-work`);
      });

      it('returns undefined for an unknown account', async () => {
        const store = open();
        expect(await store.updateTokens('codex', 'nobody', { accessToken: 'x' })).toBeUndefined();
        expect(await store.list()).toEqual([]);
      });
    });

    it('sets and clears the status and its reason', async () => {
      const store = open();
      await store.save(login('work'));
      clock += 10;
      await store.setStatus('codex', 'work', 'needs_relogin', 'refresh refused: invalid_grant');
      expect(await store.get('codex', 'work')).toMatchObject({
        status: 'needs_relogin',
        statusReason: 'refresh refused: invalid_grant',
        updatedAt: T0 + 10,
        version: 1, // not a token write
      });
      await store.setStatus('codex', 'work', 'disabled');
      const disabled = await store.get('codex', 'work');
      expect(disabled?.status).toBe('disabled');
      expect(disabled).not.toHaveProperty('statusReason');

      await store.setStatus('codex', 'nobody', 'disabled');
      expect(await store.list()).toHaveLength(1);
    });

    it('with an expected version, sets the status only for the tokens it was about', async () => {
      const store = open();
      const first = await store.save(login('work'));
      // A fresh login rewrites the tokens after a refresh of the old ones was refused...
      const relogin = await store.save(login('work'));
      expect(relogin.version).toBeGreaterThan(first.version);
      // ...so marking the old tokens' account as needing a login must not stick.
      expect(await store.setStatus('codex', 'work', 'needs_relogin', 'invalid_grant', first.version)).toBe(false);
      expect((await store.get('codex', 'work'))?.status).toBe('active');
      expect(await store.setStatus('codex', 'work', 'needs_relogin', 'invalid_grant', relogin.version)).toBe(true);
      expect((await store.get('codex', 'work'))?.status).toBe('needs_relogin');
    });

    it('moves the default within one provider only; false for an unknown account', async () => {
      const store = open();
      await store.save(login('work'));
      await store.save(login('home'));
      await store.save(login('other', { provider: 'claude' }));

      expect(await store.setDefault('codex', 'home')).toBe(true);
      const codex = await store.list('codex');
      expect(codex.filter((a) => a.isDefault).map((a) => a.accountId)).toEqual(['home']);
      expect((await store.getDefault('claude'))?.accountId).toBe('other');

      expect(await store.setDefault('codex', 'nobody')).toBe(false);
      expect((await store.getDefault('codex'))?.accountId).toBe('home');
      expect(await store.setDefault('codex', 'home')).toBe(true);
      expect((await store.list('codex')).filter((a) => a.isDefault)).toHaveLength(1);
    });

    describe('remove', () => {
      it('promotes the oldest remaining account when the default goes', async () => {
        const store = open();
        // Created in this order, so "oldest" and "first by name" differ.
        await store.save(login('zeta'));
        clock += 1;
        await store.save(login('beta'));
        clock += 1;
        await store.save(login('alpha'));

        expect(await store.remove('codex', 'zeta')).toBe(true);
        expect(await store.get('codex', 'zeta')).toBeUndefined();
        expect((await store.getDefault('codex'))?.accountId).toBe('beta');

        expect(await store.remove('codex', 'alpha')).toBe(true);
        expect((await store.getDefault('codex'))?.accountId).toBe('beta');

        expect(await store.remove('codex', 'beta')).toBe(true);
        expect(await store.getDefault('codex')).toBeUndefined();
        expect(await store.remove('codex', 'beta')).toBe(false);

        // The provider starts over: the next login is its default again.
        expect((await store.save(login('fresh'))).isDefault).toBe(true);
      });

      it('leaves the default alone when another account goes', async () => {
        const store = open();
        await store.save(login('work'));
        await store.save(login('home'));
        expect(await store.remove('codex', 'home')).toBe(true);
        expect((await store.getDefault('codex'))?.accountId).toBe('work');
        expect(await store.list()).toHaveLength(1);
      });
    });
  });

  describe('refresh lease', () => {
    it('is held by one holder at a time across two stores on one file, until released or expired', async () => {
      const server = open();
      const cli = open();
      await server.save(login('work'));

      expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(true);
      expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(false);
      // Someone else's release does not free it.
      await cli.releaseRefreshLease('codex', 'work', 'cli');
      expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(false);
      // The holder may renew.
      clock += 20_000;
      expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(true);
      clock += 20_000; // past the first lease, within the renewed one
      expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(false);

      await server.releaseRefreshLease('codex', 'work', 'server');
      expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(true);
      expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(false);

      clock += 30_000; // the cli's lease expires without a release (a crashed process)
      expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(true);
    });

    it('has exactly one winner among many simultaneous attempts', async () => {
      const a = open();
      const b = open();
      await a.save(login('work'));
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).acquireRefreshLease('codex', 'work', `holder-${i}`, 30_000),
      );
      expect((await Promise.all(attempts)).filter(Boolean)).toHaveLength(1);
    });

    it('is per account, refused for an unknown one, and leaves tokens and version alone', async () => {
      const store = open();
      await store.save(login('work'));
      await store.save(login('home'));
      expect(await store.acquireRefreshLease('codex', 'work', 'x', 1000)).toBe(true);
      expect(await store.acquireRefreshLease('codex', 'home', 'y', 1000)).toBe(true);
      expect(await store.acquireRefreshLease('codex', 'nobody', 'x', 1000)).toBe(false);
      expect(await store.get('codex', 'work')).toMatchObject({ version: 1, tokens: { accessToken: `${ACCESS}-work` } });
    });

    it('rejects a ttl that is not a positive number', async () => {
      const store = open();
      await store.save(login('work'));
      await expect(store.acquireRefreshLease('codex', 'work', 'x', 0)).rejects.toThrow(RangeError);
      await expect(store.acquireRefreshLease('codex', 'work', 'x', Number.NaN)).rejects.toThrow(RangeError);
    });
  });

  describe('refresh lease heartbeat and takeover', () => {
    it('records holder, expiry and heartbeat; the holder renews it, nobody else can', async () => {
      const a = open();
      const b = open();
      await a.save(login('work'));
      expect(await a.getRefreshLease('codex', 'work')).toBeUndefined();

      expect(await a.acquireRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(true);
      expect(await b.getRefreshLease('codex', 'work')).toEqual({ holder: 'host:1:a', until: T0 + 15_000, heartbeatAt: T0 });

      clock += 5_000;
      expect(await a.renewRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(true);
      expect(await b.getRefreshLease('codex', 'work')).toEqual({ holder: 'host:1:a', until: T0 + 20_000, heartbeatAt: T0 + 5_000 });
      // Renewing is the holder's alone, and does not take a lease someone else holds.
      expect(await b.renewRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(false);
      clock += 14_000; // past the first expiry, within the renewed one
      expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(false);

      // The heartbeat stops: the lease runs out and is anyone's; the old holder cannot renew it back.
      clock += 1_000;
      expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(true);
      expect(await a.renewRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(false);
      expect((await a.getRefreshLease('codex', 'work'))?.holder).toBe('host:2:b');

      await b.releaseRefreshLease('codex', 'work', 'host:2:b');
      expect(await a.getRefreshLease('codex', 'work')).toBeUndefined();
      expect(await a.renewRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(false);
    });

    it('is taken over before it expires only from the holder named as gone', async () => {
      const a = open();
      const b = open();
      await a.save(login('work'));
      expect(await a.acquireRefreshLease('codex', 'work', 'host:1:dead', 15_000)).toBe(true);

      expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000, 'host:1:someone-else')).toBe(false);
      expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000, 'host:1:dead')).toBe(true);
      // A second caller that also saw the dead holder finds the lease no longer its to take.
      expect(await a.acquireRefreshLease('codex', 'work', 'host:3:c', 15_000, 'host:1:dead')).toBe(false);
      expect((await a.getRefreshLease('codex', 'work'))?.holder).toBe('host:2:b');
    });

    it('rejects a renewal ttl that is not a positive number', async () => {
      const store = open();
      await store.save(login('work'));
      await store.acquireRefreshLease('codex', 'work', 'x', 1000);
      await expect(store.renewRefreshLease('codex', 'work', 'x', -1)).rejects.toThrow(RangeError);
    });

    it('keeps working on a database from before heartbeats, honouring a lease taken there', async () => {
      const first = open();
      await first.save(login('work'));
      await first.close();
      // Back to what the previous byokey left: schema version 1, a lease with its 60 s expiry.
      withRaw((db) => {
        db.exec('DELETE FROM schema_migrations WHERE version >= 2; ALTER TABLE accounts DROP COLUMN refresh_lease_heartbeat_at');
        // …and nothing of the later migrations (3: client keys, 5: runtime provider changes).
        db.exec("DROP TABLE client_keys; DELETE FROM meta WHERE key = 'client_keys_revision'");
        db.exec('DROP TABLE provider_runtime_keys; DROP TABLE provider_overrides; DROP TABLE usage_records');
        db.prepare("UPDATE accounts SET refresh_lease_holder = 'byokey-4242-x', refresh_lease_until = ?").run(T0 + 60_000);
      });

      const store = open();
      expect((await store.get('codex', 'work'))?.tokens.accessToken).toBe(`${ACCESS}-work`);
      expect(await store.getRefreshLease('codex', 'work')).toEqual({ holder: 'byokey-4242-x', until: T0 + 60_000 });
      expect(await store.acquireRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(false);
      clock = T0 + 60_000;
      expect(await store.acquireRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(true);
      expect(withRaw((db) => db.prepare('SELECT max(version) AS v FROM schema_migrations').get())).toEqual({ v: latestVersion() });
    });
  });

  describe('two stores on one file', () => {
    it('see each other’s writes at once', async () => {
      const server = open();
      const cli = open();
      await cli.save(login('work'));
      expect((await server.get('codex', 'work'))?.label).toBe('work@example.com');
      await server.updateTokens('codex', 'work', { accessToken: 'refreshed' });
      expect((await cli.get('codex', 'work'))?.tokens.accessToken).toBe('refreshed');
    });
  });

  describe('on disk', () => {
    it('keeps everything across close and reopen', async () => {
      const first = open();
      await first.save(login('work'));
      await first.save(login('home', { provider: 'claude' }));
      await first.updateTokens('codex', 'work', { accessToken: 'access-2' });
      await first.setStatus('claude', 'home', 'needs_relogin', 'expired');
      await first.acquireRefreshLease('codex', 'work', 'first', 60_000);
      const before = await first.list();
      await first.close();

      const second = open();
      expect(await second.list()).toEqual(before);
      // The lease is on disk too.
      expect(await second.acquireRefreshLease('codex', 'work', 'second', 60_000)).toBe(false);
    });

    it('runs the migrations once', async () => {
      await open().close();
      const recorded = () => withRaw((db) => db.prepare('SELECT version, name, applied_at FROM schema_migrations').all());
      const first = recorded();
      expect(first).toHaveLength(MIGRATIONS.length);
      clock += 1000;
      await open().close();
      expect(recorded()).toEqual(first);
    });

    it('never writes a token in plaintext, in the database or its WAL', async () => {
      const store = open();
      await store.save(login('work'));
      await store.updateTokens('codex', 'work', { accessToken: `${ACCESS}-2`, refreshToken: `${REFRESH}-2` });
      const files = () => readdirSync(home).filter((name) => name.startsWith('byokey.db'));
      const contains = (text: string) => files().some((name) => readFileSync(join(home, name)).includes(Buffer.from(text)));

      expect(files()).toContain('byokey.db-wal');
      // The search works: the non-secret label is there in plaintext.
      expect(contains('work@example.com')).toBe(true);
      for (const secret of [...SECRETS, `${ACCESS}-2`, `${REFRESH}-2`]) expect(contains(secret)).toBe(false);

      await store.close(); // checkpoints the WAL into the database file
      expect(readFileSync(dbPath).includes(Buffer.from('work@example.com'))).toBe(true);
      for (const secret of SECRETS) expect(readFileSync(dbPath).includes(Buffer.from(secret))).toBe(false);
    });

    it('creates byokey.db, its WAL files and secret.key with mode 0600, and leaves the home dir as it was', async () => {
      if (process.platform === 'win32') return;
      chmodSync(home, 0o750);
      const store = open();
      await store.save(login('work'));
      expect(mode(dbPath)).toBe(0o600);
      expect(mode(`${dbPath}-wal`)).toBe(0o600);
      expect(mode(`${dbPath}-shm`)).toBe(0o600);
      expect(mode(join(home, 'secret.key'))).toBe(0o600);
      expect(mode(home)).toBe(0o750);
      expect(store.databasePath).toBe(dbPath);
      expect(store.keySource).toBe(join(home, 'secret.key'));
    });

    it('tightens an existing database that others can read to 0600', async () => {
      if (process.platform === 'win32') return;
      await open().close();
      chmodSync(dbPath, 0o644);
      open();
      expect(mode(dbPath)).toBe(0o600);
    });

    it('uses WAL mode', async () => {
      const store = open();
      await store.save(login('work'));
      expect(withRaw((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    });

    it('waits for another process that holds the write lock instead of failing', async () => {
      const store = open();
      // Another process (a server mid-refresh) takes the write lock and keeps it for a while.
      const holder = `
        const Database = require(process.argv[1]);
        const db = new Database(process.argv[2]);
        db.exec('BEGIN IMMEDIATE');
        db.prepare("INSERT INTO meta (key, value) VALUES ('other-process', 'was here')").run();
        process.stdout.write('locked\\n');
        setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);`;
      const child = spawn(process.execPath, ['-e', holder, require.resolve('better-sqlite3'), dbPath], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
        child.on('exit', () => reject(new Error('the lock holder exited before taking the lock')));
      });

      const started = Date.now();
      await store.save(login('work'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(await exited).toBe(0);
      expect((await store.get('codex', 'work'))?.accountId).toBe('work');
      expect(withRaw((db) => db.prepare("SELECT value FROM meta WHERE key = 'other-process'").pluck().get())).toBe('was here');
    });
  });

  describe('BYOKEY_SECRET_KEY', () => {
    const key = randomBytes(32).toString('base64');

    it('encrypts with the key from the environment and creates no key file', async () => {
      const first = open({ env: { [SECRET_KEY_ENV]: key } });
      expect(first.keySource).toBe(SECRET_KEY_ENV);
      await first.save(login('work'));
      await first.close();
      expect(readdirSync(home)).not.toContain('secret.key');

      const second = open({ env: { [SECRET_KEY_ENV]: key } });
      expect((await second.get('codex', 'work'))?.tokens.accessToken).toBe(`${ACCESS}-work`);
    });

    it('refuses a different key before touching any account, changing nothing', async () => {
      const first = open({ env: { [SECRET_KEY_ENV]: key } });
      await first.save(login('work'));
      await first.close();
      const before = snapshot();

      const error = openError({ env: { [SECRET_KEY_ENV]: randomBytes(32).toString('hex') } });
      expect(error.message).toBe(
        `The secret key (from BYOKEY_SECRET_KEY) does not match the database ${dbPath}: its accounts were ` +
          `encrypted with another key. Set BYOKEY_SECRET_KEY to that key or restore the key file it was created ` +
          `with. Nothing was changed.`,
      );
      expect(snapshot()).toEqual(before);
    });

    it('refuses a malformed key, naming the variable and changing nothing', () => {
      const error = openError({ env: { [SECRET_KEY_ENV]: 'not-a-key' } });
      expect(error.message).toMatch(/^BYOKEY_SECRET_KEY is not a valid key: expected 32 bytes/);
      expect(readdirSync(home)).toEqual([]);
    });

    it('refuses to fall back to a new key file when the variable is dropped', async () => {
      const first = open({ env: { [SECRET_KEY_ENV]: key } });
      await first.save(login('work'));
      await first.close();
      const before = snapshot();

      expect(openError({ env: {} }).message).toMatch(/secret key is missing/);
      expect(snapshot()).toEqual(before);
    });
  });

  describe('refusals', () => {
    it('refuses a file that is not a SQLite database, naming it and leaving it byte for byte', () => {
      const garbage = Buffer.concat([Buffer.from('this is not a database\n'), randomBytes(5000)]);
      writeFileSync(dbPath, garbage, { mode: 0o644 });

      const error = openError();
      expect(error.message).toBe(
        `${dbPath} is not a SQLite database, so it cannot be the byokey database. Nothing was changed; move it ` +
          `aside (or point BYOKEY_HOME elsewhere) to start a new one.`,
      );
      expect(readFileSync(dbPath).equals(garbage)).toBe(true);
      expect(readdirSync(home)).toEqual(['byokey.db']); // no key file, no WAL
      expect(mode(dbPath)).toBe(0o644);
    });

    it('refuses a file with a SQLite header and a garbage body, leaving it unchanged', () => {
      const garbage = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), randomBytes(8192)]);
      writeFileSync(dbPath, garbage);
      const error = openError();
      expect(error.message).toContain(dbPath);
      expect(error.message).toContain('Nothing was changed');
      expect(readFileSync(dbPath).equals(garbage)).toBe(true);
      expect(readdirSync(home)).not.toContain('secret.key');
    });

    it('refuses a damaged byokey database (truncated), leaving it unchanged', async () => {
      const store = open();
      for (let i = 0; i < 50; i++) await store.save(login(`account-${i}`, { label: 'x'.repeat(500) }));
      await store.close();
      const pageSize = withRaw((db) => db.pragma('page_size', { simple: true }) as number);
      truncateSync(dbPath, pageSize * 2);
      const before = snapshot();

      const error = openError();
      expect(error.message).toMatch(new RegExp(`${dbPath}.*(damaged|malformed|not a database)`));
      expect(error.message).toContain('Nothing was changed');
      expect(snapshot()).toEqual(before);
    });

    it('refuses another program’s SQLite database', () => {
      withRawCreate(dbPath, (db) => db.exec('CREATE TABLE notes (body TEXT)'));
      const before = snapshot();
      expect(openError().message).toMatch(/is a SQLite database but not a byokey one/);
      expect(snapshot()).toEqual(before);
    });

    it('refuses a database written by a newer byokey, leaving it unchanged', async () => {
      await open().close();
      withRaw((db) => db.prepare("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)").run());
      const before = snapshot();
      expect(openError().message).toBe(
        `The database ${dbPath} was written by a newer byokey (schema version 999; this build knows up to ` +
          `${latestVersion()}). Upgrade byokey to use it. Nothing was changed.`,
      );
      expect(snapshot()).toEqual(before);
    });

    it('refuses to replace a missing key file when accounts exist, changing nothing', async () => {
      const store = open();
      await store.save(login('work'));
      await store.close();
      rmSync(join(home, 'secret.key'));
      const before = snapshot();

      const error = openError();
      expect(error.message).toMatch(/^The secret key is missing: BYOKEY_SECRET_KEY is not set and .*secret\.key does not exist/);
      expect(error.message).toMatch(/A new key is not created, because it could not decrypt the stored accounts/);
      expect(snapshot()).toEqual(before);
    });

    it('refuses to replace a missing key file even before the first account (the key check holds it)', async () => {
      await open().close();
      rmSync(join(home, 'secret.key'));
      expect(openError().message).toMatch(/secret key is missing/);
      expect(readdirSync(home)).not.toContain('secret.key');
    });

    it('creates a key for an empty database file', async () => {
      writeFileSync(dbPath, '', { mode: 0o600 });
      const store = open();
      await store.save(login('work'));
      expect(readdirSync(home)).toContain('secret.key');
    });

    it('refuses a key file holding another key, before any account is read', async () => {
      const store = open();
      await store.save(login('work'));
      await store.close();
      writeFileSync(join(home, 'secret.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
      const before = snapshot();
      expect(openError().message).toMatch(/^The secret key \(from .*secret\.key\) does not match the database/);
      expect(snapshot()).toEqual(before);
    });

    it('refuses tampered or moved ciphertext without printing a token', async () => {
      const store = open();
      await store.save(login('work'));
      await store.save(login('home'));

      withRaw((db) => {
        const row = db.prepare<[], { tokens: Buffer }>("SELECT tokens FROM accounts WHERE account_id = 'work'").get();
        const tampered = Buffer.from(row!.tokens);
        tampered[tampered.length - 1] ^= 0xff;
        db.prepare("UPDATE accounts SET tokens = ? WHERE account_id = 'work'").run(tampered);
        // Copy home's (intact) ciphertext onto another row: it must not decrypt there.
        db.prepare(
          `INSERT INTO accounts (provider, account_id, is_default, tokens, claims, created_at, updated_at)
           SELECT 'claude', account_id, 1, tokens, claims, created_at, updated_at FROM accounts
           WHERE provider = 'codex' AND account_id = 'home'`,
        ).run();
      });

      for (const attempt of [
        store.get('codex', 'work'),
        store.getDefault('codex'),
        store.list(),
        store.updateTokens('codex', 'work', { accessToken: 'x' }),
        store.get('claude', 'home'),
      ]) {
        const error = await rejection(attempt);
        expect(error.message).toMatch(
          /^Cannot decrypt the tokens of account (codex\/work|claude\/home): the secret key does not match .* or the data is corrupt\.$/,
        );
        expectNoSecret(error);
      }
      // The intact account is still readable.
      expect((await store.get('codex', 'home'))?.tokens.accessToken).toBe(`${ACCESS}-home`);
    });

    it('refuses a home directory that does not exist, creating nothing', () => {
      const missing = join(home, 'nope');
      expect(openError({ home: missing }).message).toMatch(/The byokey home .*nope cannot be used \(ENOENT\); create it first/);
      expect(readdirSync(home)).toEqual([]);
    });
  });

  function withRawCreate(path: string, use: (db: Database.Database) => void): void {
    const db = new Database(path);
    try {
      use(db);
    } finally {
      db.close();
    }
  }
});
