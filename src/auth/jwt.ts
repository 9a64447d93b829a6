// Reads the payload of a JWT (an id_token, a ChatGPT access token) for its claims and `exp`.
// The signature is not checked: the token came straight from the issuer over TLS, and we only
// read facts about our own login out of it. Anything that is not a JWT gives undefined.
import { isObject } from '../protocol/json-object';

/** The payload object, or undefined when the value is not a decodable JWT. Never throws. */
export function decodeJwtPayload(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1] || !/^[A-Za-z0-9_-]+={0,2}$/.test(parts[1])) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return isObject(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` claim as ms since epoch, or undefined when absent or not a number. */
export function jwtExpiresAt(token: unknown): number | undefined {
  const exp = decodeJwtPayload(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined;
}

