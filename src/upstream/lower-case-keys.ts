// Header maps with lower-cased names, so a header set later replaces a configured one however
// either was spelt (HTTP header names are case-insensitive; object keys are not).
export function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) out[name.toLowerCase()] = headers[name];
  return out;
}
