// Model-name globs for excluded_models, payload rules and the like: `*` matches any run of
// characters (empty included) anywhere in the pattern; every other character, `?` included, is
// itself. Case-sensitive.
//
// This is a superset of the seed's globs (reference/seed-spec.md §5.3): `*` alone matches
// everything, `*suffix` is ends-with, `prefix*` is starts-with, no `*` is exact — all unchanged.
// What we add is `*` in the middle (`claude-*-4-5`) and on both ends (`*sonnet*`, which the seed
// read as ends-with "sonnet*").
//
// No regular expression is built from the pattern: it is split on `*` and the pieces are found
// in order with plain string search, so no character of a pattern can mean anything but itself,
// and matching is linear in the model name.

type Matcher = (model: string) => boolean;

// Patterns come from configuration, so the set is small; the cap only keeps a long-running
// process with frequently reloaded, ever-changing patterns from growing without bound.
const MAX_CACHED_PATTERNS = 1024;
const cache = new Map<string, Matcher>();

/** Whether `model` matches the glob `pattern`. Compiled patterns are cached (this runs per request). */
export function matchesGlob(pattern: string, model: string): boolean {
  let matcher = cache.get(pattern);
  if (matcher === undefined) {
    matcher = compile(pattern);
    if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
    cache.set(pattern, matcher);
  }
  return matcher(model);
}

/** Whether any of `patterns` matches `model` (false for an empty list). */
export function matchesAny(patterns: readonly string[], model: string): boolean {
  for (const pattern of patterns) if (matchesGlob(pattern, model)) return true;
  return false;
}

function compile(pattern: string): Matcher {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (model) => model === pattern;
  // `a*b*c` → head "a", middle ["b"], tail "c"; runs of `*` give empty pieces, which match anywhere.
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const fixed = head.length + tail.length;
  if (middle.length === 0) {
    if (fixed === 0) return () => true;
    return (model) => model.length >= fixed && model.startsWith(head) && model.endsWith(tail);
  }
  return (model) => {
    if (model.length < fixed || !model.startsWith(head) || !model.endsWith(tail)) return false;
    // Leftmost placement of each middle piece is optimal: it leaves the most room for the rest.
    const end = model.length - tail.length;
    let at = head.length;
    for (const piece of middle) {
      const found = model.indexOf(piece, at);
      if (found === -1 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}
