// ANY /api/* (outside /api/provider/) and /v0/management/*: the Amp CLI's own API calls — its
// user, threads, telemetry, management — passed through to ampcode.com (or `amp.upstream_url`) when `amp:` is configured,
// so Amp works pointed at the gateway; without it these are unknown routes. Amp's model calls
// (/api/provider/…) are the gateway's own routes (common/public-routes.ts). A client key is
// needed as on every public route; it is never forwarded (amp-upstream-headers.ts).
import { All, Controller, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard, NoKeyLimits } from '../../access/access.guard';
import { AMP_PASSTHROUGH_ROUTES } from '../../common/public-routes';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { AmpConfiguredGuard } from './amp-configured.guard';
import { AmpPassthrough } from './amp-passthrough';

@Controller()
@UseGuards(AmpConfiguredGuard, AccessGuard)
export class AmpPassthroughController {
  constructor(
    private readonly passthrough: AmpPassthrough,
    private readonly registry: PluginRegistry,
  ) {}

  // Bodies are forwarded unparsed, as they arrive (passthrough-body.ts).
  @All(AMP_PASSTHROUGH_ROUTES)
  // The work is ampcode.com's, not an upstream model's: the key's request limits are for those.
  @NoKeyLimits()
  forward(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // The guard let the request in only with `amp:` configured.
    return this.passthrough.forward(this.registry.config.amp!, request, reply);
  }
}
