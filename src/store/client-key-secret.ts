// Client key secrets: `bk-` + 256 random bits (base64url), shown once. A 256-bit random secret
// needs no slow password hash: its SHA-256 is what the stores keep and what a presented key is
// looked up by.
import { createHash, randomBytes } from 'node:crypto';

export const CLIENT_KEY_PREFIX = 'bk-';
/** Characters of the secret kept for display (`bk-` + 6: 36 bits of 256, useless to a guesser). */
const DISPLAY_LENGTH = CLIENT_KEY_PREFIX.length + 6;

export interface MintedSecret {
  secret: string;
  secretHash: string;
  prefix: string;
}

export function mintSecret(): MintedSecret {
  const secret = CLIENT_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { secret, secretHash: hashSecret(secret), prefix: secret.slice(0, DISPLAY_LENGTH) };
}

/** SHA-256 of a presented or minted secret, hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new key id: `key_` + 64 random bits in hex. */
export function newKeyId(): string {
  return `key_${randomBytes(8).toString('hex')}`;
}
