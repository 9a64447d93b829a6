// Gemini's `streamGenerateContent?alt=sse` as the gateway serves it (reference/wire-protocols.md
// §6.1, §6.4): bare `data:` events, no event names, no terminator — the stream ends at EOF. An
// `{error}` chunk is thrown as the error it is; an EOF before any chunk said a finishReason (or a
// prompt block) is a stream cut short, never a finished answer. `unwrap` takes a chunk out of its
// envelope (Code Assist sends `{response:{…}, traceId}`); the API-key path sends it bare.
import type { GeminiResponse } from '../../protocol/gemini-generate-content';
import { isObject } from '../../protocol/json-object';
import type { SseEvent } from '../../protocol/sse';
import { parseUpstreamObject } from '../../upstream/parse-upstream-json';
import { UpstreamError } from '../../upstream/upstream-error';
import { geminiStreamError } from './gemini-errors';

export type ChunkUnwrap = (json: Record<string, unknown>) => Record<string, unknown>;

/** The API-key path's chunks are the response itself. */
export const BARE_CHUNKS: ChunkUnwrap = (json) => json;

export async function* geminiEventStream(source: AsyncIterable<SseEvent>, instance: string, secret?: string, unwrap: ChunkUnwrap = BARE_CHUNKS): AsyncGenerator<SseEvent> {
  let finished = false;
  for await (const raw of source) {
    const outer = parseUpstreamObject(raw.data, instance, 'a chunk');
    if (isObject(outer.error)) throw geminiStreamError(instance, outer.error, secret);
    const json = unwrap(outer) as GeminiResponse;
    if (isObject(json.error)) throw geminiStreamError(instance, json.error, secret);
    if (json.candidates?.some((c) => typeof c?.finishReason === 'string') || typeof json.promptFeedback?.blockReason === 'string') finished = true;
    yield { data: json === (outer as GeminiResponse) ? raw.data : JSON.stringify(json), json };
  }
  if (!finished) throw new UpstreamError(`upstream ${instance} ended the stream before a finishReason`, { failure: 'connect', instance });
}
