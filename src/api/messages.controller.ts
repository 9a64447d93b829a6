// POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API for every model.
// A Claude model gets the body as it came (unknown fields kept, the client's betas merged) and
// its JSON answer goes back as the bytes it came as; any other model gets it translated to chat
// (and on to the Responses API for Codex) and its answer translated back — streamed as Anthropic
// events with `event:` lines, or as one Message. Errors here are Anthropic-shaped (the exception
// filter picks the dialect by route).
import { Controller, HttpCode, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard, NoKeyLimits } from '../access/access.guard';
import { GatewayError } from '../common/gateway-error';
import type { CountTokensResponse, MessagesRequest } from '../protocol/anthropic-messages';
import type { ChatCompletion, ChatCompletionRequest } from '../protocol/openai-chat';
import type { SseEvent } from '../protocol/sse';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { RequestRouter } from '../routing/request-router.service';
import { noteRequest } from '../logging/request-notes';
import { UsageMeter } from '../usage/usage-meter';
import { estimateInputTokens } from '../translate/estimate-tokens';
import { ChatViaResponses } from './bridges/chat-via-responses';
import { MessagesViaChat } from './bridges/messages-via-chat';
import { oncePerProtocol } from './bridges/once-per-protocol';
import { toAnthropicError } from './errors/anthropic-error';
import { toGatewayError } from './errors/to-gateway-error';
import { sendUpstreamJson } from './json-response';
import { ActiveStreams } from './streaming/active-streams';
import { abortWhenClientLeaves } from './streaming/client-abort';
import { sendSse } from './streaming/sse-response';
import { validateMessagesRequest } from './validation/messages-request.validator';

/** Client headers a Claude upstream needs to see (never the client's key). */
const FORWARDED_HEADERS = ['anthropic-beta', 'anthropic-version'];

@Controller('v1')
@UseGuards(AccessGuard)
export class MessagesController {
  private readonly logger = new Logger(MessagesController.name);

  constructor(
    private readonly router: RequestRouter,
    private readonly registry: PluginRegistry,
    private readonly streams: ActiveStreams,
    private readonly viaChat: MessagesViaChat,
    private readonly viaResponses: ChatViaResponses,
  ) {}

  @Post('messages')
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateMessagesRequest(request.body);
    const stream = body.stream === true;
    noteRequest(request.raw, { model: body.model, stream });
    const plan = this.router.plan(body.model);
    const abort = abortWhenClientLeaves(reply);
    const requestId = String(request.id);
    const keepaliveMs = this.registry.config.server.sseKeepaliveMs;
    const clientHeaders = forwardedHeaders(request);

    // Codex is reached through chat: Messages → chat → Responses.
    const asChat = oncePerProtocol(() => this.viaChat.request(body));
    const { target, result } = await this.router.forward(plan, {
      bodyFor: oncePerProtocol((protocol) =>
        protocol === 'anthropic-messages'
          ? body
          : protocol === 'openai-responses'
            ? this.viaResponses.request(asChat('openai-chat') as ChatCompletionRequest)
            : asChat('openai-chat'),
      ),
      stream,
      signal: abort.signal,
      requestId,
      clientHeaders,
      primeWaitMs: keepaliveMs,
      watch: new UsageMeter(request.raw),
    });

    const instance = target.instance.name;
    noteRequest(request.raw, { instance });
    const streamOut = (events: AsyncIterable<SseEvent>) =>
      sendSse({
        reply,
        events,
        abort,
        errorEvent: (error) => ({ event: 'error', data: JSON.stringify(toAnthropicError(toGatewayError(error, { requestId }))) }),
        streams: this.streams,
        logger: this.logger,
        requestId,
        keepaliveMs,
      });

    switch (target.instance.executor.protocol) {
      case 'anthropic-messages':
        if (result.kind === 'json') sendUpstreamJson(reply, result);
        else await streamOut(result.events);
        return;
      case 'openai-chat':
        if (result.kind === 'json') reply.code(200).send(this.viaChat.message(result.parsed() as ChatCompletion, body.model));
        else await streamOut(this.viaChat.events(result.events, { instance, model: body.model }));
        return;
      case 'openai-responses': {
        if (result.kind === 'json') throw new GatewayError(502, `upstream ${instance} answered without streaming`, { type: 'server_error', code: 'upstream_protocol_error' });
        if (!stream) {
          const completion = await this.viaResponses.completion(result.events, { instance, model: body.model });
          reply.code(200).send(this.viaChat.message(completion, body.model));
          return;
        }
        // Usage is always asked for: Anthropic's message_delta reports it.
        const chunks = this.viaResponses.chunks(result.events, { instance, model: body.model, includeUsage: true });
        await streamOut(this.viaChat.events(chunks, { instance, model: body.model }));
        return;
      }
    }
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
