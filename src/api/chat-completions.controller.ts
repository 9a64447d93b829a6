// POST /v1/chat/completions for every model: validated here, then routed and answered by the
// bridge for the chosen upstream's protocol (translate/protocol-table.ts) — as JSON or as an
// OpenAI chat SSE stream ending in `data: [DONE]`.
import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard } from '../access/access.guard';
import { OPENAI_PREFIXES } from '../common/public-routes';
import type { ChatCompletionRequest } from '../protocol/openai-chat';
import { BridgedRoute } from './bridged-route';
import { validateChatRequest } from './validation/chat-request.validator';

// Also at /api/provider/openai/v1/chat/completions, for the Amp CLI (common/public-routes.ts).
@Controller(OPENAI_PREFIXES)
@UseGuards(AccessGuard)
export class ChatCompletionsController {
  constructor(private readonly route: BridgedRoute) {}

  @Post('chat/completions')
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateChatRequest(request.body) as ChatCompletionRequest;
    return this.route.serve('openai-chat', body, request, reply);
  }
}
