// Translates a Responses event stream into Chat Completions chunks (reference/wire-protocols.md
// §1.5 → §4.1). The translator is stateless; each stream gets a ResponsesToChatStream that takes
// events one at a time and returns the chunks they produce. Nothing is produced until there is
// content, so a failure before that can still be answered with an HTTP error.
import type { ChatChunkDelta, ChatCompletionChunk, ChatFinishReason, ChatToolCallDelta } from '../protocol/openai-chat';
import type {
  FunctionCallArgumentsDeltaEvent,
  FunctionCallArgumentsDoneEvent,
  OutputItemEvent,
  OutputTextDeltaEvent,
  OutputTextDoneEvent,
  ReasoningSummaryTextDeltaEvent,
  ReasoningSummaryTextDoneEvent,
  ReasoningTextDeltaEvent,
  ReasoningTextDoneEvent,
  RefusalDeltaEvent,
  RefusalDoneEvent,
  ResponseLifecycleEvent,
  ResponseObject,
  ResponsesStreamEvent,
} from '../protocol/openai-responses';
import { REASONING_SEPARATOR, chatCompletionId, chatFinishReason, chatUsage } from './responses-chat-fields';
import { responsesStreamErrorOf, streamEndedEarly } from './responses-stream-error';
import { ChatChunkBuilder } from './chat-chunk-builder';
import { isObject } from '../protocol/json-object';

export interface ChatStreamOptions {
  /** The client sent `stream_options.include_usage: true`: end with a usage chunk, `usage: null` on the rest. */
  includeUsage?: boolean;
  /** The model to name until (or unless) the upstream's response names one. */
  model?: string;
}

export class ResponsesToChatStreamTranslator {
  createStream(options: ChatStreamOptions = {}): ResponsesToChatStream {
    return new ResponsesToChatStream(options);
  }
}

interface ToolCallState {
  index: number;
  /** The arguments sent to the client so far. */
  sent: string;
}

/**
 * One stream's translation state. `push` returns the chunks an event produces and throws a
 * ResponsesStreamError for `response.failed` and `error`; `end` throws unless the stream
 * finished properly. Events after the end are ignored.
 */
export class ResponsesToChatStream {
  private readonly chunks: ChatChunkBuilder;
  /** A terminal event (completed, incomplete, failed, error) has been seen: later events are ignored. */
  private closed = false;
  /** It was completed or incomplete: the stream finished properly. */
  private done = false;

  private readonly callsByItem = new Map<string, ToolCallState>();
  private readonly callsByOutput = new Map<number, ToolCallState>();
  private callCount = 0;
  /** Text and refusal sent per `output_index:content_index`, to complete them from `.done` events. */
  private readonly textSent = new Map<string, string>();
  private readonly refusalSent = new Map<string, string>();
  /** Reasoning sent per summary part / reasoning-text part. */
  private readonly reasoningSent = new Map<string, string>();
  private lastReasoningKey?: string;

  constructor(options: ChatStreamOptions = {}) {
    this.chunks = new ChatChunkBuilder(options.includeUsage === true, options.model, 'resp_');
  }

  /** A chunk has been produced: from here on a failure can only be reported inside the stream. */
  get started(): boolean {
    return this.chunks.started;
  }

  /** `response.completed` or `response.incomplete` has been translated. */
  get finished(): boolean {
    return this.done;
  }

  push(event: ResponsesStreamEvent): ChatCompletionChunk[] {
    if (this.closed) return [];
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
        this.adopt((event as ResponseLifecycleEvent).response);
        return [];
      case 'response.output_item.added':
        return this.itemAdded(event as OutputItemEvent);
      case 'response.output_item.done':
        return this.itemDone(event as OutputItemEvent);
      case 'response.output_text.delta': {
        const e = event as OutputTextDeltaEvent;
        return this.text(partKey(e.output_index, e.content_index), e.delta);
      }
      case 'response.output_text.done': {
        const e = event as OutputTextDoneEvent;
        const key = partKey(e.output_index, e.content_index);
        return this.text(key, rest(this.textSent.get(key), e.text));
      }
      case 'response.refusal.delta': {
        const e = event as RefusalDeltaEvent;
        return this.refusal(partKey(e.output_index, e.content_index), e.delta);
      }
      case 'response.refusal.done': {
        const e = event as RefusalDoneEvent;
        const key = partKey(e.output_index, e.content_index);
        return this.refusal(key, rest(this.refusalSent.get(key), e.refusal));
      }
      case 'response.reasoning_summary_text.delta': {
        const e = event as ReasoningSummaryTextDeltaEvent;
        return this.reasoning(summaryKey(e.output_index, e.summary_index), e.delta);
      }
      case 'response.reasoning_summary_text.done': {
        const e = event as ReasoningSummaryTextDoneEvent;
        const key = summaryKey(e.output_index, e.summary_index);
        return this.reasoning(key, rest(this.reasoningSent.get(key), e.text));
      }
      case 'response.reasoning_text.delta': {
        const e = event as ReasoningTextDeltaEvent;
        return this.reasoning(reasoningTextKey(e.output_index, e.content_index), e.delta);
      }
      case 'response.reasoning_text.done': {
        const e = event as ReasoningTextDoneEvent;
        const key = reasoningTextKey(e.output_index, e.content_index);
        return this.reasoning(key, rest(this.reasoningSent.get(key), e.text));
      }
      case 'response.function_call_arguments.delta': {
        const e = event as FunctionCallArgumentsDeltaEvent;
        // Deltas for a call never announced are dropped; its output_item.done brings them all.
        const call = this.callsByItem.get(e.item_id) ?? this.callsByOutput.get(e.output_index);
        return call ? this.arguments(call, e.delta) : [];
      }
      case 'response.function_call_arguments.done': {
        const e = event as FunctionCallArgumentsDoneEvent;
        const call = this.callsByItem.get(e.item_id) ?? this.callsByOutput.get(e.output_index);
        return call ? this.arguments(call, rest(call.sent, e.arguments)) : [];
      }
      case 'response.completed':
      case 'response.incomplete':
        return this.finish(event as ResponseLifecycleEvent);
      case 'response.failed':
      case 'error': {
        this.closed = true;
        throw responsesStreamErrorOf(event) ?? streamEndedEarly();
      }
      default:
        return [];
    }
  }

  /** The upstream has ended. Throws ResponsesStreamError (`ended_early`) unless the stream finished. */
  end(): void {
    if (this.done) return;
    this.closed = true;
    throw streamEndedEarly();
  }

  private adopt(response: ResponseObject | undefined): void {
    // The identity is fixed by the first chunk: every chunk of a stream carries the same id.
    if (!isObject(response)) return;
    this.chunks.adopt({
      id: typeof response.id === 'string' && response.id !== '' ? chatCompletionId(response.id) : undefined,
      created: typeof response.created_at === 'number' ? response.created_at : undefined,
      model: typeof response.model === 'string' ? response.model : undefined,
    });
  }

  private itemAdded(event: OutputItemEvent): ChatCompletionChunk[] {
    const item = event.item as Record<string, unknown>;
    if (!isObject(item) || item.type !== 'function_call') return [];
    return this.startCall(event, item, typeof item.arguments === 'string' ? item.arguments : '');
  }

  /** The authoritative copy of an item: send whatever of it the deltas did not. */
  private itemDone(event: OutputItemEvent): ChatCompletionChunk[] {
    const item = event.item as Record<string, unknown>;
    if (!isObject(item)) return [];
    const index = event.output_index;
    switch (item.type) {
      case 'function_call': {
        const args = typeof item.arguments === 'string' ? item.arguments : '';
        const call = (typeof item.id === 'string' ? this.callsByItem.get(item.id) : undefined) ?? this.callsByOutput.get(index);
        return call ? this.arguments(call, rest(call.sent, args)) : this.startCall(event, item, args);
      }
      case 'message': {
        const chunks: ChatCompletionChunk[] = [];
        (Array.isArray(item.content) ? item.content : []).forEach((part: unknown, i: number) => {
          if (!isObject(part)) return;
          const key = partKey(index, i);
          if (part.type === 'output_text' && typeof part.text === 'string') {
            chunks.push(...this.text(key, rest(this.textSent.get(key), part.text)));
          } else if (part.type === 'refusal' && typeof part.refusal === 'string') {
            chunks.push(...this.refusal(key, rest(this.refusalSent.get(key), part.refusal)));
          }
        });
        return chunks;
      }
      case 'reasoning': {
        const chunks: ChatCompletionChunk[] = [];
        (Array.isArray(item.summary) ? item.summary : []).forEach((part: unknown, i: number) => {
          if (!isObject(part) || typeof part.text !== 'string') return;
          const key = summaryKey(index, i);
          chunks.push(...this.reasoning(key, rest(this.reasoningSent.get(key), part.text)));
        });
        (Array.isArray(item.content) ? item.content : []).forEach((part: unknown, i: number) => {
          if (!isObject(part) || typeof part.text !== 'string') return;
          const key = reasoningTextKey(index, i);
          chunks.push(...this.reasoning(key, rest(this.reasoningSent.get(key), part.text)));
        });
        return chunks;
      }
      default:
        return [];
    }
  }

  private startCall(event: OutputItemEvent, item: Record<string, unknown>, args: string): ChatCompletionChunk[] {
    const callId = typeof item.call_id === 'string' ? item.call_id : typeof item.id === 'string' ? item.id : undefined;
    if (callId === undefined || typeof item.name !== 'string') return [];
    const call: ToolCallState = { index: this.callCount++, sent: args };
    if (typeof item.id === 'string') this.callsByItem.set(item.id, call);
    this.callsByOutput.set(event.output_index, call);
    const delta: ChatToolCallDelta = { index: call.index, id: callId, type: 'function', function: { name: item.name, arguments: args } };
    return [this.chunk({ tool_calls: [delta] })];
  }

  private arguments(call: ToolCallState, fragment: string | undefined): ChatCompletionChunk[] {
    if (!fragment) return [];
    call.sent += fragment;
    return [this.chunk({ tool_calls: [{ index: call.index, function: { arguments: fragment } }] })];
  }

  private text(key: string, fragment: string | undefined): ChatCompletionChunk[] {
    if (!fragment) return [];
    this.textSent.set(key, (this.textSent.get(key) ?? '') + fragment);
    return [this.chunk({ content: fragment })];
  }

  private refusal(key: string, fragment: string | undefined): ChatCompletionChunk[] {
    if (!fragment) return [];
    this.refusalSent.set(key, (this.refusalSent.get(key) ?? '') + fragment);
    return [this.chunk({ refusal: fragment })];
  }

  private reasoning(key: string, fragment: string | undefined): ChatCompletionChunk[] {
    if (!fragment) return [];
    const separate = this.lastReasoningKey !== undefined && this.lastReasoningKey !== key;
    this.lastReasoningKey = key;
    this.reasoningSent.set(key, (this.reasoningSent.get(key) ?? '') + fragment);
    return [this.chunk({ reasoning_content: separate ? REASONING_SEPARATOR + fragment : fragment })];
  }

  private finish(event: ResponseLifecycleEvent): ChatCompletionChunk[] {
    const response: Partial<ResponseObject> = isObject(event.response) ? event.response : {};
    this.adopt(response as ResponseObject);
    const status = event.type === 'response.incomplete' ? 'incomplete' : response.status;
    const reason: ChatFinishReason = chatFinishReason(
      { status: status ?? 'completed', incomplete_details: response.incomplete_details },
      this.callCount > 0,
    );
    const chunks = [this.chunk({}, reason)];
    this.closed = this.done = true;
    return [...chunks, ...this.chunks.usageChunks(chatUsage(response.usage))];
  }

  private chunk(delta: ChatChunkDelta, finishReason: ChatFinishReason | null = null): ChatCompletionChunk {
    return this.chunks.chunk(delta, finishReason);
  }
}

function partKey(outputIndex: number, contentIndex: number): string {
  return `${outputIndex}:${contentIndex}`;
}
function summaryKey(outputIndex: number, summaryIndex: number): string {
  return `summary:${outputIndex}:${summaryIndex}`;
}
function reasoningTextKey(outputIndex: number, contentIndex: number): string {
  return `text:${outputIndex}:${contentIndex}`;
}

/**
 * What of a finished text was not sent yet: the remainder when the deltas sent are its
 * beginning, nothing when they disagree (a client cannot take text back).
 */
function rest(sent: string | undefined, full: unknown): string | undefined {
  if (typeof full !== 'string') return undefined;
  const prefix = sent ?? '';
  return full.startsWith(prefix) ? full.slice(prefix.length) : undefined;
}

