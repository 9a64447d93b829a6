// Token encryption: round trip, fresh IV per write, binding to the account, and what a wrong key
// or altered bytes produce; during a key rotation, reading with the previous key and re-sealing.
import { randomBytes } from 'node:crypto';
import type { AccountTokens } from './account';
import { StoreError } from './store-error';
import { TokenCipher } from './token-cipher';

const tokens: AccountTokens = {
  accessToken: 'at-SECRET-access-0123456789',
  refreshToken: 'rt-SECRET-refresh-0123456789',
  idToken: 'eyJ.SECRET-id.token',
};
const codex = { provider: 'codex', accountId: 'work' };

function thrownBy(run: () => unknown): StoreError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected a StoreError, nothing was thrown');
}

function expectNoSecret(error: StoreError): void {
  for (const secret of Object.values(tokens)) expect(error.message).not.toContain(secret);
}

describe('TokenCipher', () => {
  const cipher = new TokenCipher(randomBytes(32));

  it('round-trips the tokens, with and without the optional ones', () => {
    expect(cipher.decryptTokens(codex, cipher.encryptTokens(codex, tokens))).toEqual(tokens);
    const accessOnly = { accessToken: 'only' };
    expect(cipher.decryptTokens(codex, cipher.encryptTokens(codex, accessOnly))).toEqual(accessOnly);
  });

  it('writes the version byte first and never the plaintext', () => {
    const sealed = cipher.encryptTokens(codex, tokens);
    expect(sealed[0]).toBe(1);
    for (const secret of Object.values(tokens)) expect(sealed.includes(Buffer.from(secret))).toBe(false);
  });

  it('uses a fresh IV for every write', () => {
    const a = cipher.encryptTokens(codex, tokens);
    const b = cipher.encryptTokens(codex, tokens);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it.each([
    ['another account id', { provider: 'codex', accountId: 'home' }],
    ['another provider', { provider: 'claude', accountId: 'work' }],
  ])('refuses ciphertext moved to %s', (_, other) => {
    const sealed = cipher.encryptTokens(codex, tokens);
    const error = thrownBy(() => cipher.decryptTokens(other, sealed));
    expect(error.message).toMatch(/secret key does not match .* or the data is corrupt/);
    expectNoSecret(error);
  });

  it('keeps provider and account id apart (no "a/b" + "c" = "a" + "b/c")', () => {
    const sealed = cipher.encryptTokens({ provider: 'a/b', accountId: 'c' }, tokens);
    expect(() => cipher.decryptTokens({ provider: 'a', accountId: 'b/c' }, sealed)).toThrow(StoreError);
  });

  it('refuses a different key, naming the account but no secret', () => {
    const sealed = cipher.encryptTokens(codex, tokens);
    const error = thrownBy(() => new TokenCipher(randomBytes(32)).decryptTokens(codex, sealed));
    expect(error.message).toBe(
      'Cannot decrypt the tokens of account codex/work: the secret key does not match the one it was ' +
        'encrypted with (during a key rotation: another instance may already have sealed it with the new key), ' +
        'or the data is corrupt.',
    );
  });

  it('refuses any single altered byte', () => {
    const sealed = cipher.encryptTokens(codex, tokens);
    // Skip the version byte: altering it is a different error, tested below.
    for (let i = 1; i < sealed.length; i += 7) {
      const tampered = Buffer.from(sealed);
      tampered[i] ^= 0x01;
      expectNoSecret(thrownBy(() => cipher.decryptTokens(codex, tampered)));
    }
  });

  it('refuses an unknown format version and a truncated value', () => {
    const sealed = cipher.encryptTokens(codex, tokens);
    const future = Buffer.from(sealed);
    future[0] = 2;
    expect(thrownBy(() => cipher.decryptTokens(codex, future)).message).toMatch(
      /unknown encryption format 2 \(written by a newer byokey/,
    );
    expect(thrownBy(() => cipher.decryptTokens(codex, sealed.subarray(0, 20))).message).toMatch(/too short .*corrupt/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new TokenCipher(randomBytes(16))).toThrow(StoreError);
  });

  describe('key check', () => {
    it('matches the key that made it and no other', () => {
      const check = cipher.createKeyCheck();
      expect(cipher.matchesKeyCheck(check)).toBe(true);
      expect(new TokenCipher(randomBytes(32)).matchesKeyCheck(check)).toBe(false);
      expect(cipher.matchesKeyCheck(Buffer.from('garbage'))).toBe(false);
    });

    it('cannot stand in for an account ciphertext, nor the other way round', () => {
      expect(() => cipher.decryptTokens(codex, cipher.createKeyCheck())).toThrow(StoreError);
      expect(cipher.matchesKeyCheck(cipher.encryptTokens(codex, tokens))).toBe(false);
    });
  });

  describe('other secrets', () => {
    const context = ['upstream-key', 'openai', 'team-a'];

    it('round-trips a secret bound to its context, and opens it under no other', () => {
      const sealed = cipher.encryptSecret(context, 'sk-SECRET-upstream-1234');
      expect(sealed.toString('latin1')).not.toContain('sk-SECRET');
      expect(cipher.decryptSecret(context, sealed)).toBe('sk-SECRET-upstream-1234');
      const moved = thrownBy(() => cipher.decryptSecret(['upstream-key', 'openai', 'team-b'], sealed));
      expect(moved.message).not.toContain('sk-SECRET');
      expect(() => new TokenCipher(randomBytes(32)).decryptSecret(context, sealed)).toThrow(StoreError);
    });

    it('cannot pass for account tokens, nor take the accounts\' context', () => {
      expect(() => cipher.decryptTokens({ provider: 'upstream-key', accountId: 'openai' }, cipher.encryptSecret(context, 'x'))).toThrow(StoreError);
      expect(() => cipher.encryptSecret(['account', 'codex', 'work'], 'x')).toThrow();
    });
  });
});

describe('TokenCipher with a previous key (rotation)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new TokenCipher(oldKey);
  const during = new TokenCipher(newKey, oldKey);
  const after = new TokenCipher(newKey);
  const context = ['upstream-key', 'openai', 'team-a'];

  it('opens what the previous key sealed, and what the current key sealed', () => {
    expect(during.decryptTokens(codex, before.encryptTokens(codex, tokens))).toEqual(tokens);
    expect(during.decryptTokens(codex, after.encryptTokens(codex, tokens))).toEqual(tokens);
    expect(during.decryptSecret(context, before.encryptSecret(context, 'sk-SECRET-1'))).toBe('sk-SECRET-1');
    expect(during.matchesKeyCheck(before.createKeyCheck())).toBe(true);
    expect(during.matchesKeyCheck(after.createKeyCheck())).toBe(true);
    expect(during.hasPreviousKey).toBe(true);
    expect(after.hasPreviousKey).toBe(false);
  });

  it('always seals with the current key: the new key alone opens it, the old key alone does not', () => {
    const sealed = during.encryptTokens(codex, tokens);
    expect(after.decryptTokens(codex, sealed)).toEqual(tokens);
    const error = thrownBy(() => before.decryptTokens(codex, sealed));
    expect(error.message).toMatch(/^Cannot decrypt the tokens of account codex\/work: the secret key does not match .*during a key rotation/);
    expectNoSecret(error);
    expect(after.matchesKeyCheck(during.createKeyCheck())).toBe(true);
    expect(before.matchesKeyCheck(during.createKeyCheck())).toBe(false);
    expect(() => before.decryptSecret(context, during.encryptSecret(context, 'x'))).toThrow(StoreError);
  });

  it('refuses what neither key sealed, saying so, without a secret', () => {
    const stranger = new TokenCipher(randomBytes(32));
    const error = thrownBy(() => during.decryptTokens(codex, stranger.encryptTokens(codex, tokens)));
    expect(error.message).toBe(
      'Cannot decrypt the tokens of account codex/work: neither the secret key nor the previous key is the one it ' +
        'was encrypted with, or the data is corrupt.',
    );
    expect(during.matchesKeyCheck(stranger.createKeyCheck())).toBe(false);
  });

  it('keeps the binding to the account under the previous key too', () => {
    expect(() => during.decryptTokens({ provider: 'codex', accountId: 'home' }, before.encryptTokens(codex, tokens))).toThrow(StoreError);
  });

  it('re-seals what the previous key sealed with the current key, keeping the plaintext exactly', () => {
    const resealed = during.resealTokens(codex, before.encryptTokens(codex, tokens));
    expect(resealed).toBeInstanceOf(Buffer);
    expect(after.decryptTokens(codex, resealed!)).toEqual(tokens);
    expect(() => before.decryptTokens(codex, resealed!)).toThrow(StoreError);

    const secret = during.resealSecret(context, before.encryptSecret(context, 'sk-SECRET-2'));
    expect(after.decryptSecret(context, secret!)).toBe('sk-SECRET-2');

    const check = during.resealKeyCheck(before.createKeyCheck());
    expect(after.matchesKeyCheck(check!)).toBe(true);
    expect(before.matchesKeyCheck(check!)).toBe(false);
  });

  it('leaves alone (undefined) what the current key already sealed', () => {
    expect(during.resealTokens(codex, after.encryptTokens(codex, tokens))).toBeUndefined();
    expect(during.resealSecret(context, after.encryptSecret(context, 'x'))).toBeUndefined();
    expect(during.resealKeyCheck(after.createKeyCheck())).toBeUndefined();
    // Without a previous key too: nothing to move.
    expect(after.resealTokens(codex, after.encryptTokens(codex, tokens))).toBeUndefined();
  });

  it('refuses to re-seal what neither key opens, or what was moved to another row', () => {
    const stranger = new TokenCipher(randomBytes(32));
    expect(thrownBy(() => during.resealTokens(codex, stranger.encryptTokens(codex, tokens))).message).toMatch(/neither the secret key nor the previous key/);
    expect(() => during.resealTokens({ provider: 'claude', accountId: 'work' }, before.encryptTokens(codex, tokens))).toThrow(StoreError);
    expect(() => during.resealSecret(['upstream-key', 'openai', 'team-b'], before.encryptSecret(context, 'x'))).toThrow(StoreError);
    expect(() => during.resealKeyCheck(stranger.createKeyCheck())).toThrow(StoreError);
    // Without a previous key, an old value cannot be moved.
    expect(() => after.resealTokens(codex, before.encryptTokens(codex, tokens))).toThrow(StoreError);
  });

  it('refuses a previous key that is not 32 bytes', () => {
    expect(() => new TokenCipher(newKey, randomBytes(31))).toThrow(StoreError);
  });
});
