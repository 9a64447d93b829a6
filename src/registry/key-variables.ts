// The environment variables an instance's `api_key` / `api_keys` name in providers.yaml
// (`${OPENAI_API_KEY:-}`), read from the file's text: after substitution only an empty string is
// left, and "its api_key is empty" helps less than "OPENAI_API_KEY is unset". Read when a catalog
// is built (start, reload), never per request.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { BUILT_IN_DEFAULTS } from '../config/config.loader';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)/g;

/** Instance name → the variables its keys name, for instances whose keys name any. */
export function keyVariablesOf(source: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  // The loader names a file by its absolute path; anything else was parsed from a string.
  if (source === BUILT_IN_DEFAULTS || !isAbsolute(source)) return found;
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch {
    return found; // The loader read it a moment ago; a file gone since only costs the names.
  }
  const providers = parseDocument(text).get('providers', true);
  if (!isMap(providers)) return found;
  for (const pair of providers.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (name === undefined || !isMap(pair.value)) continue;
    const names = [...variablesIn(pair.value.get('api_key', true) as Node | undefined), ...variablesIn(pair.value.get('api_keys', true) as Node | undefined)];
    if (names.length > 0) found.set(name, [...new Set(names)]);
  }
  return found;
}

function variablesIn(node: Node | undefined): string[] {
  if (isScalar(node)) return typeof node.value === 'string' ? [...node.value.matchAll(VARIABLE)].map((m) => m[1]) : [];
  if (isSeq(node)) return node.items.flatMap((item) => variablesIn(item as Node));
  // api_keys entries may be mappings with a `key:`.
  if (isMap(node)) return variablesIn(node.get('key', true) as Node | undefined);
  return [];
}
