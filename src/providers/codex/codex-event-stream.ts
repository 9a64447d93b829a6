// Turns the raw events of one Codex response (from SSE or WebSocket frames) into the stream the
// gateway serves: metadata frames recorded and dropped, failures thrown as UpstreamErrors, the
// opening lifecycle events held back until real output appears (so a failure up to then is
// still an HTTP error for the client), and an end before `response.completed` reported as the
// error it is — never as a quiet success.
import type { ResponsesErrorEvent, ResponseObject } from '../../protocol/openai-responses';
import type { SseEvent } from '../../protocol/sse';
import { UpstreamError } from '../../upstream/upstream-error';
import { OpeningEvents } from '../shared/opening-events';
import { codexErrorEvent, codexFailedResponse } from './codex-errors';

/** One upstream event: its JSON text and the parsed object. */
export interface RawCodexEvent {
  data: string;
  json: Record<string, unknown>;
}

export interface CodexStreamHooks {
  instance: string;
  /** The credential the request sent, redacted from the upstream's error events. */
  secret?: string;
  /** A `codex.rate_limits` frame (WebSocket). */
  onRateLimits?(frame: Record<string, unknown>): void;
}

/** Events that only open a response; held until something real follows. */
const OPENING = new Set(['response.created', 'response.in_progress']);
/** Frames that describe the connection, not the response (WebSocket, §1.8). */
const METADATA = new Set(['codex.response.metadata', 'response.metadata']);

export async function* codexEventStream(source: AsyncIterable<RawCodexEvent>, hooks: CodexStreamHooks): AsyncGenerator<SseEvent> {
  const opening = new OpeningEvents(OPENING);
  for await (const raw of source) {
    let { data, json } = raw;
    if (typeof json.type !== 'string') continue;
    let type: string = json.type;
    if (type === 'codex.rate_limits') {
      hooks.onRateLimits?.(json);
      continue;
    }
    if (METADATA.has(type)) continue;
    if (type === 'error') throw codexErrorEvent(hooks.instance, json as ResponsesErrorEvent, { secret: hooks.secret });
    if (type === 'response.failed') throw codexFailedResponse(hooks.instance, (json.response ?? {}) as Partial<ResponseObject>, { secret: hooks.secret });
    if (type === 'response.done') {
      // A legacy name for response.completed (CPA normalizes it too).
      json = { ...json, type: 'response.completed' };
      data = JSON.stringify(json);
      type = 'response.completed';
    }
    const event: SseEvent = { event: type, data, json };
    if (opening.hold(event)) continue;
    for (const early of opening.release()) yield early;
    yield event;
    if (type === 'response.completed' || type === 'response.incomplete') return;
  }
  throw new UpstreamError(`upstream ${hooks.instance} closed the stream before response.completed`, {
    failure: 'connect',
    instance: hooks.instance,
  });
}
