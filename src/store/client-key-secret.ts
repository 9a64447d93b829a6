// Client key secrets: `bk-` + 256 random bits (base64url), shown once. A 256-bit random secret
// needs no slow password hash: its SHA-256 is what the stores keep and what a presented key is
// looked up by.
import { hash, randomBytes } from 'node:crypto';

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

/** SHA-256 of a presented or minted secret, hex. (crypto.hash: a third of createHash's cost, per request.) */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Whether two hex digests are equal, in time that does not depend on where they differ. */
export function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** A new key id: `key_` + 64 random bits in hex. */
export function newKeyId(): string {
  return `key_${randomBytes(8).toString('hex')}`;
}
