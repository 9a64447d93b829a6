// The secret key: where it comes from, when a key file may be created, and what is refused.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeKey,
  loadPreviousSecretKey,
  loadSecretKey,
  loadSecretKeys,
  PREVIOUS_SECRET_KEY_ENV,
  previousSecretKeyPath,
  SECRET_KEY_ENV,
  secretKeyPath,
} from './secret-key';
import { StoreError } from './store-error';

describe('loadSecretKey', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-key-'));
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  function expectStoreError(load: () => unknown, message: RegExp): StoreError {
    let thrown: unknown;
    try {
      load();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).message).toMatch(message);
    return thrown as StoreError;
  }

  describe('from BYOKEY_SECRET_KEY', () => {
    const key = randomBytes(32);

    it('accepts base64, base64url and hex, and creates no file', () => {
      for (const text of [key.toString('base64'), key.toString('base64url'), key.toString('hex'), ` ${key.toString('hex')}\n`]) {
        const loaded = loadSecretKey({ home, env: { [SECRET_KEY_ENV]: text }, allowCreate: true });
        expect(loaded.key.equals(key)).toBe(true);
        expect(loaded.source).toBe(SECRET_KEY_ENV);
        expect(loaded.created).toBe(false);
      }
      expect(() => statSync(secretKeyPath(home))).toThrow(/ENOENT/);
    });

    it('wins over an existing key file', () => {
      writeFileSync(secretKeyPath(home), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
      const loaded = loadSecretKey({ home, env: { [SECRET_KEY_ENV]: key.toString('base64') }, allowCreate: false });
      expect(loaded.key.equals(key)).toBe(true);
    });

    it.each([
      ['too short', randomBytes(16).toString('base64')],
      ['too long', randomBytes(33).toString('base64')],
      ['63 hex characters', key.toString('hex').slice(1)],
      ['not an encoding', 'correct horse battery staple, definitely!'],
      ['empty', ''],
    ])('refuses a key that is %s, naming the variable and the format', (_, text) => {
      const error = expectStoreError(
        () => loadSecretKey({ home, env: { [SECRET_KEY_ENV]: text }, allowCreate: true }),
        /BYOKEY_SECRET_KEY is not a valid key: expected 32 bytes written as base64 .* or as 64 hex characters/,
      );
      if (text.length > 0) expect(error.message).not.toContain(text);
      expect(() => statSync(secretKeyPath(home))).toThrow(/ENOENT/);
    });
  });

  describe('from the key file', () => {
    it('creates a 0600 file with a random key when allowed, and reads the same key back', () => {
      const created = loadSecretKey({ home, env: {}, allowCreate: true });
      const path = secretKeyPath(home);
      expect(created).toMatchObject({ source: path, created: true });
      expect(created.key).toHaveLength(32);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toBe(`${created.key.toString('base64')}\n`);

      const again = loadSecretKey({ home, env: {}, allowCreate: true });
      expect(again.created).toBe(false);
      expect(again.key.equals(created.key)).toBe(true);
    });

    it('leaves no temporary file behind', () => {
      loadSecretKey({ home, env: {}, allowCreate: true });
      expect(readdirSync(home)).toEqual(['secret.key']);
    });

    it('does not create a missing file unless allowed, and says why', () => {
      expectStoreError(
        () => loadSecretKey({ home, env: {}, allowCreate: false }),
        /secret key is missing: BYOKEY_SECRET_KEY is not set and .*secret\.key does not exist.*A new key is not created/s,
      );
      expect(() => statSync(secretKeyPath(home))).toThrow(/ENOENT/);
    });

    it('accepts a hex key file written by hand', () => {
      const key = randomBytes(32);
      writeFileSync(secretKeyPath(home), key.toString('hex'), { mode: 0o600 });
      expect(loadSecretKey({ home, env: {}, allowCreate: true }).key.equals(key)).toBe(true);
    });

    it.each([
      ['empty', ''],
      ['16 bytes', randomBytes(16).toString('base64')],
      ['raw binary', randomBytes(32).toString('latin1')],
      ['huge', 'A'.repeat(5000)],
    ])('refuses a key file that is %s, and does not overwrite it', (_, content) => {
      const path = secretKeyPath(home);
      writeFileSync(path, content, { mode: 0o600, encoding: 'latin1' });
      const before = readFileSync(path);
      expectStoreError(() => loadSecretKey({ home, env: {}, allowCreate: true }), /does not hold a valid key: expected 32 bytes/);
      expect(readFileSync(path).equals(before)).toBe(true);
    });

    it.each([
      ['0640', 0o640],
      ['0604', 0o604],
      ['0644', 0o644],
    ])('refuses a key file with mode %s, and leaves its mode alone', (_, mode) => {
      if (process.platform === 'win32') return;
      const path = secretKeyPath(home);
      writeFileSync(path, randomBytes(32).toString('base64'));
      chmodSync(path, mode);
      expectStoreError(() => loadSecretKey({ home, env: {}, allowCreate: true }), /can be read by other users .*chmod 600/);
      expect(statSync(path).mode & 0o777).toBe(mode);
    });

    it('refuses a key file that cannot be read as a file', () => {
      mkdirSync(secretKeyPath(home));
      expectStoreError(() => loadSecretKey({ home, env: {}, allowCreate: true }), /secret\.key is not a regular file/);
    });
  });
});

describe('the previous key (rotation)', () => {
  let home: string;
  const key = randomBytes(32);

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'byokey-key-'));
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('is absent unless configured, and never created', () => {
    expect(loadPreviousSecretKey({ home, env: {} })).toBeUndefined();
    expect(loadSecretKeys({ home, env: { [SECRET_KEY_ENV]: key.toString('hex') }, allowCreate: true })).toEqual({
      current: { key, source: SECRET_KEY_ENV, created: false },
    });
    expect(readdirSync(home)).toEqual([]);
  });

  it('comes from BYOKEY_SECRET_KEY_PREVIOUS in the same formats, before the file', () => {
    writeFileSync(previousSecretKeyPath(home), randomBytes(32).toString('base64'), { mode: 0o600 });
    for (const text of [key.toString('base64'), key.toString('base64url'), key.toString('hex')]) {
      const loaded = loadPreviousSecretKey({ home, env: { [PREVIOUS_SECRET_KEY_ENV]: text } });
      expect(loaded?.key.equals(key)).toBe(true);
      expect(loaded?.source).toBe(PREVIOUS_SECRET_KEY_ENV);
    }
  });

  it('comes from secret.key.previous in BYOKEY_HOME, with the key file\'s checks', () => {
    const path = previousSecretKeyPath(home);
    expect(path).toBe(join(home, 'secret.key.previous'));
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600 });
    const keys = loadSecretKeys({ home, env: {}, allowCreate: true });
    expect(keys.previous).toEqual({ key, source: path, created: false });
    // The current key file is created as before; the previous one is never touched.
    expect(keys.current.created).toBe(true);
    expect(keys.current.key.equals(key)).toBe(false);
    if (process.platform !== 'win32') {
      chmodSync(path, 0o644);
      expect(() => loadPreviousSecretKey({ home, env: {} })).toThrow(/secret\.key\.previous can be read by other users/);
    }
  });

  it.each([['empty', ''], ['too short', randomBytes(16).toString('base64')]])('refuses a variable that is %s, naming it', (_, text) => {
    let thrown: unknown;
    try {
      loadPreviousSecretKey({ home, env: { [PREVIOUS_SECRET_KEY_ENV]: text } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).message).toMatch(/^BYOKEY_SECRET_KEY_PREVIOUS is not a valid key: expected 32 bytes/);
  });

  it('refuses a previous key file that does not hold a key', () => {
    writeFileSync(previousSecretKeyPath(home), 'nope', { mode: 0o600 });
    expect(() => loadPreviousSecretKey({ home, env: {} })).toThrow(/secret\.key\.previous does not hold a valid key/);
  });
});

describe('decodeKey', () => {
  it('decodes exactly 32 bytes and nothing else', () => {
    const key = randomBytes(32);
    expect(decodeKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(decodeKey(key.toString('base64').replace(/=+$/, ''))?.equals(key)).toBe(true);
    expect(decodeKey(`${key.toString('base64')}!`)).toBeUndefined();
    expect(decodeKey(randomBytes(31).toString('hex'))).toBeUndefined();
  });
});
