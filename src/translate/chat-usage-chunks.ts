// A streamed chat completion counts its tokens only when asked (`stream_options.include_usage`),
// and usage accounting needs them on every stream. So the gateway asks the upstream itself when
// the client did not, and then keeps what it asked for from the client: the final usage chunk
// is dropped and the `usage: null` the other chunks then carry is taken out again.
import type { ChatCompletionChunk, ChatCompletionRequest } from '../protocol/openai-chat';
import { rememberWithField } from '../protocol/raw-json';
import type { SseEvent } from '../protocol/sse';

/**
 * The request with the usage chunk asked for (a copy; the client's body is not changed). When the
 * client sent no stream_options, the copy still goes out as the client's bytes, with the field
 * appended (protocol/raw-json.ts).
 */
export function askForUsage(body: ChatCompletionRequest): ChatCompletionRequest {
  const asked = { ...body, stream_options: { ...body.stream_options, include_usage: true } };
  if (body.stream_options === undefined) rememberWithField(body, asked, 'stream_options', '{"include_usage":true}');
  return asked;
}

/** How OpenAI and most compatible servers end a chunk when usage was asked for. */
const NULL_USAGE_TAIL = ',"usage":null}';

/**
 * A chunk as the client would have had it without include_usage: undefined for the usage chunk
 * (no choices), the chunk without its `usage` field otherwise. Unchanged (the same event) when it
 * has no `usage` field; cut as text when it ends the usual way, so most chunks are not serialized
 * again.
 */
export function withoutAskedUsage(event: SseEvent): SseEvent | undefined {
  const chunk = event.json as ChatCompletionChunk | undefined;
  if (chunk === undefined || chunk.usage === undefined) return event;
  if (Array.isArray(chunk.choices) && chunk.choices.length === 0) return undefined;
  if (chunk.usage === null && event.data.endsWith(NULL_USAGE_TAIL)) {
    return { data: `${event.data.slice(0, -NULL_USAGE_TAIL.length)}}` };
  }
  const { usage: _usage, ...rest } = chunk;
  return { data: JSON.stringify(rest) };
}
