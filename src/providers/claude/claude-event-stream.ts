// Anthropic's SSE events as the gateway serves them (reference/wire-protocols.md §3.4): the
// opening `message_start` and pings held back until the first content block (so an `error` up to
// then is still an HTTP error for the client), an `error` event thrown, and a stream that ends
// before `message_stop` reported as the error it is, never as a finished message.
import type { AnthropicErrorEvent } from '../../protocol/anthropic-messages';
import type { SseEvent } from '../../protocol/sse';
import { anthropicErrorStatus } from '../../protocol/stream-error-status';
import { parseUpstreamObject } from '../../upstream/parse-upstream-json';
import { UpstreamError } from '../../upstream/upstream-error';
import { OpeningEvents } from '../shared/opening-events';

const OPENING = new Set(['message_start', 'ping']);

/** @param secret the credential the request sent, redacted from an `error` event's message. */
export async function* claudeEventStream(source: AsyncIterable<SseEvent>, instance: string, secret?: string): AsyncGenerator<SseEvent> {
  const opening = new OpeningEvents(OPENING);
  for await (const raw of source) {
    const json = parseUpstreamObject(raw.data, instance, 'an event');
    const type = typeof json.type === 'string' ? json.type : raw.event;
    if (type === undefined) continue;
    if (type === 'error') throw claudeStreamError(instance, json as unknown as AnthropicErrorEvent, secret);
    const event: SseEvent = { event: type, data: raw.data, json };
    if (opening.hold(event)) continue;
    for (const early of opening.release()) yield early;
    yield event;
    if (type === 'message_stop') return;
  }
  throw new UpstreamError(`upstream ${instance} ended the stream before message_stop`, { failure: 'connect', instance });
}

export function claudeStreamError(instance: string, event: AnthropicErrorEvent, secret?: string): UpstreamError {
  const type = event.error?.type ?? 'api_error';
  const message = event.error?.message ?? 'the upstream reported an error';
  return new UpstreamError(`upstream ${instance} reported ${type}: ${message}`, {
    failure: 'stream',
    instance,
    status: anthropicErrorStatus(type),
    upstreamType: type,
    upstreamCode: type,
    upstreamMessage: message,
    secret,
  });
}
