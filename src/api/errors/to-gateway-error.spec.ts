// toGatewayError: every thrown thing as the GatewayError a client sees — ours unchanged,
// upstream failures mapped, Nest/Fastify HttpExceptions explained, anything else a 500.
import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { GatewayError, invalidRequest } from '../../common/gateway-error';
import { TranslationRefusal } from '../../translate/translation-refusal';
import { UpstreamError } from '../../upstream/upstream-error';
import { toGatewayError } from './to-gateway-error';

const context = { requestId: 'req-123', bodyLimit: 1048576, route: 'POST /v1/nope' };

describe('toGatewayError', () => {
  it('returns a GatewayError as it is', () => {
    const error = invalidRequest('bad', 'model');
    expect(toGatewayError(error, context)).toBe(error);
  });

  it('maps an UpstreamError (upstream 5xx → 502 upstream_error)', () => {
    const error = toGatewayError(new UpstreamError('x', { failure: 'status', instance: 'vllm', status: 500 }), context);
    expect([error.status, error.code, error.message]).toEqual([502, 'upstream_error', 'upstream vllm failed (HTTP 500): no error message']);
  });

  it('answers a TranslationRefusal as a 400 invalid_request_error with its message, code and param', () => {
    const refusal = new TranslationRefusal('the web_search tool cannot run on a chat model', { code: 'unsupported_tool', param: 'tools[1]' });
    const error = toGatewayError(refusal, context);
    expect([error.status, error.type, error.code, error.param, error.message]).toEqual([
      400,
      'invalid_request_error',
      'unsupported_tool',
      'tools[1]',
      'the web_search tool cannot run on a chat model',
    ]);
  });

  it('maps an upstream timeout to 504', () => {
    const error = toGatewayError(new UpstreamError('slow', { failure: 'timeout', instance: 'vllm' }), context);
    expect([error.status, error.type, error.code]).toEqual([504, 'timeout_error', 'upstream_timeout']);
  });

  it.each<[string, unknown]>([
    ['an Error', new Error('secret internals: db password wrong')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a thrown string', 'oops'],
    ['undefined', undefined],
  ])('hides %s behind a 500 internal_error naming the request id', (_label, thrown) => {
    const error = toGatewayError(thrown, context);
    expect([error.status, error.type, error.code, error.param]).toEqual([500, 'server_error', 'internal_error', null]);
    expect(error.message).toBe(
      'The gateway failed unexpectedly while handling this request; its log has the details under request id req-123.',
    );
    expect(error.cause).toBe(thrown);
  });

  it("turns Nest's NotFoundException (unknown route) into 404 unknown_url naming the route", () => {
    const error = toGatewayError(new NotFoundException('Cannot POST /v1/nope'), context);
    expect([error.status, error.type, error.code]).toEqual([404, 'not_found_error', 'unknown_url']);
    expect(error.message).toBe('Unknown route: POST /v1/nope.');
  });

  it('says "this path" when the route is not known', () => {
    expect(toGatewayError(new NotFoundException(), { requestId: 'r' }).message).toBe('Unknown route: this path.');
  });

  it('explains a 413 with the configured body limit', () => {
    const error = toGatewayError(new PayloadTooLargeException(), context);
    expect([error.status, error.type, error.code]).toEqual([413, 'request_too_large', 'request_too_large']);
    expect(error.message).toBe(
      'The request body is larger than this gateway accepts (1048576 bytes; raise server.body_limit in providers.yaml).',
    );
  });

  it('explains a 415 as "send JSON"', () => {
    const error = toGatewayError(new UnsupportedMediaTypeException(), context);
    expect([error.status, error.type, error.code]).toEqual([415, 'invalid_request_error', 'unsupported_media_type']);
    expect(error.message).toContain('Content-Type: application/json');
  });

  it.each<[string, HttpException, number, string]>([
    ['a 400', new BadRequestException('Body is not valid JSON'), 400, 'invalid_request_error'],
    ['a 503', new ServiceUnavailableException('shutting down'), 503, 'server_error'],
    ['a custom status', new HttpException('teapot', 418), 418, 'invalid_request_error'],
  ])('keeps the status and message of %s', (_label, exception, status, type) => {
    const error = toGatewayError(exception, context);
    expect(error).toBeInstanceOf(GatewayError);
    expect([error.status, error.type, error.message]).toEqual([status, type, exception.message]);
  });
});
