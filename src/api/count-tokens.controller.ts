// POST /v1/messages/count_tokens for every model: Claude counts exactly upstream, with the
// credential routing picks (an API key or a logged-in account, failing over like a message
// would); every other model gets the gateway's estimate (translate/estimate-tokens.ts), since
// their providers have no such endpoint. Anthropic-shaped errors (the filter picks the dialect).
import { Controller, HttpCode, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard, NoKeyLimits } from '../access/access.guard';
import { GatewayError } from '../common/gateway-error';
import { ANTHROPIC_PREFIXES } from '../common/public-routes';
import type { UpstreamResult } from '../contract/provider-executor';
import type { CountTokensResponse, MessagesRequest } from '../protocol/anthropic-messages';
import { RequestRouter, type RouteTarget } from '../routing/request-router.service';
import { estimateInputTokens } from '../translate/estimate-tokens';
import { applyThinking } from '../translate/thinking-projection';
import { UpstreamError } from '../upstream/upstream-error';
import { abortWhenClientLeaves } from './streaming/client-abort';
import { validateMessagesRequest } from './validation/messages-request.validator';
import { anthropicClientHeaders } from './anthropic-client-headers';

/** Says which answers are the gateway's estimate rather than the upstream's count. */
export const TOKEN_COUNT_HEADER = 'x-byokey-token-count';

/**
 * Upstream statuses that say the request itself is wrong (a field count_tokens does not take, a
 * model the upstream does not know, too large a body): the message would fail the same way, so
 * the client is told rather than given a number for a request that cannot run.
 */
const REQUEST_FAULTS = new Set([400, 404, 413, 422]);

// Also at /api/provider/anthropic/v1/messages/count_tokens, for the Amp CLI (common/public-routes.ts).
@Controller(ANTHROPIC_PREFIXES)
@UseGuards(AccessGuard)
export class CountTokensController {
  private readonly logger = new Logger(CountTokensController.name);

  constructor(private readonly router: RequestRouter) {}

  @Post('messages/count_tokens')
  @HttpCode(200)
  @NoKeyLimits()
  async count(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<CountTokensResponse> {
    const body = validateMessagesRequest(request.body, { requireMaxTokens: false }) as MessagesRequest;
    const plan = this.router.plan(body.model);
    // The model's own provider decides; a Claude fallback of another model does not count for it.
    if (!canCount(plan.targets[0])) return this.estimate(reply, body);

    const requestId = String(request.id);
    const abort = abortWhenClientLeaves(reply);
    const clientHeaders = anthropicClientHeaders(request.headers);
    try {
      const { result } = await this.router.execute(
        { ...plan, targets: plan.targets.filter(canCount) },
        async (target, credential, signal): Promise<UpstreamResult> => {
          const executor = target.instance.executor;
          const counted = await executor.countTokens!({
            instance: target.instance.config,
            credential,
            model: target.upstreamModel,
            // A thinking suffix (`model(high)`) sets `thinking` as it would on the message, and
            // count_tokens counts it. Payload rules are left out: they steer generation, and the
            // fields they set are ones count_tokens refuses or does not count.
            body: plan.thinking ? applyThinking('anthropic-messages', body, plan.thinking) : body,
            stream: false,
            signal,
            requestId,
            clientHeaders,
          });
          return countAnswer(counted);
        },
        { signal: abort.signal, requestId, primeWaitMs: 0 },
      );
      reply.header(TOKEN_COUNT_HEADER, 'upstream');
      return result.kind === 'json' ? (result.parsed() as CountTokensResponse) : this.estimate(reply, body);
    } catch (error) {
      // A count is advice (Claude Code sizes its context with it), not the work itself: when
      // Claude cannot count right now (rate limited, overloaded, unreachable, no usable login)
      // the estimate serves the client better than a failure, and the message it sends next
      // meets the real error anyway. A fault in the request itself is the client's to see.
      const status = error instanceof UpstreamError || error instanceof GatewayError ? error.status : undefined;
      if (abort.signal.aborted || (status !== undefined && REQUEST_FAULTS.has(status))) throw error;
      this.logger.warn({ reqId: requestId }, `count_tokens for ${plan.requested} fell back to an estimate: ${error instanceof Error ? error.message : String(error)}`);
      return this.estimate(reply, body);
    }
  }

  private estimate(reply: FastifyReply, body: MessagesRequest): CountTokensResponse {
    reply.header(TOKEN_COUNT_HEADER, 'estimate');
    return { input_tokens: estimateInputTokens(body) };
  }
}

function canCount(target: RouteTarget): boolean {
  const executor = target.instance.executor;
  return target.protocol === 'anthropic-messages' && executor.countTokens !== undefined;
}

/** The count as a whole answer, so the router's attempt loop (failover, cooldowns) can carry it. */
function countAnswer(counted: CountTokensResponse): UpstreamResult {
  return { kind: 'json', status: 200, headers: {}, raw: JSON.stringify(counted), parsed: () => counted };
}
