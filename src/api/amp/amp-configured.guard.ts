// Amp's routes to its upstream (the /api/* pass-through, the login redirects) exist only when
// `amp:` is configured: without it (and for any path
// under /api/provider/, whose model routes the gateway serves itself) the answer is the usual
// unknown-route 404 — before the access check, as for any path the gateway does not serve.
import { Injectable, NotFoundException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AMP_PROVIDER_PREFIX } from '../../common/public-routes';
import { PluginRegistry } from '../../registry/plugin-registry.service';

@Injectable()
export class AmpConfiguredGuard implements CanActivate {
  constructor(private readonly registry: PluginRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const path = request.url.split('?')[0];
    if (this.registry.config.amp === undefined || path === AMP_PROVIDER_PREFIX || path.startsWith(`${AMP_PROVIDER_PREFIX}/`)) throw new NotFoundException();
    return true;
  }
}
