// POST /v1/chat/completions: validate, pick the provider instance for the model, run it, and
// answer as JSON or as an OpenAI chat SSE stream.
import { Controller, Logger, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../common/gateway-error';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import { CHAT_STREAM_DONE, type ChatCompletionRequest } from '../protocol/openai-chat';
import { encodeSseEvent } from '../protocol/sse-encoder';
import { RequestRouter } from '../routing/request-router.service';
import { toOpenAIError } from './errors/openai-error';
import { toGatewayError } from './errors/to-gateway-error';
import { ActiveStreams } from './streaming/active-streams';
import { abortWhenClientLeaves } from './streaming/client-abort';
import { sendSse } from './streaming/sse-response';
import { validateChatRequest } from './validation/chat-request.validator';

const DONE_FRAME = encodeSseEvent({ data: CHAT_STREAM_DONE });

@Controller('v1')
export class ChatCompletionsController {
  private readonly logger = new Logger(ChatCompletionsController.name);
  private readonly keepaliveMs: number;

  constructor(
    private readonly router: RequestRouter,
    private readonly streams: ActiveStreams,
    config: ConfigService,
  ) {
    this.keepaliveMs = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY).server.sseKeepaliveMs;
  }

  @Post('chat/completions')
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateChatRequest(request.body);
    const target = this.router.route(body.model);
    const executor = target.instance.executor;
    if (executor.protocol !== 'openai-chat') {
      throw new GatewayError(
        501,
        `The model \`${body.model}\` is served by provider instance \`${target.instance.name}\` over ${executor.protocol}, which /v1/chat/completions cannot translate yet.`,
        { type: 'invalid_request_error', code: 'unsupported_protocol', param: 'model' },
      );
    }
    const stream = body.stream === true;
    const abort = abortWhenClientLeaves(reply);
    const requestId = String(request.id);
    const result = await executor.execute({
      instance: target.instance.config,
      credential: target.credential,
      model: target.upstreamModel,
      body: body as ChatCompletionRequest,
      stream,
      signal: abort.signal,
      requestId,
    });

    if (result.kind === 'json') {
      reply.code(200).send(result.body);
      return;
    }
    await sendSse({
      reply,
      events: result.events,
      abort,
      terminator: DONE_FRAME,
      errorEvent: (error) => ({
        data: JSON.stringify(toOpenAIError(toGatewayError(error, { requestId }))),
      }),
      streams: this.streams,
      logger: this.logger,
      requestId,
      keepaliveMs: this.keepaliveMs,
    });
  }
}
