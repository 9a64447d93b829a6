import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { UsageRecord } from '../store/usage-record';
import { traceRequest } from './request-spans';

const AT = Date.parse('2026-03-01T10:00:00Z');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    at: AT,
    requestId: 'req-1',
    keyName: 'team-a',
    route: '/v1/chat/completions',
    modelRequested: 'fast',
    modelServed: 'gpt-5',
    instance: 'backup',
    credential: 'api_keys[1]',
    status: 200,
    tokens: { input: 12, output: 5, cached: 2, reasoning: 0 },
    ttfbMs: 300,
    durationMs: 1000,
    stream: true,
    attempts: 2,
    upstreamAttempts: [
      { instance: 'main', model: 'gpt-5', credential: 'api_keys[0]', startedAt: AT + 10, failedAt: AT + 110, status: 429, error: 'rate limited', cooledDown: true },
      { instance: 'backup', model: 'gpt-5', credential: 'api_keys[1]', startedAt: AT + 120, answeredAt: AT + 250, firstEventAt: AT + 280 },
    ],
    ...overrides,
  };
}

const TYPES: Record<string, string> = { main: 'openai-compatible', backup: 'claude' };

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;

beforeEach(() => {
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
});

afterEach(() => provider.shutdown());

function trace(r: UsageRecord): { request: ReadableSpan; attempts: ReadableSpan[] } {
  traceRequest(provider.getTracer('test'), r, (instance) => TYPES[instance]);
  const spans = exporter.getFinishedSpans();
  const request = spans.find((span) => span.kind === SpanKind.SERVER);
  if (!request) throw new Error('no request span');
  const attempts = spans.filter((span) => span.kind === SpanKind.CLIENT).sort((a, b) => hrTimeToMilliseconds(a.startTime) - hrTimeToMilliseconds(b.startTime));
  expect(spans).toHaveLength(1 + attempts.length);
  return { request, attempts };
}

const ms = (time: ReadableSpan['startTime']) => hrTimeToMilliseconds(time);

describe('traceRequest', () => {
  it('makes a SERVER span for the request with its times and GenAI attributes', () => {
    const { request } = trace(record());
    expect(request.name).toBe('POST /v1/chat/completions');
    expect(ms(request.startTime)).toBe(AT);
    expect(ms(request.endTime)).toBe(AT + 1000);
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.attributes).toEqual({
      'byokey.request_id': 'req-1',
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'fast',
      'gen_ai.response.model': 'gpt-5',
      'gen_ai.provider.name': 'claude',
      'gen_ai.system': 'claude',
      'byokey.instance': 'backup',
      'byokey.credential': 'api_keys[1]',
      'byokey.client_key': 'team-a',
      'byokey.stream': true,
      'byokey.attempts': 2,
      'byokey.ttfb_ms': 300,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'byokey.usage.cached_tokens': 2,
    });
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
    expect(request.events.map((event) => [event.name, ms(event.time)])).toEqual([['byokey.first_byte', AT + 300]]);
  });

  it('makes a CLIENT span per attempt under the request span: the failed one ends when it failed, the serving one with the request', () => {
    const { request, attempts } = trace(record());
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(attempt.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(attempt.name).toBe('chat gpt-5');
    }
    const [failed, served] = attempts;
    expect([ms(failed.startTime), ms(failed.endTime)]).toEqual([AT + 10, AT + 110]);
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    expect(failed.attributes).toMatchObject({
      'byokey.attempt': 1,
      'byokey.instance': 'main',
      'gen_ai.provider.name': 'openai-compatible',
      'byokey.credential': 'api_keys[0]',
      'http.response.status_code': 429,
      'error.type': '429',
      'byokey.cooled_down': true,
    });
    expect(failed.attributes['gen_ai.usage.input_tokens']).toBeUndefined();

    expect([ms(served.startTime), ms(served.endTime)]).toEqual([AT + 120, AT + 1000]);
    expect(served.status.code).toBe(SpanStatusCode.UNSET);
    expect(served.attributes).toMatchObject({
      'byokey.attempt': 2,
      'byokey.instance': 'backup',
      'gen_ai.response.model': 'gpt-5',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(served.events.map((event) => [event.name, ms(event.time)])).toEqual([
      ['byokey.upstream.answered', AT + 250],
      ['byokey.upstream.first_event', AT + 280],
    ]);
  });

  it('marks a request every attempt of which failed as an error, saying why without the secret', () => {
    const { request, attempts } = trace(
      record({
        status: 502,
        errorType: 'upstream_error',
        ttfbMs: undefined,
        attempts: 1,
        upstreamAttempts: [{ instance: 'main', model: 'gpt-5', startedAt: AT + 5, failedAt: AT + 50, error: 'connect refused for key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789' }],
      }),
    );
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
    expect(request.status.message).toContain('upstream_error: connect refused');
    expect(request.attributes['error.type']).toBe('upstream_error');
    expect(request.events).toEqual([]);
    expect(attempts).toHaveLength(1);
    expect(attempts[0].attributes['error.type']).toBe('_OTHER');
    expect(attempts[0].attributes['http.response.status_code']).toBeUndefined();
    for (const message of [request.status.message, attempts[0].status.message]) expect(message).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('leaves a client error (4xx) unset as the HTTP conventions say, with its error.type', () => {
    const { request, attempts } = trace(record({ status: 400, errorType: 'invalid_request_error', attempts: 0, upstreamAttempts: undefined, ttfbMs: 2 }));
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
    expect(request.attributes['error.type']).toBe('invalid_request_error');
    expect(request.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(attempts).toEqual([]);
  });

  it('marks an error that came after the first byte (in-stream) on the request and on the serving attempt', () => {
    const { request, attempts } = trace(record({ errorType: 'upstream_error' }));
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[1].status).toEqual({ code: SpanStatusCode.ERROR, message: 'upstream_error' });
  });

  it('does not call a client that left an error', () => {
    const { request, attempts } = trace(record({ errorType: 'client_closed' }));
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
    expect(attempts[1].status.code).toBe(SpanStatusCode.UNSET);
  });

  it('continues the trace of an incoming traceparent', () => {
    const { request, attempts } = trace(record({ traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` }));
    expect(request.spanContext().traceId).toBe(TRACE_ID);
    expect(request.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(request.parentSpanContext?.isRemote).toBe(true);
    expect(attempts[0].spanContext().traceId).toBe(TRACE_ID);
  });

  it('starts a trace of its own when the traceparent is malformed', () => {
    const { request } = trace(record({ traceparent: 'not-a-traceparent' }));
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('names a Responses WebSocket response by its route, without HTTP method and route attributes', () => {
    const { request } = trace(record({ route: 'GET /v1/responses (websocket)' }));
    expect(request.name).toBe('GET /v1/responses (websocket)');
    expect(request.attributes['http.route']).toBeUndefined();
  });

  it('leaves gen_ai.provider.name out when the instance is no longer configured', () => {
    traceRequest(provider.getTracer('test'), record({ instance: 'gone', upstreamAttempts: [] }), () => undefined);
    const [span] = exporter.getFinishedSpans();
    expect(span.attributes['byokey.instance']).toBe('gone');
    expect(span.attributes['gen_ai.provider.name']).toBeUndefined();
  });
});
