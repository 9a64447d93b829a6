// POST /v1/responses for every model: the Responses API for clients that speak it (the openai
// SDK's responses.create, Codex CLI). Validated here, then routed and answered by the bridge for
// the chosen upstream's protocol (translate/protocol-table.ts): a Responses upstream gets the body
// with unknown fields kept, a chat or Messages upstream a translation; the answer is a Response
// object, or its events with `response.completed.response.output` filled in.
import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard } from '../access/access.guard';
import { OPENAI_PREFIXES } from '../common/public-routes';
import { BridgedRoute } from './bridged-route';
import { responsesClientHeaders } from './responses-client-headers';
import { validateResponsesRequest } from './validation/responses-request.validator';

// Also at /api/provider/openai/v1/responses, for the Amp CLI (common/public-routes.ts).
@Controller(OPENAI_PREFIXES)
@UseGuards(AccessGuard)
export class ResponsesController {
  constructor(private readonly route: BridgedRoute) {}

  @Post('responses')
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateResponsesRequest(request.body);
    return this.route.serve('openai-responses', body, request, reply, { clientHeaders: responsesClientHeaders(request.headers) });
  }
}
