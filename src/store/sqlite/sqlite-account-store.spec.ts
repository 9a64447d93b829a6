// The SQLite account store against real files in a temporary BYOKEY_HOME: the AccountStore
// contract (account-store.contract.ts, shared with PostgreSQL), then what only a file has — what
// is on disk and with which modes, what is refused (and left untouched), a database from before
// lease heartbeats, and waiting for another process's write lock.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS, ACCOUNT_T0, describeAccountStoreContract, login, REFRESH, SECRETS } from '../account-store.contract';
import { SECRET_KEY_ENV } from '../secret-key';
import { StoreError } from '../store-error';
import { latestVersion, MIGRATIONS } from './migrations';
import { SqliteAccountStore, type SqliteAccountStoreOptions } from './sqlite-account-store';

const T0 = ACCOUNT_T0;

describeAccountStoreContract('SqliteAccountStore', async (now) => {
  const home = mkdtempSync(join(tmpdir(), 'byokey-store-'));
  const opened: SqliteAccountStore[] = [];
  return {
    async open(options = {}) {
      const store = SqliteAccountStore.open({ home, env: options.env ?? {}, now });
      opened.push(store);
      return store;
    },
    async close() {
      for (const store of opened) await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
});

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

  describe('refresh lease from before heartbeats', () => {
    it('keeps working on a database from before heartbeats, honouring a lease taken there', async () => {
      const first = open();
      await first.save(login('work'));
      await first.close();
      // Back to what the previous byokey left: schema version 1, a lease with its 60 s expiry.
      withRaw((db) => {
        db.exec('DELETE FROM schema_migrations WHERE version >= 2; ALTER TABLE accounts DROP COLUMN refresh_lease_heartbeat_at');
        // …and nothing of the later migrations (3: client keys, 5: runtime provider changes, 6: quota snapshots).
        db.exec("DROP TABLE client_keys; DELETE FROM meta WHERE key = 'client_keys_revision'");
        db.exec('DROP TABLE provider_runtime_keys; DROP TABLE provider_overrides; DROP TABLE usage_records; DROP TABLE quota_snapshots');
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

  describe('on disk', () => {
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
      // Another process (a server mid-refresh) takes the write lock and keeps it for a while: long
      // against the 200 ms shown below, so that hearing "locked" late on a busy machine still leaves a wait.
      const holder = `
        const Database = require(process.argv[1]);
        const db = new Database(process.argv[2]);
        db.exec('BEGIN IMMEDIATE');
        db.prepare("INSERT INTO meta (key, value) VALUES ('other-process', 'was here')").run();
        process.stdout.write('locked\\n');
        setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1500);`;
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
          `with. When rotating to a new key, give every instance the old one as BYOKEY_SECRET_KEY_PREVIOUS until ` +
          '`byokey rekey` has run. Nothing was changed.',
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

    it('refuses tampered or moved ciphertext without printing a token; a list leaves those accounts out and reports them', async () => {
      const reported: StoreError[] = [];
      const store = open({ onUnreadable: (error) => reported.push(error) });
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

      const unreadable = /^Cannot decrypt the tokens of account (codex\/work|claude\/home): the secret key does not match .* or the data is corrupt\.$/;
      for (const attempt of [
        () => store.get('codex', 'work'),
        () => store.getDefault('codex'),
        () => store.updateTokens('codex', 'work', { accessToken: 'x' }),
        () => store.get('claude', 'home'),
      ]) {
        const error = await rejection(attempt());
        expect(error.message).toMatch(unreadable);
        expectNoSecret(error);
      }
      // One unreadable account costs that account only: the list holds the intact one.
      expect(reported).toEqual([]);
      expect((await store.list()).map((a) => `${a.provider}/${a.accountId}`)).toEqual(['codex/home']);
      expect(reported.map((error) => error.message)).toEqual([
        expect.stringMatching(/^Cannot decrypt the tokens of account claude\/home: /),
        expect.stringMatching(/^Cannot decrypt the tokens of account codex\/work: /),
      ]);
      for (const error of reported) {
        expect(error.message).toMatch(unreadable);
        expectNoSecret(error);
      }
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
