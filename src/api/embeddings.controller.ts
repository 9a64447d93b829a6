// POST /v1/embeddings: OpenAI's Embeddings API, passed through to the openai-compatible instances
// that serve the model. Validated, then routed like chat (the route plan, credential pools,
// failover before the answer), the upstream's JSON answer sent back as the bytes it came as, and
// its usage metered. A model whose provider cannot embed (Codex, Claude) is refused with a 400
// before any upstream call. Errors are OpenAI-shaped (the exception filter picks the dialect).
import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard } from '../access/access.guard';
import { GatewayError } from '../common/gateway-error';
import { noteRequest } from '../logging/request-notes';
import { RequestRouter, type RoutePlan } from '../routing/request-router.service';
import { UsageMeter } from '../usage/usage-meter';
import { sendUpstreamJson } from './json-response';
import { abortWhenClientLeaves } from './streaming/client-abort';
import { validateEmbeddingsRequest } from './validation/embeddings-request.validator';

@Controller('v1')
@UseGuards(AccessGuard)
export class EmbeddingsController {
  constructor(private readonly router: RequestRouter) {}

  @Post('embeddings')
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateEmbeddingsRequest(request.body);
    noteRequest(request.raw, { model: body.model, stream: false });
    const plan = embeddingPlan(this.router.plan(body.model));
    const abort = abortWhenClientLeaves(reply);
    const requestId = String(request.id);

    // The router's attempt loop takes the call to make, so embeddings need no path of their own
    // in it. The body is sent as it came: the thinking suffix and the payload rules are written
    // for generation requests and have nothing to set on an embedding.
    const { target, result } = await this.router.execute(
      plan,
      (target, credential, signal) =>
        target.instance.executor.embeddings!({
          instance: target.instance.config,
          credential,
          model: target.upstreamModel,
          body,
          stream: false,
          signal,
          requestId,
        }),
      { signal: abort.signal, requestId, primeWaitMs: 0, watch: new UsageMeter(request.raw) },
    );
    noteRequest(request.raw, { instance: target.instance.name });
    if (result.kind !== 'json') {
      throw new GatewayError(502, `upstream ${target.instance.name} answered embeddings with a stream`, { type: 'server_error', code: 'upstream_protocol_error' });
    }
    sendUpstreamJson(reply, result);
  }
}

/**
 * The plan's targets that can embed. The model asked for must be one (its first target): a chat
 * model is refused rather than quietly answered by a fallback. Fallbacks that cannot embed are
 * skipped.
 */
function embeddingPlan(plan: RoutePlan): RoutePlan {
  const first = plan.targets[0];
  if (!first.instance.executor.embeddings) {
    throw new GatewayError(
      400,
      `The model \`${plan.requested}\` is served by provider instance \`${first.instance.name}\` (${first.instance.config.type}), which has no embeddings endpoint. ` +
        'Embeddings are served by openai-compatible instances: list the embedding model under one of them in providers.yaml.',
      { type: 'invalid_request_error', code: 'unsupported_model_for_endpoint', param: 'model' },
    );
  }
  return { ...plan, targets: plan.targets.filter((t) => t.instance.executor.embeddings !== undefined) };
}
