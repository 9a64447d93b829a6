// Turns one finished request's usage record into its spans, after the fact: the request as a
// SERVER span from its arrival to its end, and under it a CLIENT span per upstream attempt with
// the attempt's own times. No context manager is involved (it would tax every await of every
// stream): the parent of each span is passed explicitly, and an incoming W3C `traceparent` the
// record kept becomes the request span's parent.
import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { redactSecrets } from '../common/redact-secrets';
import type { UpstreamAttempt, UsageRecord } from '../store/usage-record';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  BYOKEY_ATTEMPT,
  BYOKEY_ATTEMPTS,
  BYOKEY_CACHED_TOKENS,
  BYOKEY_CLIENT_KEY,
  BYOKEY_COOLED_DOWN,
  BYOKEY_CREDENTIAL,
  BYOKEY_INSTANCE,
  BYOKEY_REASONING_TOKENS,
  BYOKEY_REQUEST_ID,
  BYOKEY_STREAM,
  BYOKEY_TTFB_MS,
  EVENT_FIRST_BYTE,
  EVENT_UPSTREAM_ANSWERED,
  EVENT_UPSTREAM_FIRST_EVENT,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_SYSTEM,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
} from './span-attributes';

/** The plugin type (`claude`, `openai-compatible` …) of a provider instance, if it is known. */
export type ProviderOf = (instance: string) => string | undefined;

/** Every model route is a chat, whatever its dialect (chat completions, messages, responses). */
const OPERATION = 'chat';
/** Upstream messages are the upstream's words: redacted, and cut to a length a backend shows. */
const MAX_MESSAGE_LENGTH = 500;
/** error.type for a failure without an HTTP status (refused connection, timeout), as the conventions say. */
const OTHER_ERROR = '_OTHER';
/** The client left: its request ended, but nothing failed. */
const CLIENT_CLOSED = 'client_closed';

const propagator = new W3CTraceContextPropagator();

export function traceRequest(tracer: Tracer, record: UsageRecord, providerOf: ProviderOf): void {
  const end = record.at + record.durationMs;
  const span = tracer.startSpan(
    requestSpanName(record.route),
    { kind: SpanKind.SERVER, startTime: new Date(record.at), attributes: requestAttributes(record, providerOf) },
    incomingParent(record.traceparent),
  );
  if (record.ttfbMs !== undefined) span.addEvent(EVENT_FIRST_BYTE, new Date(record.at + record.ttfbMs));
  const attempts = record.upstreamAttempts ?? [];
  if (requestFailed(record)) {
    const lastFailure = attempts.findLast((attempt) => attempt.error !== undefined)?.error;
    span.setStatus({ code: SpanStatusCode.ERROR, message: lastFailure ? `${record.errorType}: ${safeMessage(lastFailure)}` : record.errorType });
  }
  const parent = trace.setSpan(ROOT_CONTEXT, span);
  attempts.forEach((attempt, index) => traceAttempt(tracer, parent, record, attempt, index, end, providerOf));
  span.end(new Date(end));
}

/** HTTP's `{method} {route}` (every metered route is a POST); a WebSocket response's route names itself. */
function requestSpanName(route: string): string {
  return route.startsWith('/') ? `POST ${route}` : route;
}

function incomingParent(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  // An invalid header leaves the context as it was: the request starts a trace of its own.
  return propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/**
 * As the HTTP conventions have it for a server: a 5xx is an error, a 4xx is the client's (its
 * error.type still says why). An error after a 200 went out (in-stream) is an error too, unless
 * it was only the client leaving.
 */
function requestFailed(record: UsageRecord): boolean {
  if (record.status >= 500) return true;
  return record.status < 400 && record.errorType !== undefined && record.errorType !== CLIENT_CLOSED;
}

function requestAttributes(record: UsageRecord, providerOf: ProviderOf): Attributes {
  const attributes: Attributes = {
    [BYOKEY_REQUEST_ID]: record.requestId,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: record.status,
    [GEN_AI_OPERATION_NAME]: OPERATION,
    [BYOKEY_STREAM]: record.stream,
    [BYOKEY_ATTEMPTS]: record.attempts,
  };
  if (record.route.startsWith('/')) {
    attributes[ATTR_HTTP_REQUEST_METHOD] = 'POST';
    attributes[ATTR_HTTP_ROUTE] = record.route;
  }
  if (record.modelRequested !== undefined) attributes[GEN_AI_REQUEST_MODEL] = record.modelRequested;
  if (record.modelServed !== undefined) attributes[GEN_AI_RESPONSE_MODEL] = record.modelServed;
  if (record.instance !== undefined) setProvider(attributes, record.instance, providerOf);
  if (record.credential !== undefined) attributes[BYOKEY_CREDENTIAL] = record.credential;
  if (record.keyName !== undefined) attributes[BYOKEY_CLIENT_KEY] = record.keyName;
  if (record.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = record.errorType;
  if (record.ttfbMs !== undefined) attributes[BYOKEY_TTFB_MS] = record.ttfbMs;
  if (record.attempts > 0) setTokens(attributes, record);
  return attributes;
}

function setProvider(attributes: Attributes, instance: string, providerOf: ProviderOf): void {
  attributes[BYOKEY_INSTANCE] = instance;
  const provider = providerOf(instance);
  if (provider !== undefined) {
    attributes[GEN_AI_PROVIDER_NAME] = provider;
    attributes[GEN_AI_SYSTEM] = provider;
  }
}

function setTokens(attributes: Attributes, record: UsageRecord): void {
  attributes[GEN_AI_USAGE_INPUT_TOKENS] = record.tokens.input;
  attributes[GEN_AI_USAGE_OUTPUT_TOKENS] = record.tokens.output;
  if (record.tokens.cached > 0) attributes[BYOKEY_CACHED_TOKENS] = record.tokens.cached;
  if (record.tokens.reasoning > 0) attributes[BYOKEY_REASONING_TOKENS] = record.tokens.reasoning;
}

/**
 * One attempt's CLIENT span, named `chat {model}` as the GenAI conventions name a model call. A
 * failed attempt ends when it failed; the attempt that served (the last, not failed) ends with the
 * request, since its answer streamed until then, and carries the answer's model and tokens.
 */
function traceAttempt(
  tracer: Tracer,
  parent: Context,
  record: UsageRecord,
  attempt: UpstreamAttempt,
  index: number,
  requestEnd: number,
  providerOf: ProviderOf,
): void {
  const attempts = record.upstreamAttempts ?? [];
  const last = index === attempts.length - 1;
  const attributes: Attributes = {
    [BYOKEY_REQUEST_ID]: record.requestId,
    [BYOKEY_ATTEMPT]: index + 1,
    [GEN_AI_OPERATION_NAME]: OPERATION,
    [GEN_AI_REQUEST_MODEL]: attempt.model,
  };
  setProvider(attributes, attempt.instance, providerOf);
  if (attempt.credential !== undefined) attributes[BYOKEY_CREDENTIAL] = attempt.credential;
  const span = tracer.startSpan(`${OPERATION} ${attempt.model}`, { kind: SpanKind.CLIENT, startTime: new Date(attempt.startedAt), attributes }, parent);
  if (attempt.answeredAt !== undefined) span.addEvent(EVENT_UPSTREAM_ANSWERED, new Date(attempt.answeredAt));
  if (attempt.firstEventAt !== undefined && attempt.firstEventAt !== attempt.answeredAt) {
    span.addEvent(EVENT_UPSTREAM_FIRST_EVENT, new Date(attempt.firstEventAt));
  }
  if (attempt.failedAt !== undefined) {
    if (attempt.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, attempt.status);
    span.setAttribute(ATTR_ERROR_TYPE, attempt.status !== undefined ? String(attempt.status) : OTHER_ERROR);
    if (attempt.cooledDown) span.setAttribute(BYOKEY_COOLED_DOWN, true);
    span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.error === undefined ? undefined : safeMessage(attempt.error) });
    span.end(new Date(attempt.failedAt));
    return;
  }
  if (last) {
    span.setAttribute(GEN_AI_RESPONSE_MODEL, attempt.model);
    span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, record.tokens.input);
    span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, record.tokens.output);
    if (record.errorType !== undefined && record.errorType !== CLIENT_CLOSED) {
      span.setAttribute(ATTR_ERROR_TYPE, record.errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, message: record.errorType });
    }
  }
  // An attempt that neither failed nor served (not seen so far) ends where the next one began.
  span.end(new Date(last ? requestEnd : attempts[index + 1].startedAt));
}

function safeMessage(message: string): string {
  const redacted = redactSecrets(message);
  return redacted.length > MAX_MESSAGE_LENGTH ? `${redacted.slice(0, MAX_MESSAGE_LENGTH)}…` : redacted;
}
