// The JSON of a stream event: the copy its producer already parsed, or parsed now.
import type { ResponsesStreamEvent } from '../../protocol/openai-responses';
import type { SseEvent } from '../../protocol/sse';
import { UpstreamError } from '../../upstream/upstream-error';

export function responsesEventOf(event: SseEvent, instance: string): ResponsesStreamEvent {
  if (event.json !== undefined) return event.json as ResponsesStreamEvent;
  try {
    return JSON.parse(event.data) as ResponsesStreamEvent;
  } catch {
    throw new UpstreamError(`upstream ${instance} sent an event that is not JSON`, { failure: 'protocol', instance });
  }
}
