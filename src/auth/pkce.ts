// PKCE (RFC 7636, S256 only) and the `state` value of an authorization-code login: the random
// values that tie the browser's answer to this login and stop a stolen code from being used.
import { createHash, randomBytes } from 'node:crypto';

export interface PkcePair {
  /** Sent only to the token endpoint, with the code. */
  verifier: string;
  /** Sent in the authorize URL: base64url(sha256(verifier)). */
  challenge: string;
  method: 'S256';
}

/** A verifier of 32 random bytes (43 base64url characters, within RFC 7636's 43..128). */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

/** The S256 challenge of a verifier; unpadded base64url, as RFC 7636 §4.2 says. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** 32 random bytes as base64url (256 bits; the Codex CLI uses the same). */
export function createState(): string {
  return randomBytes(32).toString('base64url');
}
