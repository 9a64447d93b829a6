// The text a client's JSON body was parsed from, kept beside the parsed object (by identity), so
// a body that reaches an upstream unchanged goes out as the client's own bytes. That keeps what a
// parse and a re-serialization would lose or change (an integer beyond 2^53, `1.0`, escapes, key
// spacing) and saves the serialization (about 7 µs for a small chat request).
//
// It holds because nothing changes a client's body in place: every step that alters one (a
// bridge, payload rules, a model rename, an executor's fields) copies it first, and a copy has no
// text here, so it is serialized as before.
//
// A body whose text has `model`, `stream` or `include_usage` as a key twice is serialized: the
// gateway reads the last of duplicate keys (JSON.parse), and an upstream that reads the first
// would route, stream or report usage differently from what the gateway checked and counted.
// That is looked at only when a text is about to be sent, not for every body parsed.

const texts = new WeakMap<object, string>();
/** Copies that are a client's body with routing fields added, and the body each was made from. */
const routedFrom = new WeakMap<object, object>();

/** Keeps `text` as the source of `parsed` (a JSON object or array just parsed from it). */
export function rememberRawJson(parsed: object, text: string): void {
  texts.set(parsed, text);
}

/**
 * Keeps for `copy` — `body` with one top-level field added — the client's text of `body` with
 * that field appended, when that text is kept and names no such field already.
 */
export function rememberWithField(body: object, copy: object, key: string, valueJson: string): void {
  const text = texts.get(body);
  if (text === undefined || text.includes(`"${key}"`)) return;
  const end = text.lastIndexOf('}');
  // No other field: no comma goes before the new one.
  if (end === -1 || Object.keys(body).length === 0) return;
  texts.set(copy, `${text.slice(0, end)},"${key}":${valueJson}${text.slice(end)}`);
}

/**
 * Records that `routed` is `body` with the routing fields `added` set (the Gemini route puts the
 * URL's model and method into the body), when `body` has none of them itself: an upstream that
 * takes those fields out again can then send `body`, and so the client's own bytes.
 */
export function rememberRoutingFields(body: object, routed: object, added: readonly string[]): void {
  if (added.some((key) => Object.prototype.hasOwnProperty.call(body, key))) return;
  routedFrom.set(routed, body);
}

/** The client's body `routed` was made from by adding routing fields, when `routed` reached here unchanged. */
export function bodyBeforeRouting(routed: object): object | undefined {
  return routedFrom.get(routed);
}

/** The body as JSON text: the client's own bytes when it is the object parsed from them, else serialized. */
export function jsonText(body: object): string {
  const text = texts.get(body);
  return text !== undefined && !namesTwice(text, '"model"') && !namesTwice(text, '"stream"') && !namesTwice(text, '"include_usage"')
    ? text
    : JSON.stringify(body);
}

/**
 * Whether `token` (a quoted name) is a key more than once: a quote inside a JSON string is
 * escaped, so the token stands only as a key (a colon follows) or as a string value equal to the
 * name (`"role": "model"`, which is no key).
 */
function namesTwice(text: string, token: string): boolean {
  let keys = 0;
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + token.length)) {
    let next = at + token.length;
    while (next < text.length && isJsonSpace(text.charCodeAt(next))) next++;
    if (text.charCodeAt(next) === COLON && ++keys > 1) return true;
  }
  return false;
}

const COLON = 0x3a;

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}
