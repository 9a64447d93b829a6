// Gemini's API for every model: POST /v1beta/models/{model}:generateContent, :streamGenerateContent
// and :countTokens (also under /v1), and GET /v1beta/models, for the genai SDK and Gemini CLI
// pointed at the gateway. A stream is server-sent events with `?alt=sse` (what every Google SDK
// asks for), else — as Google's API does — one JSON array of the same chunks, sent as they come
// (api/streaming/stream-framing.ts); a failure after the start is its last element. The
// client's key comes as `x-goog-api-key` (as every route takes it) or as `?key=` (this route
// only, as Google's API allows). Requests go through the protocol table like
// every model route, so a Gemini client reaches Codex, Claude and chat models too; errors are
// Google's `{error:{code,message,status}}` (the exception filter picks the dialect by path).
// countTokens counts upstream where the model's provider can (Gemini, Claude), else estimates.
import { Controller, Get, HttpCode, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessFrom, AccessGuard, NoKeyLimits, type RouteAccess } from '../access/access.guard';
import { AccessControl } from '../access/access-control.service';
import { admittedKey } from '../access/admitted-key';
import { GatewayError, invalidRequest } from '../common/gateway-error';
import { GEMINI_ACTION_ROUTES, GEMINI_LIST_ROUTES } from '../common/public-routes';
import type { UpstreamResult } from '../contract/provider-executor';
import { GEMINI_ROUTING_FIELDS, type GeminiCountTokensResponse, type GeminiModelList, type GeminiRequest } from '../protocol/gemini-generate-content';
import { rememberRoutingFields } from '../protocol/raw-json';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { RequestRouter, type RouteTarget } from '../routing/request-router.service';
import { createTranslators } from '../translate/bridges/translators';
import { estimateInputTokens } from '../translate/estimate-tokens';
import { ProtocolTable } from '../translate/protocol-table';
import { UpstreamError } from '../upstream/upstream-error';
import { BridgedRoute } from './bridged-route';
import { TOKEN_COUNT_HEADER } from './count-tokens.controller';
import { geminiActionOrThrow, readGeminiAction } from './gemini-action';
import { abortWhenClientLeaves } from './streaming/client-abort';
import type { StreamFramingName } from './streaming/stream-framing';
import { validateGeminiCountRequest, validateGeminiRequest } from './validation/gemini-request.validator';

const GEMINI_ACCESS: RouteAccess = { model: (request) => readGeminiAction(request)?.model, queryKey: 'key' };

/** Statuses that say the request itself is wrong: the client is told rather than given an estimate. */
const REQUEST_FAULTS = new Set([400, 404, 413, 422]);

@Controller()
@UseGuards(AccessGuard)
export class GeminiController {
  private readonly logger = new Logger(GeminiController.name);
  private readonly translators = createTranslators();

  constructor(
    private readonly route: BridgedRoute,
    private readonly router: RequestRouter,
    private readonly table: ProtocolTable,
    private readonly registry: PluginRegistry,
    private readonly access: AccessControl,
  ) {}

  /**
   * A wildcard: model ids hold slashes (`instance/model`), and the method follows a colon in the
   * same segment. Under v1beta and v1 (the genai SDK 3.x calls v1 by default, Gemini CLI v1beta),
   * and under Amp's /api/provider/google prefixes (common/public-routes.ts).
   */
  @Post(GEMINI_ACTION_ROUTES)
  @AccessFrom(GEMINI_ACCESS)
  async act(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { model, method } = geminiActionOrThrow(request);
    if (method === 'countTokens') {
      reply.code(200).send(await this.count(model, request, reply));
      return;
    }
    const body = validateGeminiRequest(request.body);
    const stream = method === 'streamGenerateContent';
    const framing = stream ? streamFramingFor((request.query as Record<string, unknown> | undefined)?.alt) : undefined;
    const routed = { ...body, model, stream };
    rememberRoutingFields(body, routed, GEMINI_ROUTING_FIELDS);
    await this.route.serve('gemini', routed, request, reply, { framing });
  }

  /** The models this gateway serves, in Google's list shape (one page). GET /v1/models is OpenAI's list. */
  @Get(GEMINI_LIST_ROUTES)
  @NoKeyLimits()
  async list(@Req() request: FastifyRequest): Promise<GeminiModelList> {
    const catalog = this.registry.catalog;
    await this.registry.liveModels.refresh(catalog.readyInstances());
    const key = admittedKey(request.raw);
    const ids = [...new Set(catalog.entries().map((e) => e.id))].filter((id) => this.access.mayList(key, id));
    return {
      models: ids.map((id) => ({
        name: `models/${id}`,
        displayName: id,
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
      })),
    };
  }

  private async count(model: string, request: FastifyRequest, reply: FastifyReply): Promise<GeminiCountTokensResponse> {
    const body: GeminiRequest = { ...validateGeminiCountRequest(request.body), model };
    const plan = this.router.plan(model);
    // The model's own provider decides; a fallback of another kind does not count for it.
    if (!canCount(plan.targets[0])) return this.estimate(reply, body);
    const requestId = String(request.id);
    const abort = abortWhenClientLeaves(reply);
    try {
      const { result } = await this.router.execute(
        { ...plan, targets: plan.targets.filter(canCount) },
        async (target, credential, signal): Promise<UpstreamResult> => {
          const executor = target.instance.executor;
          const translated = this.table.bridge('gemini', executor.protocol).request(body, { stream: false, thinking: plan.thinking });
          const counted = await executor.countTokens!({
            instance: target.instance.config,
            credential,
            model: target.upstreamModel,
            body: translated,
            stream: false,
            signal,
            requestId,
          });
          const answer: GeminiCountTokensResponse = { totalTokens: counted.input_tokens };
          return { kind: 'json', status: 200, headers: {}, raw: JSON.stringify(answer), parsed: () => answer };
        },
        { signal: abort.signal, requestId, primeWaitMs: 0 },
      );
      reply.header(TOKEN_COUNT_HEADER, 'upstream');
      return result.kind === 'json' ? (result.parsed() as GeminiCountTokensResponse) : this.estimate(reply, body);
    } catch (error) {
      // A count is advice: when the upstream cannot count right now, the estimate serves better
      // than a failure. A fault in the request itself is the client's to see.
      const status = error instanceof UpstreamError || error instanceof GatewayError ? error.status : undefined;
      if (abort.signal.aborted || (status !== undefined && REQUEST_FAULTS.has(status))) throw error;
      this.logger.warn({ reqId: requestId }, `countTokens for ${model} fell back to an estimate: ${error instanceof Error ? error.message : String(error)}`);
      return this.estimate(reply, body);
    }
  }

  /** The gateway's estimate, over the request as Messages would carry it. */
  private estimate(reply: FastifyReply, body: GeminiRequest): GeminiCountTokensResponse {
    reply.header(TOKEN_COUNT_HEADER, 'estimate');
    const messages = this.translators.chatToMessages.translate(this.translators.geminiToChat.translate(body));
    return { totalTokens: estimateInputTokens(messages) };
  }
}

/** `alt=sse` streams events; no `alt` (or Google's default, `json`) streams one JSON array. */
function streamFramingFor(alt: unknown): StreamFramingName {
  if (alt === 'sse') return 'sse';
  if (alt === undefined || alt === 'json') return 'json-array';
  throw invalidRequest('alt must be sse or json (the default): this gateway does not stream protobuf', 'alt', 'unsupported_parameter');
}

function canCount(target: RouteTarget): boolean {
  return target.instance.executor.countTokens !== undefined;
}
