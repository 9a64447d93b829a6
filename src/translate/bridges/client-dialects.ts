// What a client protocol's stream needs besides its events: how an error after the first byte
// looks, and what ends a clean stream. Shared by every bridge of a row of the protocol table.
import type { ErrorDetail } from '../../protocol/error-detail';
import { CHAT_STREAM_DONE } from '../../protocol/openai-chat';
import type { SseEvent } from '../../protocol/sse';
import { encodeSseEvent } from '../../protocol/sse-encoder';
import { toAnthropicError, toGoogleError, toOpenAIError } from '../error-bodies';

/** Chat's terminator frame, `data: [DONE]`, encoded once. */
export const CHAT_DONE_FRAME = encodeSseEvent({ data: CHAT_STREAM_DONE });

/** A chat stream's error: OpenAI's error object as a data line, which the openai SDK raises. */
export function chatErrorEvent(error: ErrorDetail): SseEvent {
  return { data: JSON.stringify(toOpenAIError(error)) };
}

/** A Messages stream's error: Anthropic's `event: error`. */
export function messagesErrorEvent(error: ErrorDetail): SseEvent {
  return { event: 'error', data: JSON.stringify(toAnthropicError(error)) };
}

/**
 * A Responses stream's error in the stream's own terms (`type: "error"`, code, message, param,
 * the next sequence number), with OpenAI's `error` object too, which the openai SDK raises as an
 * APIError.
 */
export function responsesErrorEvent(error: ErrorDetail, lastSequence: number): SseEvent {
  const detail = { type: error.type, code: error.code, message: error.message, param: error.param };
  return {
    event: 'error',
    data: JSON.stringify({ type: 'error', sequence_number: lastSequence + 1, code: error.code, message: error.message, param: error.param, error: detail }),
  };
}

/** A Gemini stream's error: Google's `{error:{code,message,status}}` as a data line, which the genai SDK raises. */
export function geminiErrorEvent(error: ErrorDetail): SseEvent {
  return { data: JSON.stringify(toGoogleError(error)) };
}
