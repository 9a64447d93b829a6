// An upstream's whole (non-stream) JSON answer, kept as the text it came as. A route that
// answers in the upstream's own protocol and changes nothing sends that text on as it is;
// parsing it only to have Fastify serialise the same object again is work for nothing on the
// hot path. The object is parsed only when someone asks for it (a translator), and only once.
import { UpstreamError } from './upstream-error';

export interface JsonAnswer<T = unknown> {
  /** The body exactly as the upstream sent it (decoded as UTF-8). */
  raw: string;
  /** The body as an object: parsed on the first call, then kept. Throws like `readJsonAnswer`. */
  parsed(): T;
}

/**
 * Wraps a 200's body. A body that does not even look like a JSON object (`{` … `}` around
 * whitespace) is parsed at once, so a captive portal's HTML or a truncated answer still fails
 * here, as an UpstreamError with failure `protocol`, before anything reaches the client; a body
 * that looks like one is trusted until it is needed as an object.
 */
export function readJsonAnswer<T = unknown>(text: string, instance: string): JsonAnswer<T> {
  let value: { parsed: T } | undefined;
  const parsed = (): T => {
    if (!value) value = { parsed: parseJson(text, instance) as T };
    return value.parsed;
  };
  if (!looksLikeJsonObject(text)) parsed();
  return { raw: text, parsed };
}

/** True when the first and last characters other than JSON whitespace are `{` and `}`. */
export function looksLikeJsonObject(text: string): boolean {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && isJsonWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isJsonWhitespace(text.charCodeAt(end))) end--;
  return end > start && text.charCodeAt(start) === OPEN_BRACE && text.charCodeAt(end) === CLOSE_BRACE;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Space, tab, line feed, carriage return: the only whitespace JSON allows around a value. */
function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function parseJson(text: string, instance: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError(`upstream ${instance} answered with a body that is not JSON`, { failure: 'protocol', instance });
  }
}
