// POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API for every model.
// Validated here, then routed and answered by the bridge for the chosen upstream's protocol
// (translate/protocol-table.ts): a Claude model gets the body as it came (unknown fields kept, the
// client's betas merged) and its JSON answer as the bytes it came as; any other model gets a
// translation, answered as Anthropic events with `event:` lines, or as one Message. Errors here
// are Anthropic-shaped (the exception filter picks the dialect by route).
import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard, NoKeyLimits } from '../access/access.guard';
import type { CountTokensResponse, MessagesRequest } from '../protocol/anthropic-messages';
import { RequestRouter } from '../routing/request-router.service';
import { estimateInputTokens } from '../translate/estimate-tokens';
import { BridgedRoute } from './bridged-route';
import { validateMessagesRequest } from './validation/messages-request.validator';

/** Client headers a Claude upstream needs to see (never the client's key). */
const FORWARDED_HEADERS = ['anthropic-beta', 'anthropic-version'];

@Controller('v1')
@UseGuards(AccessGuard)
export class MessagesController {
  constructor(
    private readonly route: BridgedRoute,
    private readonly router: RequestRouter,
  ) {}

  @Post('messages')
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateMessagesRequest(request.body);
    return this.route.serve('anthropic-messages', body, request, reply, forwardedHeaders(request));
  }

  @Post('messages/count_tokens')
  @HttpCode(200)
  @NoKeyLimits()
  async countTokens(@Req() request: FastifyRequest): Promise<CountTokensResponse> {
    const body = validateMessagesRequest(request.body, { requireMaxTokens: false });
    const target = this.router.plan(body.model).targets[0];
    const { executor } = target.instance;
    // Claude counts exactly; other providers have no such endpoint, so the gateway estimates.
    if (executor.protocol !== 'anthropic-messages' || !executor.countTokens) return { input_tokens: estimateInputTokens(body) };
    const credential = target.instance.config.settings.api_key
      ? { kind: 'api-key' as const, id: 'api_key', key: target.instance.config.settings.api_key }
      : { kind: 'none' as const };
    return executor.countTokens({
      instance: target.instance.config,
      credential,
      model: target.upstreamModel,
      body: body as MessagesRequest,
      stream: false,
      signal: new AbortController().signal,
      requestId: String(request.id),
      clientHeaders: forwardedHeaders(request),
    });
  }
}

function forwardedHeaders(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
