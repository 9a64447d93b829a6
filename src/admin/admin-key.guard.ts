// Guards every route under /admin/v1: the caller must present the admin key (Authorization:
// Bearer, or x-api-key), compared in constant time. With no admin key configured (admin.key in
// providers.yaml, or BYOKEY_ADMIN_KEY) the admin API does not exist: its routes answer 404 like
// any unknown path, so a gateway without one shows nothing to probe.
import { timingSafeEqual, createHash } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../common/gateway-error';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';

@Injectable()
export class AdminKeyGuard implements CanActivate {
  /** SHA-256 of the admin key: equal-length digests make the compare constant-time. */
  private readonly keyDigest?: Buffer;

  constructor(config: ConfigService) {
    const key = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY).admin.key;
    this.keyDigest = key === undefined ? undefined : digest(key);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.keyDigest) {
      throw new GatewayError(404, `Unknown route: ${request.method} ${request.url.split('?')[0]}.`, { type: 'not_found_error', code: 'unknown_url' });
    }
    const presented = presentedKey(request);
    if (presented === undefined || !timingSafeEqual(digest(presented), this.keyDigest)) {
      throw new GatewayError(401, 'The admin API needs the admin key (Authorization: Bearer <key>), and this is not it.', {
        type: 'authentication_error',
        code: 'invalid_admin_key',
      });
    }
    return true;
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
