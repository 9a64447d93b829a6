// The one guard for "a JSON object" (not null, not an array): every wire body and event is read
// through it before its fields are.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
