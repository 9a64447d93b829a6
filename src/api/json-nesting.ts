// How deep a JSON text nests, found by one pass over the text before it is parsed. A body nested
// thousands of levels parses fine, but later recursive work on it (JSON.stringify when it is
// forwarded or translated, structuredClone, validators) overflows the stack; refusing it up front
// keeps every later step safe. Strings are skipped with indexOf, so a body of base64 images
// costs little more than a memchr over it.

/** Nesting deeper than this is refused. Real requests (tool schemas included) stay far below it. */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }

/**
 * True when the text opens more than `limit` arrays/objects inside one another (brackets inside
 * strings do not count). Exact for valid JSON; for invalid JSON it may say either, and JSON.parse
 * reports the real problem. Linear in the text's length.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      // An unterminated string: not JSON, whatever its depth.
      if (i < 0) return false;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that ends the string opened at `open`, or -1 if none does. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return -1;
    // A quote after an odd run of backslashes is escaped. Each run is counted once, before the
    // one quote that follows it, so the whole scan stays linear.
    let backslashes = 0;
    for (let j = at - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
