// POST /v1/chat/completions: validate, pick the provider instance for the model, run it, and
// answer as JSON or as an OpenAI chat SSE stream. Providers that speak Chat Completions get the
// body as it came; those that speak the Responses API (Codex) or Messages (Claude) get it
// translated (bridges/).
import { Controller, Logger, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../common/gateway-error';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import type { AnthropicMessage } from '../protocol/anthropic-messages';
import { CHAT_STREAM_DONE, type ChatCompletionRequest } from '../protocol/openai-chat';
import type { SseEvent } from '../protocol/sse';
import { encodeSseEvent } from '../protocol/sse-encoder';
import type { UpstreamCall } from '../registry/provider-executor';
import { RequestRouter } from '../routing/request-router.service';
import { ChatViaMessages } from './bridges/chat-via-messages';
import { ChatViaResponses } from './bridges/chat-via-responses';
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
    private readonly viaResponses: ChatViaResponses,
    private readonly viaMessages: ChatViaMessages,
    config: ConfigService,
  ) {
    this.keepaliveMs = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY).server.sseKeepaliveMs;
  }

  @Post('chat/completions')
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateChatRequest(request.body);
    const target = this.router.route(body.model);
    const { executor, name: instance } = target.instance;
    const stream = body.stream === true;
    const abort = abortWhenClientLeaves(reply);
    const requestId = String(request.id);
    const call = <T>(upstreamBody: T): UpstreamCall<T> => ({
      instance: target.instance.config,
      credential: target.credential,
      model: target.upstreamModel,
      body: upstreamBody,
      stream,
      signal: abort.signal,
      requestId,
    });
    const streamOut = (events: AsyncIterable<SseEvent>) =>
      sendSse({
        reply,
        events,
        abort,
        terminator: DONE_FRAME,
        errorEvent: (error) => ({ data: JSON.stringify(toOpenAIError(toGatewayError(error, { requestId }))) }),
        streams: this.streams,
        logger: this.logger,
        requestId,
        keepaliveMs: this.keepaliveMs,
      });

    switch (executor.protocol) {
      case 'openai-chat': {
        const result = await executor.execute(call(body as ChatCompletionRequest));
        if (result.kind === 'json') reply.code(200).send(result.body);
        else await streamOut(result.events);
        return;
      }
      case 'openai-responses': {
        const result = await executor.execute(call(this.viaResponses.request(body)));
        if (result.kind === 'json') {
          throw new GatewayError(502, `upstream ${instance} answered without streaming, which this route cannot translate yet`, {
            type: 'server_error',
            code: 'upstream_protocol_error',
          });
        }
        if (!stream) {
          reply.code(200).send(await this.viaResponses.completion(result.events, { instance, model: body.model }));
          return;
        }
        const includeUsage = body.stream_options?.include_usage === true;
        await streamOut(this.viaResponses.chunks(result.events, { instance, model: body.model, includeUsage }));
        return;
      }
      case 'anthropic-messages': {
        const result = await executor.execute(call(this.viaMessages.request(body)));
        if (result.kind === 'json') {
          reply.code(200).send(this.viaMessages.completion(result.body as AnthropicMessage, body.model));
          return;
        }
        const includeUsage = body.stream_options?.include_usage === true;
        await streamOut(this.viaMessages.chunks(result.events, { instance, model: body.model, includeUsage }));
        return;
      }
      default:
        throw new GatewayError(
          501,
          `The model \`${body.model}\` is served by provider instance \`${instance}\` over ${executor.protocol}, which /v1/chat/completions cannot translate yet.`,
          { type: 'invalid_request_error', code: 'unsupported_protocol', param: 'model' },
        );
    }
  }
}
