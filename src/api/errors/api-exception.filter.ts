// The one place errors leave the gateway as HTTP responses, in the caller's dialect. Registered
// globally, so it also receives Fastify's body-parsing errors and unknown routes.
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AMP_PROVIDER_PREFIX } from '../../common/public-routes';
import { GATEWAY_CONFIG_KEY } from '../../config/config.module';
import type { GatewayConfig } from '../../config/gateway-config';
import { noteRequest } from '../../logging/request-notes';
import { UpstreamError } from '../../upstream/upstream-error';
import { anthropicStatus, toAnthropicError, toGoogleError, toOpenAIError } from '../../translate/error-bodies';
import { errorNote } from './error-note';
import { lingerOverRefusedBody } from './refused-body';
import { toGatewayError } from './to-gateway-error';

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private readonly bodyLimit: number;

  constructor(config: ConfigService) {
    this.bodyLimit = config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY).server.bodyLimit;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const route = `${request.method} ${request.url.split('?')[0]}`;
    const reqId = String(request.id);
    const error = toGatewayError(exception, { requestId: reqId, bodyLimit: this.bodyLimit, route });

    // The request's own log line (request-logging.ts) says why it failed; only a bug gets a
    // line of its own, with the stack.
    if (error.status >= 500 && error.code === 'internal_error') {
      this.logger.error({ reqId, err: exception, route }, 'unexpected error');
    }
    const cause = error.cause;
    noteRequest(request.raw, {
      ...(cause instanceof UpstreamError ? { instance: cause.instance } : {}),
      error: errorNote(error),
    });
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    if (error.status === 413) lingerOverRefusedBody(request.raw, reply);
    // /v1/messages speaks Anthropic's dialect; every other route OpenAI's, but for the model
    // list and lookup, which answer in whichever dialect the caller speaks; /v1beta (Gemini's
    // routes) speaks Google's. Amp's /api/provider/<dialect>/ prefixes speak their dialect's.
    if (isGoogleRoute(request.url)) {
      const body = toGoogleError(error);
      reply.code(body.error.code).headers(error.headers).send(body);
    } else if (isAnthropicRoute(request.url) || (isModelsRoute(request.url) && request.headers['anthropic-version'] !== undefined)) {
      reply.code(anthropicStatus(error)).headers(error.headers).send(toAnthropicError(error, reqId));
    } else {
      reply.code(error.status).headers(error.headers).send(toOpenAIError(error));
    }
  }
}

/**
 * Gemini's routes (`/v1beta/…`, `/v1/models/{model}:{method}`, and everything under Amp's
 * `/api/provider/google/`) answer errors as google.rpc.Status.
 */
export function isGoogleRoute(url: string): boolean {
  return (
    url === '/v1beta' ||
    url.startsWith('/v1beta/') ||
    url.startsWith('/v1beta?') ||
    url.startsWith(`${AMP_PROVIDER_PREFIX}/google/`) ||
    /^\/v1\/models\/[^?]*:[A-Za-z]+(?:\?|$)/.test(url)
  );
}

/** /v1/messages (and count_tokens), and everything under Amp's `/api/provider/anthropic/`, whose clients speak Anthropic's API. */
export function isAnthropicRoute(url: string): boolean {
  return url === '/v1/messages' || url.startsWith('/v1/messages/') || url.startsWith('/v1/messages?') || url.startsWith(`${AMP_PROVIDER_PREFIX}/anthropic/`);
}

/** GET /v1/models and /v1/models/{id}: answered in Anthropic's shape to a caller that sends `anthropic-version`. */
function isModelsRoute(url: string): boolean {
  return url === '/v1/models' || url.startsWith('/v1/models/') || url.startsWith('/v1/models?');
}
