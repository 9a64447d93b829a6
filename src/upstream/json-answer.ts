// An upstream's whole (non-stream) JSON answer, kept as the text it came as. A route that
// answers in the upstream's own protocol and changes nothing sends that text on as it is
// (serialising the parsed object again would be work for nothing), but only after the text was
// parsed: a 200 is forwarded as a 200 only when it is a JSON object.
import { parseUpstreamObject } from './parse-upstream-json';

export interface JsonAnswer<T = unknown> {
  /** The body exactly as the upstream sent it (decoded as UTF-8). */
  raw: string;
  /** The body as an object (parsed once, when the answer was read). */
  parsed(): T;
}

/**
 * Wraps a 200's body, checked at once: a body that is not a JSON object (a captive portal's
 * HTML, a truncated answer, `{this is not json}`) fails here, as an UpstreamError with failure
 * `protocol`, before anything reaches the client. The parse is kept for whoever needs the object.
 * (A scan that builds nothing was tried instead of JSON.parse: on the strings the body reader
 * produces it cost more than V8's parser.)
 */
export function readJsonAnswer<T = unknown>(text: string, instance: string): JsonAnswer<T> {
  const value = parseUpstreamObject(text, instance, 'a body');
  return { raw: text, parsed: () => value as T };
}
