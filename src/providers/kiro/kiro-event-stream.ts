// Kiro's answer as the gateway carries it: the HTTP body's AWS event-stream frames (protocol/
// event-stream-decoder.ts) decoded as they arrive, each event frame as one SseEvent whose `json`
// is its payload under its `:event-type` (`{assistantResponseEvent: {content}}`), for the
// kiro → chat translator. What ends the stream with an error instead (reference/
// wire-protocols.md §7 "Kiro"): a frame that is not one (a CRC mismatch, a cut frame) is a
// protocol failure; an `exception` frame, an `error` frame, or an event payload that is an AWS
// error (`_type`/`__type`, or `type: "error"`) is the upstream's error inside a 200.
import type { KiroStreamEvent } from '../../protocol/kiro-assistant-response';
import { EventStreamDecoder, EventStreamFrameError, type EventStreamFrame } from '../../protocol/event-stream-decoder';
import { isObject, type JsonObject } from '../../protocol/json-object';
import type { SseEvent } from '../../protocol/sse';
import { parseUpstreamObject } from '../../upstream/parse-upstream-json';
import { UpstreamError } from '../../upstream/upstream-error';

/** Events that say nothing about the answer (UI suggestions, links): not passed on. */
const IGNORED_EVENTS = new Set(['followupPromptEvent', 'supplementaryWebLinksEvent', 'invalidStateEvent']);

export async function* kiroEventStream(chunks: AsyncIterable<Uint8Array>, instance: string, secret?: string): AsyncGenerator<SseEvent> {
  const decoder = new EventStreamDecoder();
  try {
    for await (const chunk of chunks) {
      for (const frame of decoder.feed(chunk)) {
        const event = kiroEvent(frame, instance, secret);
        if (event) yield event;
      }
    }
    decoder.end();
  } catch (error) {
    if (!(error instanceof EventStreamFrameError)) throw error;
    throw new UpstreamError(`upstream ${instance} sent a broken event stream: ${error.message}`, { failure: 'protocol', instance, cause: error });
  }
}

/** One frame as an event, undefined for one to skip; throws the upstream's error for an error frame. */
export function kiroEvent(frame: EventStreamFrame, instance: string, secret?: string): SseEvent | undefined {
  const messageType = stringHeader(frame, ':message-type') ?? 'event';
  const text = Buffer.from(frame.payload.buffer, frame.payload.byteOffset, frame.payload.byteLength).toString('utf8');
  if (messageType === 'exception' || messageType === 'error') {
    const type = stringHeader(frame, ':exception-type') ?? stringHeader(frame, ':error-code') ?? messageType;
    throw kiroStreamError(instance, type, parseLoosely(text), secret, stringHeader(frame, ':error-message'));
  }
  const eventType = stringHeader(frame, ':event-type');
  if (!eventType || IGNORED_EVENTS.has(eventType) || text.trim() === '') return undefined;
  const payload = parseUpstreamObject(text, instance, `a ${eventType} event`);
  const awsType = payload._type ?? payload.__type;
  if (typeof awsType === 'string' || payload.type === 'error' || payload.type === 'exception') {
    throw kiroStreamError(instance, typeof awsType === 'string' ? awsType : eventType, payload, secret);
  }
  // CLIProxyAPI has seen payloads already nested under their event name; either way it is carried so.
  const inner = isObject(payload[eventType]) ? payload[eventType] : payload;
  const json: KiroStreamEvent = { [eventType]: inner };
  return { event: eventType, data: text, json };
}

/** Kiro's error inside a 200 (its status, where the type names one: a throttle is a 429). */
export function kiroStreamError(instance: string, type: string, payload: JsonObject | undefined, secret?: string, headerMessage?: string): UpstreamError {
  const error = isObject(payload?.error) ? payload.error : payload;
  const message = (typeof error?.message === 'string' && error.message) || (typeof error?.Message === 'string' && error.Message) || headerMessage || 'the upstream reported an error';
  const shortType = type.includes('#') ? type.slice(type.lastIndexOf('#') + 1) : type;
  return new UpstreamError(`upstream ${instance} reported ${shortType}: ${message}`, {
    failure: 'stream',
    instance,
    status: statusOfException(shortType),
    upstreamMessage: message,
    upstreamType: shortType,
    secret,
  });
}

function statusOfException(type: string): number | undefined {
  if (/throttl|toomanyrequests/i.test(type)) return 429;
  if (/validation/i.test(type)) return 400;
  if (/accessdenied|unauthorized/i.test(type)) return 403;
  if (/internalserver|serviceunavailable/i.test(type)) return 500;
  return undefined;
}

function stringHeader(frame: EventStreamFrame, name: string): string | undefined {
  const value = frame.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function parseLoosely(text: string): JsonObject | undefined {
  try {
    const json: unknown = JSON.parse(text);
    return isObject(json) ? json : undefined;
  } catch {
    return text.trim() ? { message: text.trim().slice(0, 500) } : undefined;
  }
}
