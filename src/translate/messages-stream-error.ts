// How an Anthropic Messages stream can fail to give an answer — an in-stream `error` event
// (reference/wire-protocols.md §3.5) or an end before `message_stop` — as one typed error the
// caller turns into its own (an HTTP status before the first byte, an in-stream error after it).
// The status is the one Anthropic uses for the error type over HTTP, so the caller can treat an
// in-stream `overloaded_error` exactly like a 529 answer.
// What the upstream said is scrubbed of secrets here, and the raw event kept out of log lines.
import { redactSecrets } from '../common/redact-secrets';
import type { AnthropicErrorEvent } from '../protocol/anthropic-messages';
import { isObject } from '../protocol/json-object';
import { anthropicErrorStatus } from '../protocol/stream-error-status';

export type MessagesStreamFailure =
  /** An `error` event. */
  | 'error'
  /** The stream ended before `message_stop`. */
  | 'ended_early';

export const MESSAGES_ENDED_EARLY_MESSAGE = 'the upstream Messages stream ended before message_stop';

export class MessagesStreamError extends Error {
  readonly failure: MessagesStreamFailure;
  /** Anthropic's error type (`overloaded_error`, …); `api_error` for a stream that ended early. */
  readonly type: string;
  /** The HTTP status of that type; 502 for a stream that ended early (the upstream broke off). */
  readonly status: number;
  /** The event as received: unredacted, so not enumerable (a logged error does not print it). */
  declare readonly event?: AnthropicErrorEvent;

  constructor(message: string, details: { failure: MessagesStreamFailure; type: string; status: number; event?: AnthropicErrorEvent }) {
    super(redactSecrets(message));
    this.name = 'MessagesStreamError';
    this.failure = details.failure;
    this.type = redactSecrets(details.type);
    this.status = details.status;
    Object.defineProperty(this, 'event', { value: details.event, enumerable: false });
  }
}

/** The error for an `error` event; a malformed one still fails the stream, as an `api_error`. */
export function messagesStreamErrorOf(event: AnthropicErrorEvent): MessagesStreamError {
  const inner: Record<string, unknown> = isObject(event.error) ? event.error : {};
  const type = typeof inner.type === 'string' && inner.type !== '' ? inner.type : 'api_error';
  const message = typeof inner.message === 'string' && inner.message !== '' ? inner.message : 'the upstream reported an error';
  return new MessagesStreamError(message, { failure: 'error', type, status: anthropicErrorStatus(type), event });
}

export function messagesStreamEndedEarly(): MessagesStreamError {
  return new MessagesStreamError(MESSAGES_ENDED_EARLY_MESSAGE, { failure: 'ended_early', type: 'api_error', status: 502 });
}

