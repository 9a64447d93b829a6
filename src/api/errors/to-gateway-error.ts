// Any error thrown while serving a request, as the GatewayError the client will see: our own
// errors as they are, upstream failures mapped, Fastify's body-size and content-type errors and
// unknown routes given clear messages, and anything else hidden behind a 500 that names the request id.
import { HttpException } from '@nestjs/common';
import { GatewayError } from '../../common/gateway-error';
import { UpstreamShapeError } from '../../translate/bridges/bridge';
import { ChatStreamError } from '../../translate/chat-stream-error';
import { MessagesStreamError } from '../../translate/messages-stream-error';
import { ResponsesStreamError } from '../../translate/responses-stream-error';
import { TranslationRefusal } from '../../translate/translation-refusal';
import { UpstreamError } from '../../upstream/upstream-error';
import { mapUpstreamError } from './upstream-error.mapper';

export interface ErrorContext {
  requestId: string;
  /** For the 413 message. */
  bodyLimit?: number;
  /** `METHOD /path`, for the unknown-route message. */
  route?: string;
}

export function toGatewayError(error: unknown, context: ErrorContext): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof UpstreamError) return mapUpstreamError(error);
  if (error instanceof UpstreamShapeError) {
    return new GatewayError(502, error.message, { type: 'server_error', code: 'upstream_protocol_error', cause: error });
  }
  // The client asked for something the chosen upstream's protocol cannot carry: its request to fix.
  if (error instanceof TranslationRefusal) {
    return new GatewayError(400, error.message, { type: 'invalid_request_error', code: error.code, param: error.param, cause: error });
  }
  if (error instanceof ResponsesStreamError || error instanceof ChatStreamError || error instanceof MessagesStreamError) {
    return translatedStreamError(error);
  }

  // Nest hands Fastify's own errors (body too large, wrong content type) over as HttpExceptions
  // with Fastify's status; routes it cannot find become NotFoundException.
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 413) {
      return new GatewayError(
        413,
        context.bodyLimit === undefined
          ? 'The request body is larger than this gateway accepts (raise server.body_limit in providers.yaml).'
          : `The request body is larger than this gateway accepts (${context.bodyLimit} bytes; raise server.body_limit in providers.yaml).`,
        { type: 'request_too_large', code: 'request_too_large' },
      );
    }
    if (status === 415) {
      return new GatewayError(415, 'The request body must be JSON, sent with Content-Type: application/json.', {
        type: 'invalid_request_error',
        code: 'unsupported_media_type',
      });
    }
    if (status === 404) {
      return new GatewayError(404, `Unknown route: ${context.route ?? 'this path'}.`, { type: 'not_found_error', code: 'unknown_url' });
    }
    return new GatewayError(status, error.message, { type: status >= 500 ? 'server_error' : 'invalid_request_error' });
  }
  return new GatewayError(
    500,
    `The gateway failed unexpectedly while handling this request; its log has the details under request id ${context.requestId}.`,
    { type: 'server_error', code: 'internal_error', cause: error },
  );
}

/**
 * A stream that failed on its own terms, as a translator saw it (no provider mapped it): an
 * overloaded upstream stays overloaded, a 4xx it stated stays, anything else is its failure.
 */
function translatedStreamError(error: ResponsesStreamError | ChatStreamError | MessagesStreamError): GatewayError {
  const headers = error instanceof ResponsesStreamError ? error.headers : {};
  const code = 'code' in error && typeof error.code === 'string' ? error.code : (error.type ?? 'upstream_error');
  const message = `the upstream could not complete the answer: ${error.message}`;
  if (error.status === 529 || error.type === 'overloaded_error') {
    return new GatewayError(503, message, { type: 'overloaded_error', code: 'overloaded', headers, cause: error });
  }
  const status = error.status !== undefined && error.status >= 400 && error.status < 500 ? error.status : 502;
  return new GatewayError(status, message, {
    type: status === 429 ? 'rate_limit_error' : status < 500 ? 'invalid_request_error' : 'server_error',
    code,
    headers,
    cause: error,
  });
}
