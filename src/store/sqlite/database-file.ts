// Opening $BYOKEY_HOME/byokey.db safely: recognise a file that is not a (byokey) SQLite database
// and refuse it without writing a byte, read what the store needs to know before it touches
// anything, and keep the file readable by its owner only.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync, readSync, statSync } from 'node:fs';
import { describeError, errorCode } from '../error-code';
import { StoreError } from '../store-error';
import { readKeyCheck } from './key-check';
import { assertSchemaKnown } from './migrations';

export const DATABASE_FILE = 'byokey.db';

/** Every SQLite 3 database file starts with these 16 bytes (sqlite.org/fileformat.html). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export type DatabaseFileKind =
  /** No file yet. */
  | 'absent'
  /** A zero-byte file: SQLite treats it as a new, empty database. */
  | 'empty'
  /** Starts like a SQLite database (whether it is an intact one is checked once it is open). */
  | 'sqlite';

/** What an existing database holds that decides how the secret key is handled. */
export interface DatabaseState {
  /** The sealed key-check value from meta, when the database has one. */
  keyCheck?: Buffer;
  accountCount: number;
}

export const EMPTY_DATABASE_STATE: DatabaseState = { accountCount: 0 };

/** Looks at the file without opening it in SQLite, which could write to it. */
export function inspectDatabaseFile(path: string): DatabaseFileKind {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new StoreError(`${path} is not a regular file, so it cannot be the byokey database.`);
    size = stat.size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'absent';
    if (error instanceof StoreError) throw error;
    throw cannotOpen(path, error);
  }
  if (size === 0) return 'empty';
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let read = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw cannotOpen(path, error);
  }
  if (read < SQLITE_HEADER.length || !header.equals(SQLITE_HEADER)) {
    throw new StoreError(
      `${path} is not a SQLite database, so it cannot be the byokey database. Nothing was changed; move it ` +
        `aside (or point BYOKEY_HOME elsewhere) to start a new one.`,
    );
  }
  return 'sqlite';
}

/**
 * Opens a connection. With `create`, first creates the file with mode 0600 (SQLite would use
 * 0644): the -wal and -shm files SQLite makes later copy the database file's mode.
 */
export function connect(path: string, options: { create: boolean; busyTimeoutMs: number }): Database.Database {
  if (options.create) {
    try {
      closeSync(openSync(path, 'wx', 0o600));
    } catch (error) {
      // Another process created it since we looked: open theirs, the migrations and key check
      // are safe to race.
      if (errorCode(error) !== 'EEXIST') throw cannotOpen(path, error);
    }
  }
  try {
    // `timeout` is SQLite's busy_timeout: a CLI command waits for a running server's write to
    // finish instead of failing with SQLITE_BUSY.
    return new Database(path, { fileMustExist: true, timeout: options.busyTimeoutMs });
  } catch (error) {
    throw cannotOpen(path, error);
  }
}

/**
 * Reads, without writing, whether the database is intact, is byokey's, has a schema this build
 * knows, and what it holds. Every failure here means nothing was changed.
 */
export function readDatabaseState(db: Database.Database, path: string): DatabaseState {
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new StoreError(`The database ${path} is damaged (${String(check)}). Nothing was changed.`);
    }
    const tables = new Set(
      db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(),
    );
    if (tables.size > 0 && !tables.has('schema_migrations')) {
      throw new StoreError(
        `${path} is a SQLite database but not a byokey one (it has no schema_migrations table). Nothing was changed.`,
      );
    }
    assertSchemaKnown(db, path);
    const state: DatabaseState = { accountCount: 0 };
    if (tables.has('meta')) {
      const keyCheck = readKeyCheck(db);
      if (keyCheck) state.keyCheck = keyCheck;
    }
    if (tables.has('accounts')) {
      state.accountCount = db.prepare<[], number>('SELECT count(*) FROM accounts').pluck().get() ?? 0;
    }
    return state;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw cannotOpen(path, error);
  }
}

/**
 * Tightens an existing database (and its -wal/-shm companions) to 0600. We fix this one rather
 * than refuse, unlike the key file: the tokens in it are encrypted, and a copy or a restore from
 * backup commonly loosens the mode; the labels and claims in it are still nobody else's business.
 */
export function restrictToOwner(path: string): void {
  if (process.platform === 'win32') return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = statSync(file).mode & 0o777;
      if ((mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue;
      throw new StoreError(
        `${file} can be read by other users and its mode could not be changed (${describeError(error)}); ` +
          `run \`chmod 600 ${file}\`.`,
        { cause: error },
      );
    }
  }
}

function cannotOpen(path: string, error: unknown): StoreError {
  return new StoreError(
    `Cannot open the database ${path} (${describeError(error)}). Nothing was changed.`,
    { cause: error },
  );
}
