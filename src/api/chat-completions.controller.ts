// POST /v1/chat/completions: validate, let routing pick (and fail over between) provider
// instances and credentials, and answer as JSON or as an OpenAI chat SSE stream. Providers that
// speak Chat Completions get the body as it came, and their JSON answer goes back as the bytes it
// came as; those that speak the Responses API (Codex) or Messages (Claude) get it translated
// (bridges/).
import { Controller, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard } from '../access/access.guard';
import { GatewayError } from '../common/gateway-error';
import type { AnthropicMessage } from '../protocol/anthropic-messages';
import { CHAT_STREAM_DONE, type ChatCompletionRequest } from '../protocol/openai-chat';
import type { SseEvent } from '../protocol/sse';
import { encodeSseEvent } from '../protocol/sse-encoder';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { RequestRouter } from '../routing/request-router.service';
import { noteRequest } from '../logging/request-notes';
import { UsageMeter } from '../usage/usage-meter';
import { ChatViaMessages } from './bridges/chat-via-messages';
import { ChatViaResponses } from './bridges/chat-via-responses';
import { oncePerProtocol } from './bridges/once-per-protocol';
import { askForUsage, withoutAskedUsage } from './chat-usage-chunks';
import { toOpenAIError } from './errors/openai-error';
import { toGatewayError } from './errors/to-gateway-error';
import { sendUpstreamJson } from './json-response';
import { ActiveStreams } from './streaming/active-streams';
import { abortWhenClientLeaves } from './streaming/client-abort';
import { sendSse } from './streaming/sse-response';
import { validateChatRequest } from './validation/chat-request.validator';

const DONE_FRAME = encodeSseEvent({ data: CHAT_STREAM_DONE });

@Controller('v1')
@UseGuards(AccessGuard)
export class ChatCompletionsController {
  private readonly logger = new Logger(ChatCompletionsController.name);

  constructor(
    private readonly router: RequestRouter,
    private readonly registry: PluginRegistry,
    private readonly streams: ActiveStreams,
    private readonly viaResponses: ChatViaResponses,
    private readonly viaMessages: ChatViaMessages,
  ) {}

  @Post('chat/completions')
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateChatRequest(request.body) as ChatCompletionRequest;
    const stream = body.stream === true;
    noteRequest(request.raw, { model: body.model, stream });
    const plan = this.router.plan(body.model);
    const abort = abortWhenClientLeaves(reply);
    const requestId = String(request.id);
    const keepaliveMs = this.registry.config.server.sseKeepaliveMs;
    const includeUsage = body.stream_options?.include_usage === true;
    // Usage accounting needs the usage chunk of every stream; the client gets it only if it asked.
    const usageAsked = stream && !includeUsage;

    const { target, result } = await this.router.forward(plan, {
      bodyFor: oncePerProtocol((protocol) =>
        protocol === 'openai-responses'
          ? this.viaResponses.request(body)
          : protocol === 'anthropic-messages'
            ? this.viaMessages.request(body)
            : usageAsked
              ? askForUsage(body)
              : body,
      ),
      stream,
      signal: abort.signal,
      requestId,
      primeWaitMs: keepaliveMs,
      watch: new UsageMeter(request.raw),
    });

    const instance = target.instance.name;
    noteRequest(request.raw, { instance });
    const streamOut = (events: AsyncIterable<SseEvent>, rewrite?: (event: SseEvent) => SseEvent | undefined) =>
      sendSse({
        reply,
        events,
        abort,
        terminator: DONE_FRAME,
        errorEvent: (error) => ({ data: JSON.stringify(toOpenAIError(toGatewayError(error, { requestId }))) }),
        streams: this.streams,
        logger: this.logger,
        requestId,
        keepaliveMs,
        rewrite,
      });

    switch (target.instance.executor.protocol) {
      case 'openai-chat':
        if (result.kind === 'json') sendUpstreamJson(reply, result);
        else await streamOut(result.events, usageAsked ? withoutAskedUsage : undefined);
        return;
      case 'openai-responses':
        if (result.kind === 'json') throw unexpectedJson(instance);
        if (!stream) reply.code(200).send(await this.viaResponses.completion(result.events, { instance, model: body.model }));
        else await streamOut(this.viaResponses.chunks(result.events, { instance, model: body.model, includeUsage }));
        return;
      case 'anthropic-messages':
        if (result.kind === 'json') reply.code(200).send(this.viaMessages.completion(result.parsed() as AnthropicMessage, body.model));
        else await streamOut(this.viaMessages.chunks(result.events, { instance, model: body.model, includeUsage }));
        return;
    }
  }
}

function unexpectedJson(instance: string): GatewayError {
  return new GatewayError(502, `upstream ${instance} answered without streaming, which this route cannot translate`, {
    type: 'server_error',
    code: 'upstream_protocol_error',
  });
}
