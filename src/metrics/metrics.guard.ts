// Who may read GET /metrics. Open when no admin key is set (a laptop, where every route is open);
// with one, the admin key is needed — label values name instances, accounts and client keys —
// unless `metrics.public: true` lets a scraper in a private network read it without a secret.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { AdminKeyCheck } from '../common/admin-key-check';
import { GatewayError } from '../common/gateway-error';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';

@Injectable()
export class MetricsGuard implements CanActivate {
  /** Undefined: anyone may read. */
  private readonly check?: AdminKeyCheck;

  constructor(config: ConfigService) {
    const { admin, metrics } = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY);
    this.check = admin.key === undefined || metrics.public ? undefined : new AdminKeyCheck(admin.key);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.check || this.check.matches(context.switchToHttp().getRequest<FastifyRequest>())) return true;
    throw new GatewayError(401, 'GET /metrics needs the admin key (Authorization: Bearer <key>), or `metrics.public: true` in providers.yaml.', {
      type: 'authentication_error',
      code: 'invalid_admin_key',
    });
  }
}
