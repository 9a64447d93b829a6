// Loads the 32-byte key that encrypts account tokens at rest: from BYOKEY_SECRET_KEY when it is
// set, else from $BYOKEY_HOME/secret.key, which is created (mode 0600) only when the caller says
// nothing has been encrypted yet. An existing key file is never overwritten. During a key
// rotation, the key rotated away from is read too (BYOKEY_SECRET_KEY_PREVIOUS, else
// $BYOKEY_HOME/secret.key.previous): it still opens what it sealed, and is never created.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeError, errorCode } from './error-code';
import { StoreError } from './store-error';

export const SECRET_KEY_ENV = 'BYOKEY_SECRET_KEY';
export const SECRET_KEY_FILE = 'secret.key';
export const SECRET_KEY_BYTES = 32;
export const PREVIOUS_SECRET_KEY_ENV = 'BYOKEY_SECRET_KEY_PREVIOUS';
export const PREVIOUS_SECRET_KEY_FILE = 'secret.key.previous';

/** Far larger than any encoding of 32 bytes; stops us reading a huge file by mistake. */
const MAX_KEY_FILE_BYTES = 1024;

const EXPECTED_FORMAT =
  `${SECRET_KEY_BYTES} bytes written as base64 (44 characters, e.g. \`openssl rand -base64 32\`) ` +
  'or as 64 hex characters';

export interface SecretKey {
  key: Buffer;
  /** Where the key came from, for messages: the variable's name or the key file's path. */
  source: string;
  /** True when this call created the key file. */
  created: boolean;
}

export interface LoadSecretKeyOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /**
   * Whether a missing key file may be created. Only when nothing is encrypted yet: a new key
   * cannot decrypt what an old one wrote, so creating one then would orphan every stored token.
   */
  allowCreate: boolean;
}

/** The current key and, while a rotation is under way, the previous one. */
export interface SecretKeys {
  current: SecretKey;
  previous?: SecretKey;
}

export function secretKeyPath(home: string): string {
  return join(home, SECRET_KEY_FILE);
}

export function previousSecretKeyPath(home: string): string {
  return join(home, PREVIOUS_SECRET_KEY_FILE);
}

/** The current key (see loadSecretKey) and the previous one when it is configured. */
export function loadSecretKeys(options: LoadSecretKeyOptions): SecretKeys {
  const current = loadSecretKey(options);
  const previous = loadPreviousSecretKey(options);
  return previous ? { current, previous } : { current };
}

/**
 * The key a rotation moves away from, or undefined when none is configured: from
 * BYOKEY_SECRET_KEY_PREVIOUS when it is set (set but empty is refused, as for the current key),
 * else from $BYOKEY_HOME/secret.key.previous when that file exists. Never created.
 */
export function loadPreviousSecretKey(options: { home: string; env: NodeJS.ProcessEnv }): SecretKey | undefined {
  const fromEnv = options.env[PREVIOUS_SECRET_KEY_ENV];
  if (fromEnv !== undefined) {
    const key = decodeKey(fromEnv);
    if (!key) {
      throw new StoreError(`${PREVIOUS_SECRET_KEY_ENV} is not a valid key: expected ${EXPECTED_FORMAT}.`);
    }
    return { key, source: PREVIOUS_SECRET_KEY_ENV, created: false };
  }
  const path = previousSecretKeyPath(options.home);
  const existing = readKeyFile(path);
  return existing && { key: existing, source: path, created: false };
}

/** Where each key came from: the variable's name or the key file's path. */
export interface KeySources {
  current: string;
  previous?: string;
}

export function keySourcesOf(keys: SecretKeys): KeySources {
  return keys.previous ? { current: keys.current.source, previous: keys.previous.source } : { current: keys.current.source };
}

/**
 * The start of the message that refuses the keys for a database sealed with another key: "The
 * secret key (from …) does not match", or with a previous key "Neither … nor … matches".
 */
export function keysDoNotMatch(sources: KeySources): string {
  return sources.previous === undefined
    ? `The secret key (from ${sources.current}) does not match`
    : `Neither the secret key (from ${sources.current}) nor the previous key (from ${sources.previous}) matches`;
}

/** The end of that message: what to do when the refusal comes in the middle of a rotation. */
export const ROTATION_HINT =
  `When rotating to a new key, give every instance the old one as ${PREVIOUS_SECRET_KEY_ENV} until \`byokey rekey\` has run.`;

export function loadSecretKey(options: LoadSecretKeyOptions): SecretKey {
  const fromEnv = options.env[SECRET_KEY_ENV];
  // Set but empty counts as set: an unset `${VAR}` in a compose file should fail loudly, not
  // quietly fall back to (or create) a key file on one instance of a fleet.
  if (fromEnv !== undefined) {
    const key = decodeKey(fromEnv);
    if (!key) {
      throw new StoreError(`${SECRET_KEY_ENV} is not a valid key: expected ${EXPECTED_FORMAT}.`);
    }
    return { key, source: SECRET_KEY_ENV, created: false };
  }

  const path = secretKeyPath(options.home);
  const existing = readKeyFile(path);
  if (existing) return { key: existing, source: path, created: false };
  if (!options.allowCreate) {
    throw new StoreError(
      `The secret key is missing: ${SECRET_KEY_ENV} is not set and ${path} does not exist, but the database ` +
        `already holds data encrypted with a key. Restore that key file (or set ${SECRET_KEY_ENV} to the key). ` +
        `A new key is not created, because it could not decrypt the stored accounts.`,
    );
  }
  return createKeyFile(path);
}

/** The key in a string (base64, base64url or hex), or undefined when it is not exactly 32 bytes. */
export function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  // Node's base64 decoder skips characters it does not know, so check the alphabet first.
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  return key && key.length === SECRET_KEY_BYTES ? key : undefined;
}

/** The key in an existing key file; undefined when there is no file. */
function readKeyFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new StoreError(`Cannot read the secret key file ${path} (${describeError(error)}).`, {
      cause: error,
    });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new StoreError(`The secret key file ${path} is not a regular file.`);
    // Like ssh with a private key: refuse rather than fix, since the key may already have leaked
    // and the user should know. Windows has no such mode bits.
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new StoreError(
        `The secret key file ${path} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
          `run \`chmod 600 ${path}\` and consider the key exposed.`,
      );
    }
    if (stat.size > MAX_KEY_FILE_BYTES) throw wrongFormat(path);
    let text: string;
    try {
      text = readFileSync(fd, 'utf8');
    } catch (error) {
      throw new StoreError(`Cannot read the secret key file ${path} (${describeError(error)}).`, {
        cause: error,
      });
    }
    const key = decodeKey(text);
    if (!key) throw wrongFormat(path);
    return key;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a new random key to a temporary file and links it into place: the link fails if the
 * file appeared meanwhile (another process won the race), so an existing key is never
 * overwritten, and a crash never leaves a half-written key file behind.
 */
function createKeyFile(path: string): SecretKey {
  const key = randomBytes(SECRET_KEY_BYTES);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${key.toString('base64')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const theirs = readKeyFile(path);
      if (theirs) return { key: theirs, source: path, created: false };
      throw error;
    }
    syncDirectory(dirname(path));
    return { key, source: path, created: true };
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot create the secret key file ${path} (${describeError(error)}).`, {
      cause: error,
    });
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone, or never created.
    }
  }
}

/** Makes the new directory entry durable: losing the key after a crash would orphan every token. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported everywhere (Windows); best effort.
  }
}

function wrongFormat(path: string): StoreError {
  return new StoreError(`The secret key file ${path} does not hold a valid key: expected ${EXPECTED_FORMAT}.`);
}
