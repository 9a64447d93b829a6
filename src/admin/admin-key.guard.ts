// Guards every route under /admin/v1: the caller must present the admin key (Authorization:
// Bearer, or x-api-key), compared in constant time. With no admin key configured (admin.key in
// providers.yaml, or BYOKEY_ADMIN_KEY) the admin API does not exist: its routes answer 404 like
// any unknown path, so a gateway without one shows nothing to probe.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { AdminKeyCheck } from '../common/admin-key-check';
import { GatewayError } from '../common/gateway-error';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';

@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly check?: AdminKeyCheck;

  constructor(config: ConfigService) {
    const key = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY).admin.key;
    this.check = key === undefined ? undefined : new AdminKeyCheck(key);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.check) {
      throw new GatewayError(404, `Unknown route: ${request.method} ${request.url.split('?')[0]}.`, { type: 'not_found_error', code: 'unknown_url' });
    }
    if (!this.check.matches(request)) {
      throw new GatewayError(401, 'The admin API needs the admin key (Authorization: Bearer <key>), and this is not it.', {
        type: 'authentication_error',
        code: 'invalid_admin_key',
      });
    }
    return true;
  }
}
