// Whether a request presents the admin key (Authorization: Bearer, or x-api-key), compared in
// constant time: SHA-256 digests of equal length. Shared by the admin API's guard and /metrics.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export class AdminKeyCheck {
  private readonly keyDigest: Buffer;

  constructor(key: string) {
    this.keyDigest = digest(key);
  }

  matches(request: FastifyRequest): boolean {
    const presented = presentedKey(request);
    return presented !== undefined && timingSafeEqual(digest(presented), this.keyDigest);
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) return authorization.slice(7).trim();
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
