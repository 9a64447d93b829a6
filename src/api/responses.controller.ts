// POST /v1/responses: the Responses API for clients that speak it (the openai SDK's
// responses.create, Codex CLI). Passed through to a Responses provider with unknown fields kept;
// the stream goes out event by event with `response.completed.response.output` filled in, and
// a non-stream request gets the finished Response object (an upstream's own JSON answer, as the
// bytes it came as).
import { Controller, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard } from '../access/access.guard';
import { GatewayError } from '../common/gateway-error';
import type { SseEvent } from '../protocol/sse';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { RequestRouter } from '../routing/request-router.service';
import { noteRequest } from '../logging/request-notes';
import { UsageMeter } from '../usage/usage-meter';
import { ResponsesAccumulator } from '../translate/responses-accumulator';
import { collectResponse } from './bridges/chat-via-responses';
import { responsesEventOf } from './bridges/parse-event';
import { toGatewayError } from './errors/to-gateway-error';
import { sendUpstreamJson } from './json-response';
import { responsesClientHeaders } from './responses-client-headers';
import { ActiveStreams } from './streaming/active-streams';
import { abortWhenClientLeaves } from './streaming/client-abort';
import { sendSse } from './streaming/sse-response';
import { validateResponsesRequest } from './validation/responses-request.validator';

@Controller('v1')
@UseGuards(AccessGuard)
export class ResponsesController {
  private readonly logger = new Logger(ResponsesController.name);

  constructor(
    private readonly router: RequestRouter,
    private readonly registry: PluginRegistry,
    private readonly streams: ActiveStreams,
  ) {}

  @Post('responses')
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateResponsesRequest(request.body);
    const stream = body.stream === true;
    noteRequest(request.raw, { model: body.model, stream });
    const plan = this.router.plan(body.model);
    // Only providers that speak the Responses API can serve this route (no translator yet).
    const targets = plan.targets.filter((t) => t.instance.executor.protocol === 'openai-responses');
    if (targets.length === 0) {
      const first = plan.targets[0].instance;
      throw new GatewayError(
        400,
        `The model \`${body.model}\` is served by provider instance \`${first.name}\`, which /v1/responses cannot reach yet (it speaks ${first.executor.protocol}); use /v1/chat/completions for it.`,
        { type: 'invalid_request_error', code: 'unsupported_model_for_endpoint', param: 'model' },
      );
    }
    const abort = abortWhenClientLeaves(reply);
    const requestId = String(request.id);
    const keepaliveMs = this.registry.config.server.sseKeepaliveMs;
    const { target, result } = await this.router.forward(
      { ...plan, targets },
      {
        bodyFor: () => body,
        stream,
        signal: abort.signal,
        requestId,
        primeWaitMs: keepaliveMs,
        clientHeaders: responsesClientHeaders(request.headers),
        watch: new UsageMeter(request.raw),
      },
    );
    const instance = target.instance.name;
    noteRequest(request.raw, { instance });
    if (result.kind === 'json') {
      sendUpstreamJson(reply, result);
      return;
    }
    if (!stream) {
      reply.code(200).send(await collectResponse(result.events, instance));
      return;
    }
    const forwarded = new ForwardedEvents(result.events, instance);
    await sendSse({
      reply,
      events: forwarded,
      abort,
      errorEvent: (error) => forwarded.errorEvent(error, requestId),
      streams: this.streams,
      logger: this.logger,
      requestId,
      keepaliveMs,
    });
  }
}

/**
 * The upstream's events as they came, except `response.completed`, whose `output` is filled from
 * the streamed items (clients such as the Codex CLI read the final answer from it). Remembers the
 * last sequence number so an error event can follow it. The WebSocket route sends the same events.
 */
export class ForwardedEvents implements AsyncIterable<SseEvent> {
  private lastSequence = -1;

  constructor(
    private readonly events: AsyncIterable<SseEvent>,
    private readonly instance: string,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<SseEvent> {
    const accumulator = new ResponsesAccumulator();
    for await (const event of this.events) {
      const parsed = responsesEventOf(event, this.instance);
      if (typeof parsed.sequence_number === 'number') this.lastSequence = parsed.sequence_number;
      const forwarded = accumulator.push(parsed);
      yield forwarded === parsed ? { event: parsed.type, data: event.data } : { event: parsed.type, data: JSON.stringify(forwarded) };
    }
  }

  /**
   * An error in the Responses stream's own terms (`type: "error"`, code, message, param), with
   * OpenAI's `error` object too, which the openai SDK raises as an APIError.
   */
  errorEvent(error: unknown, requestId: string): SseEvent {
    const gatewayError = toGatewayError(error, { requestId });
    const detail = { type: gatewayError.type, code: gatewayError.code, message: gatewayError.message, param: gatewayError.param };
    return {
      event: 'error',
      data: JSON.stringify({
        type: 'error',
        sequence_number: this.lastSequence + 1,
        code: gatewayError.code,
        message: gatewayError.message,
        param: gatewayError.param,
        error: detail,
      }),
    };
  }
}
