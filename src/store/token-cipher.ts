// Encrypts an account's tokens for storage (AES-256-GCM), bound to the account they belong to,
// and makes the key-check value that tells at open time whether a key is the right one. Other
// secrets the store keeps (upstream API keys added at runtime) are sealed the same way, each
// bound to a context of its own.
//
// Sealed format, version 1: [0x01][12-byte IV][16-byte GCM tag][ciphertext]. The leading byte
// lets a later build change the scheme and still read old rows.
//
// While the secret key is rotated, the cipher also holds the previous key: it opens with the
// current key, then with the previous one, and always seals with the current one. `reseal*` turn
// a value sealed with the previous key into one sealed with the current key (`byokey rekey`).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AccountTokens } from './account';
import { SECRET_KEY_BYTES } from './secret-key';
import { StoreError } from './store-error';

const FORMAT_V1 = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** What the key-check value encrypts; any fixed text works, only its decryption matters. */
const KEY_CHECK_PLAINTEXT = 'byokey key check';
/** A context no account can have: account contexts are JSON arrays. */
const KEY_CHECK_CONTEXT = 'key-check';

export interface AccountIdentity {
  provider: string;
  accountId: string;
}

export class TokenCipher {
  private readonly key: Buffer;
  private readonly previousKey?: Buffer;

  /** `previous`: the key being rotated away from, accepted for reading only. */
  constructor(key: Buffer, previous?: Buffer) {
    for (const k of previous ? [key, previous] : [key]) {
      if (k.length !== SECRET_KEY_BYTES) {
        throw new StoreError(`The secret key must be ${SECRET_KEY_BYTES} bytes, not ${k.length}.`);
      }
    }
    this.key = Buffer.from(key);
    if (previous) this.previousKey = Buffer.from(previous);
  }

  /** Whether a previous key is held (a rotation is under way). */
  get hasPreviousKey(): boolean {
    return this.previousKey !== undefined;
  }

  encryptTokens(account: AccountIdentity, tokens: AccountTokens): Buffer {
    const plain: AccountTokens = { accessToken: tokens.accessToken };
    if (tokens.refreshToken !== undefined) plain.refreshToken = tokens.refreshToken;
    if (tokens.idToken !== undefined) plain.idToken = tokens.idToken;
    if (tokens.proxyUrl !== undefined) plain.proxyUrl = tokens.proxyUrl;
    if (tokens.clientSecret !== undefined) plain.clientSecret = tokens.clientSecret;
    return this.seal(Buffer.from(JSON.stringify(plain), 'utf8'), accountContext(account));
  }

  /** Throws a StoreError (never naming a secret) when the key is wrong or the bytes were altered. */
  decryptTokens(account: AccountIdentity, sealed: Buffer): AccountTokens {
    const what = `the tokens of account ${account.provider}/${account.accountId}`;
    const plain = this.open(sealed, accountContext(account), what);
    const tokens = parseTokens(plain);
    if (!tokens) throw new StoreError(`Cannot decrypt ${what}: the decrypted data is not a token record.`);
    return tokens;
  }

  /**
   * Seals another secret (an upstream API key added at runtime). `context` names what it belongs
   * to, e.g. `['upstream-key', instance, label]`: copied onto another row it no longer opens. The
   * first element must not be `account`, which is the tokens' own.
   */
  encryptSecret(context: readonly string[], secret: string): Buffer {
    return this.seal(Buffer.from(secret, 'utf8'), secretContext(context));
  }

  /** Throws a StoreError (never naming the secret) when the key is wrong or the bytes were altered. */
  decryptSecret(context: readonly string[], sealed: Buffer): string {
    return this.open(sealed, secretContext(context), `the secret ${context.join(' ')}`).toString('utf8');
  }

  createKeyCheck(): Buffer {
    return this.seal(Buffer.from(KEY_CHECK_PLAINTEXT, 'utf8'), KEY_CHECK_CONTEXT);
  }

  /** True when the current key or the previous one made this key check. */
  matchesKeyCheck(sealed: Buffer): boolean {
    try {
      return this.open(sealed, KEY_CHECK_CONTEXT, 'the key check').toString('utf8') === KEY_CHECK_PLAINTEXT;
    } catch {
      return false;
    }
  }

  /**
   * The same tokens sealed with the current key when the previous key sealed them; undefined when
   * the current key already did (nothing to do). Throws a StoreError when neither key opens them.
   */
  resealTokens(account: AccountIdentity, sealed: Buffer): Buffer | undefined {
    return this.reseal(sealed, accountContext(account), `the tokens of account ${account.provider}/${account.accountId}`);
  }

  /** As resealTokens, for a secret sealed with encryptSecret under `context`. */
  resealSecret(context: readonly string[], sealed: Buffer): Buffer | undefined {
    return this.reseal(sealed, secretContext(context), `the secret ${context.join(' ')}`);
  }

  /** As resealTokens, for the key check. */
  resealKeyCheck(sealed: Buffer): Buffer | undefined {
    if (!this.matchesKeyCheck(sealed)) throw this.noKeyOpens('the key check');
    return this.reseal(sealed, KEY_CHECK_CONTEXT, 'the key check');
  }

  private reseal(sealed: Buffer, context: string, what: string): Buffer | undefined {
    if (this.openWith(this.key, sealed, context, what) !== undefined) return undefined;
    const plain = this.previousKey && this.openWith(this.previousKey, sealed, context, what);
    if (plain === undefined) throw this.noKeyOpens(what);
    return this.seal(plain, context);
  }

  private seal(plain: Buffer, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(FORMAT_V1, context));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
  }

  /** With the current key, else the previous one. */
  private open(sealed: Buffer, context: string, what: string): Buffer {
    const plain =
      this.openWith(this.key, sealed, context, what) ??
      (this.previousKey && this.openWith(this.previousKey, sealed, context, what));
    if (plain === undefined) throw this.noKeyOpens(what);
    return plain;
  }

  /**
   * The plaintext, or undefined when `key` does not authenticate it (another key sealed it, or
   * the bytes were altered: GCM cannot tell which). A malformed value throws whatever the key.
   */
  private openWith(key: Buffer, sealed: Buffer, context: string, what: string): Buffer | undefined {
    if (sealed.length < HEADER_BYTES) {
      throw new StoreError(`Cannot decrypt ${what}: the stored data is too short to be valid (corrupt).`);
    }
    const format = sealed[0];
    if (format !== FORMAT_V1) {
      throw new StoreError(
        `Cannot decrypt ${what}: unknown encryption format ${format} (written by a newer byokey, or corrupt).`,
      );
    }
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(format, context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
    } catch {
      return undefined;
    }
  }

  private noKeyOpens(what: string): StoreError {
    // Mid-rotation, the likely cause is an instance that lacks the new key reading what an
    // instance that has it wrote: say so, since "corrupt" alone would send people the wrong way.
    return new StoreError(
      this.previousKey
        ? `Cannot decrypt ${what}: neither the secret key nor the previous key is the one it was encrypted with, ` +
            'or the data is corrupt.'
        : `Cannot decrypt ${what}: the secret key does not match the one it was encrypted with (during a key ` +
            'rotation: another instance may already have sealed it with the new key), or the data is corrupt.',
    );
  }
}

/**
 * Binds a ciphertext to its row: copied onto another account, it no longer authenticates. JSON
 * keeps provider and account id apart unambiguously (no "a/b" + "c" vs "a" + "b/c").
 */
function accountContext(account: AccountIdentity): string {
  return JSON.stringify(['account', account.provider, account.accountId]);
}

function secretContext(context: readonly string[]): string {
  if (context.length === 0 || context[0] === 'account') throw new Error(`invalid secret context ${JSON.stringify(context)}`);
  return JSON.stringify(context);
}

/** The format byte is authenticated too, so it cannot be changed to steer the decryption. */
function additionalData(format: number, context: string): Buffer {
  return Buffer.concat([Buffer.from([format]), Buffer.from(context, 'utf8')]);
}

function parseTokens(plain: Buffer): AccountTokens | undefined {
  let value: unknown;
  try {
    value = JSON.parse(plain.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.accessToken !== 'string') return undefined;
  const tokens: AccountTokens = { accessToken: record.accessToken };
  if (typeof record.refreshToken === 'string') tokens.refreshToken = record.refreshToken;
  if (typeof record.idToken === 'string') tokens.idToken = record.idToken;
  if (typeof record.proxyUrl === 'string') tokens.proxyUrl = record.proxyUrl;
  if (typeof record.clientSecret === 'string') tokens.clientSecret = record.clientSecret;
  return tokens;
}
