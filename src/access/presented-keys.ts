// Where each SDK sends its key: `Authorization: Bearer` (openai SDKs, Claude Code with a token),
// `x-api-key` (Anthropic SDKs) and `x-goog-api-key` (Gemini SDKs). Every one present is a
// candidate: a client may send an unrelated value in one header and its byokey key in another.
import type { IncomingHttpHeaders } from 'node:http';

export function presentedKeys(headers: IncomingHttpHeaders): string[] {
  const keys: string[] = [];
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && /^bearer\s/i.test(authorization)) add(keys, authorization.slice(7));
  add(keys, headers['x-api-key']);
  add(keys, headers['x-goog-api-key']);
  return keys;
}

function add(keys: string[], value: string | string[] | undefined): void {
  if (typeof value !== 'string') return;
  const key = value.trim();
  if (key !== '' && !keys.includes(key)) keys.push(key);
}
