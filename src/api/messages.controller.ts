// POST /v1/messages: Anthropic's Messages API for every model (count_tokens has its own controller).
// Validated here, then routed and answered by the bridge for the chosen upstream's protocol
// (translate/protocol-table.ts): a Claude model gets the body as it came (unknown fields kept, the
// client's betas merged) and its JSON answer as the bytes it came as; any other model gets a
// translation, answered as Anthropic events with `event:` lines, or as one Message. Errors here
// are Anthropic-shaped (the exception filter picks the dialect by route).
import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard } from '../access/access.guard';
import { ANTHROPIC_PREFIXES } from '../common/public-routes';
import { BridgedRoute } from './bridged-route';
import { validateMessagesRequest } from './validation/messages-request.validator';
import { anthropicClientHeaders } from './anthropic-client-headers';

// Also at /api/provider/anthropic/v1/messages, for the Amp CLI (common/public-routes.ts).
@Controller(ANTHROPIC_PREFIXES)
@UseGuards(AccessGuard)
export class MessagesController {
  constructor(private readonly route: BridgedRoute) {}

  @Post('messages')
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateMessagesRequest(request.body);
    return this.route.serve('anthropic-messages', body, request, reply, { clientHeaders: anthropicClientHeaders(request.headers) });
  }
}
