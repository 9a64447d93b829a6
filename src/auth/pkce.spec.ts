// Covers pkce.ts: the RFC 7636 S256 test vector, verifier shape and randomness, and states of
// at least 128 random bits.
import { createHash } from 'node:crypto';
import { createPkcePair, createState, pkceChallenge } from './pkce';

describe('pkce', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes a 43-character base64url verifier whose challenge is base64url(sha256(verifier))', () => {
    const pair = createPkcePair();
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.method).toBe('S256');
    expect(pair.challenge).toBe(createHash('sha256').update(pair.verifier).digest('base64url'));
    expect(pair.challenge).not.toContain('=');
  });

  it('makes a new verifier every time', () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => createPkcePair().verifier));
    expect(verifiers.size).toBe(50);
  });

  it('makes states of at least 128 random bits, never repeated', () => {
    const state = createState();
    expect(state).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(state, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(new Set(Array.from({ length: 50 }, createState)).size).toBe(50);
  });
});
