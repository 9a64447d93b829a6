// The streams of Copilot's two other endpoints, read the way the gateway serves any stream:
// Messages (`{api}/v1/messages`, Anthropic's events, ending at `message_stop`) and Responses
// (`{api}/responses`, ending at `response.completed`). Opening events are held back until real
// output follows, so a failure up to then is still an HTTP error for the client; an error event
// is thrown; a stream that ends before its last event is the failure it is, never a success.
import type { SseEvent } from '../../protocol/sse';
import { anthropicErrorStatus, responsesErrorStatus } from '../../protocol/stream-error-status';
import { isObject } from '../../protocol/json-object';
import { parseUpstreamObject } from '../../upstream/parse-upstream-json';
import { UpstreamError } from '../../upstream/upstream-error';
import { OpeningEvents } from '../shared/opening-events';

const MESSAGES_OPENING = new Set(['message_start', 'ping']);
const RESPONSES_OPENING = new Set(['response.created', 'response.in_progress']);

export async function* messagesEvents(source: AsyncIterable<SseEvent>, instance: string, secret: string): AsyncGenerator<SseEvent> {
  const opening = new OpeningEvents(MESSAGES_OPENING);
  for await (const raw of source) {
    const json = parseUpstreamObject(raw.data, instance, 'an event');
    const type = typeof json.type === 'string' ? json.type : raw.event;
    if (type === undefined) continue;
    if (type === 'error') {
      const error = isObject(json.error) ? json.error : {};
      const kind = typeof error.type === 'string' ? error.type : 'api_error';
      throw streamError(instance, kind, typeof error.message === 'string' ? error.message : undefined, anthropicErrorStatus(kind), secret);
    }
    const event: SseEvent = { event: type, data: raw.data, json };
    if (opening.hold(event)) continue;
    for (const early of opening.release()) yield early;
    yield event;
    if (type === 'message_stop') return;
  }
  throw new UpstreamError(`upstream ${instance} ended the stream before message_stop`, { failure: 'connect', instance });
}

export async function* responsesEvents(source: AsyncIterable<SseEvent>, instance: string, secret: string): AsyncGenerator<SseEvent> {
  const opening = new OpeningEvents(RESPONSES_OPENING);
  for await (const raw of source) {
    const json = parseUpstreamObject(raw.data, instance, 'an event');
    const type = typeof json.type === 'string' ? json.type : raw.event;
    if (type === undefined) continue;
    if (type === 'error') {
      const nested = isObject(json.error) ? json.error : {};
      const code = str(json.code) ?? str(nested.code) ?? str(nested.type);
      throw streamError(instance, code ?? 'server_error', str(json.message) ?? str(nested.message), responsesErrorStatus(code), secret);
    }
    if (type === 'response.failed') {
      const response = isObject(json.response) ? json.response : {};
      const error = isObject(response.error) ? response.error : {};
      const code = str(error.code);
      throw streamError(instance, code ?? 'server_error', str(error.message), responsesErrorStatus(code), secret);
    }
    const event: SseEvent = { event: type, data: raw.data, json };
    if (opening.hold(event)) continue;
    for (const early of opening.release()) yield early;
    yield event;
    if (type === 'response.completed' || type === 'response.incomplete') return;
  }
  throw new UpstreamError(`upstream ${instance} closed the stream before response.completed`, { failure: 'connect', instance });
}

function streamError(instance: string, code: string, message: string | undefined, status: number | undefined, secret: string): UpstreamError {
  const text = message ?? 'the upstream reported an error';
  return new UpstreamError(`upstream ${instance} reported ${code}: ${text}`, {
    failure: 'stream',
    instance,
    status,
    upstreamType: code,
    upstreamCode: code,
    upstreamMessage: text,
    secret,
  });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
