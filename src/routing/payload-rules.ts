// Payload rules (reference/seed-spec.md §5.4): per model glob, fill in defaults, force overrides
// or strip fields of a request body before it goes upstream.
//
// Stages run in order default → override → filter; within a stage, rules and their params in the
// order written. A rule applies when any of its `models` globs matches the model name. Paths are
// dot-separated object keys (`a.b.c`; no array indices):
// - default sets the value only when the path is absent;
// - override always sets it;
// - both create missing intermediate objects, and skip silently when an intermediate exists and
//   is not an object (an array, a string, null…);
// - filter deletes the final key when its parent path exists.
//
// The body is never mutated: objects are copied only along the paths a rule changes, untouched
// subtrees are shared with the input, and when nothing changes the input itself comes back — so a
// config without rules for this model costs nothing per request. A rule's value is deep-copied
// each time it is set, so two requests never share (and later mutate) one object from the config.
import { matchesAny } from '../common/model-glob';
import { isObject } from '../protocol/json-object';

export interface PayloadRule {
  models: string[];
  /** Dot path → value. */
  params: Record<string, unknown>;
}

export interface PayloadFilterRule {
  models: string[];
  /** Dot paths to remove. */
  params: string[];
}

export interface PayloadRules {
  default?: PayloadRule[];
  override?: PayloadRule[];
  filter?: PayloadFilterRule[];
}

type JsonObject = Record<string, unknown>;

/** `body` with the rules matching `model` applied; `body` itself when none changes anything. */
export function applyPayloadRules(body: JsonObject, model: string, rules: PayloadRules): JsonObject {
  // Objects this call created (copies of the input's, or new intermediates): safe to write to.
  const owned = new Set<object>();
  let result = body;
  for (const rule of rules.default ?? []) {
    if (!matchesAny(rule.models, model)) continue;
    for (const [path, value] of Object.entries(rule.params)) result = setPath(result, path, value, false, owned);
  }
  for (const rule of rules.override ?? []) {
    if (!matchesAny(rule.models, model)) continue;
    for (const [path, value] of Object.entries(rule.params)) result = setPath(result, path, value, true, owned);
  }
  for (const rule of rules.filter ?? []) {
    if (!matchesAny(rule.models, model)) continue;
    for (const path of rule.params) result = deletePath(result, path, owned);
  }
  return result;
}

// ---------------------------------------------------------------- copy-on-write paths

/** A path with an empty segment (the config validator rejects those) is skipped rather than guessed at. */
function segmentsOf(path: string): string[] | undefined {
  const segments = path.split('.');
  return segments.some((segment) => segment === '') ? undefined : segments;
}

function setPath(root: JsonObject, path: string, value: unknown, replace: boolean, owned: Set<object>): JsonObject {
  const segments = segmentsOf(path);
  if (!segments) return root;
  const last = segments[segments.length - 1];

  // Read-only walk first: decide whether anything changes before copying anything.
  let node: JsonObject | undefined = root;
  for (const segment of segments.slice(0, -1)) {
    if (!has(node, segment)) {
      node = undefined; // the rest is created
      break;
    }
    const child: unknown = node[segment];
    if (!isObject(child)) return root;
    node = child;
  }
  if (!replace && node !== undefined && has(node, last)) return root;

  const top = own(root, owned);
  let parent = top;
  for (const segment of segments.slice(0, -1)) {
    const child = has(parent, segment) ? own(parent[segment] as JsonObject, owned) : newObject(owned);
    put(parent, segment, child);
    parent = child;
  }
  put(parent, last, deepCopy(value));
  return top;
}

function deletePath(root: JsonObject, path: string, owned: Set<object>): JsonObject {
  const segments = segmentsOf(path);
  if (!segments) return root;
  const last = segments[segments.length - 1];

  let node: JsonObject = root;
  for (const segment of segments.slice(0, -1)) {
    const child = has(node, segment) ? node[segment] : undefined;
    if (!isObject(child)) return root;
    node = child;
  }
  if (!has(node, last)) return root;

  const top = own(root, owned);
  let parent = top;
  for (const segment of segments.slice(0, -1)) {
    const child = own(parent[segment] as JsonObject, owned);
    put(parent, segment, child);
    parent = child;
  }
  delete parent[last];
  return top;
}

/**
 * Present and not `undefined` (JSON has no undefined: a key holding it is not sent). Own keys
 * only, so a path like `constructor` or `__proto__` means a body field, never a prototype.
 */
function has(node: JsonObject, key: string): boolean {
  return Object.hasOwn(node, key) && node[key] !== undefined;
}

/** Plain assignment of `__proto__` would replace the prototype instead of adding a key. */
function put(node: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

function own(node: JsonObject, owned: Set<object>): JsonObject {
  if (owned.has(node)) return node;
  const copy = { ...node };
  owned.add(copy);
  return copy;
}

function newObject(owned: Set<object>): JsonObject {
  const created: JsonObject = {};
  owned.add(created);
  return created;
}

function deepCopy(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}
