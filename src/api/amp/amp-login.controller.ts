// The Amp CLI's login pages, when `amp.url` points at the gateway: `amp login` opens
// `<amp.url>/auth/cli-login?…` (and older builds `<amp.url>/v1/login`) in the browser. With
// `amp:` configured they redirect to the Amp upstream's own pages (the query kept verbatim), so
// the login happens there and its callback reaches the CLI directly; without it they are unknown
// routes. No client key: a browser has none to send, and a redirect gives nothing away.
import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { AmpConfiguredGuard } from './amp-configured.guard';

@Controller()
@UseGuards(AmpConfiguredGuard)
export class AmpLoginController {
  constructor(private readonly registry: PluginRegistry) {}

  @Get('auth/cli-login')
  cliLogin(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const at = request.url.indexOf('?');
    const query = at === -1 ? '' : request.url.slice(at);
    reply.redirect(`${this.registry.config.amp!.upstreamUrl}/auth/cli-login${query}`, 302);
  }

  @Get('v1/login')
  login(@Res() reply: FastifyReply): void {
    reply.redirect(`${this.registry.config.amp!.upstreamUrl}/login`, 302);
  }
}
