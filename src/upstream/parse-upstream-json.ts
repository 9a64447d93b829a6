// The one way to read JSON an upstream sent (a body, an SSE event, a WebSocket frame): parsed, or
// an UpstreamError with failure `protocol` that says which upstream sent what, so a captive
// portal's HTML or a truncated event fails clearly instead of as a TypeError further on.
import { isObject, type JsonObject } from '../protocol/json-object';
import { UpstreamError } from './upstream-error';

/**
 * @param what what the text was, for the message: "an event", "a websocket frame", "a body".
 */
export function parseUpstreamJson(text: string, instance: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError(`upstream ${instance} sent ${what} that is not JSON`, { failure: 'protocol', instance });
  }
}

/** The same, for JSON that must be an object (every body and event of the protocols we speak). */
export function parseUpstreamObject(text: string, instance: string, what: string): JsonObject {
  const json = parseUpstreamJson(text, instance, what);
  if (!isObject(json)) throw new UpstreamError(`upstream ${instance} sent ${what} that is not a JSON object`, { failure: 'protocol', instance });
  return json;
}
