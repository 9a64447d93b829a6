// Translates an OpenAI chat chunk stream (reference/wire-protocols.md §4.1) into Anthropic
// Messages stream events (§3.4), for an Anthropic client of a model served by a chat provider.
// The translator is stateless; each stream gets a ChatToMessagesStream that takes the parsed
// `data:` payloads one at a time and returns the events they produce, which the caller frames as
// `event: <type>` / `data: <json>` (messagesSseEvent). Nothing is produced before the first
// chunk, so a failure before it can still be answered with an HTTP error.
import type {
  AnthropicContentBlock,
  AnthropicStopReason,
  MessagesStreamEvent,
} from '../protocol/anthropic-messages';
import type { ChatCompletionChunk, ChatToolCallDelta, ChatUsage } from '../protocol/openai-chat';
import type { SseEvent } from '../protocol/sse';
import { randomUUID } from 'node:crypto';
import { UNSIGNED_THINKING_SIGNATURE, anthropicUsage, messageId, stopReason } from './chat-answer-fields';
import { chatChunkChoice } from './chat-chunk-choice';
import { isObject } from '../protocol/json-object';
import { ChatStreamError, chatErrorOf, chatStreamEndedEarly } from './chat-stream-error';

export interface MessagesStreamOptions {
  /** The model to name when the upstream's chunks do not. */
  model?: string;
  /** Input tokens known before the answer (an estimate), for message_start; message_delta corrects it. */
  inputTokens?: number;
}

export class ChatToMessagesStreamTranslator {
  createStream(options: MessagesStreamOptions = {}): ChatToMessagesStream {
    return new ChatToMessagesStream(options);
  }
}

/** An Anthropic stream event as SSE: Anthropic names every event after its `type`, and the SDK requires the name. */
export function messagesSseEvent(event: MessagesStreamEvent): SseEvent {
  return { event: event.type, data: JSON.stringify(event), json: event };
}

/** What a chunk may carry besides a chunk: an upstream's error payload (§4.1). */
export type ChatStreamPayload = ChatCompletionChunk | { error: unknown; [key: string]: unknown };

type BlockKind = 'thinking' | 'text' | 'tool_use';

interface OpenBlock {
  kind: BlockKind;
  index: number;
  /** For tool_use: the chat tool-call index it carries. */
  call?: number;
}

interface ToolCallState {
  id?: string;
  name?: string;
  /** Arguments that came before the call's name (a non-conforming upstream), sent once it opens. */
  pending: string;
  /** Its tool_use block is open or was: further fragments can only go into that block. */
  opened: boolean;
}

/**
 * One stream's translation state. `push` returns the events a chunk produces and throws a
 * ChatStreamError for an error payload; `finish` (after the upstream's `[DONE]` or end) closes
 * the message and throws unless a finish_reason was seen. Chunks after the end are ignored.
 */
export class ChatToMessagesStream {
  private readonly fallbackModel?: string;
  private readonly knownInputTokens: number;
  private messageStarted = false;
  private closed = false;
  private finishReason?: string;
  private usage?: ChatUsage;

  private open?: OpenBlock;
  private nextIndex = 0;
  private readonly calls = new Map<number, ToolCallState>();
  private lastCall?: number;
  private toolUse = false;
  private refusal = false;

  constructor(options: MessagesStreamOptions = {}) {
    this.fallbackModel = options.model;
    this.knownInputTokens = typeof options.inputTokens === 'number' && options.inputTokens > 0 ? Math.floor(options.inputTokens) : 0;
  }

  /** message_start has been produced: from here on a failure can only be reported inside the stream. */
  get started(): boolean {
    return this.messageStarted;
  }

  /** A finish_reason has been seen. */
  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  push(payload: ChatStreamPayload): MessagesStreamEvent[] {
    if (this.closed || !isObject(payload)) return [];
    const error = chatErrorOf(payload);
    if (error) {
      this.closed = true;
      throw error;
    }
    const chunk = payload as ChatCompletionChunk;
    const events: MessagesStreamEvent[] = [];
    if (!this.messageStarted) events.push(...this.start(chunk));
    if (isObject(chunk.usage)) this.usage = chunk.usage;

    const choice = chatChunkChoice(chunk);
    // Content after the finish_reason has no block to go into: the answer is over.
    if (!choice || this.finishReason !== undefined) return events;

    if (choice.reasoning !== undefined) events.push(...this.append('thinking', { type: 'thinking_delta', thinking: choice.reasoning }));
    if (choice.content !== undefined) events.push(...this.append('text', { type: 'text_delta', text: choice.content }));
    if (choice.refusal !== undefined) {
      this.refusal = true;
      events.push(...this.append('text', { type: 'text_delta', text: choice.refusal }));
    }
    for (const call of choice.toolCalls) events.push(...this.toolCall(call));
    if (choice.finishReason !== undefined) {
      this.finishReason = choice.finishReason;
      // Close the last block now: the client can show it complete while usage is still coming.
      events.push(...this.closeBlock());
    }
    return events;
  }

  /**
   * The upstream has ended: the closing events (message_delta with the stop reason and the
   * cumulative usage, message_stop). Throws ChatStreamError (`ended_early`) when no chunk had a
   * finish_reason — a cut stream is not an answer. Calling it again returns nothing.
   */
  finish(): MessagesStreamEvent[] {
    if (this.closed) return [];
    this.closed = true;
    if (this.finishReason === undefined) throw chatStreamEndedEarly();
    const events = this.closeBlock();
    const usage = anthropicUsage(this.usage);
    if (this.usage === undefined) usage.input_tokens = this.knownInputTokens;
    const reason: AnthropicStopReason = stopReason(this.finishReason, { toolUse: this.toolUse, refusal: this.refusal });
    events.push(
      { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage },
      { type: 'message_stop' },
    );
    return events;
  }

  private start(chunk: ChatCompletionChunk): MessagesStreamEvent[] {
    this.messageStarted = true;
    // Some providers put usage on every chunk; then the prompt size is known from the start.
    const known = isObject(chunk.usage) ? anthropicUsage(chunk.usage) : undefined;
    const model = typeof chunk.model === 'string' && chunk.model !== '' ? chunk.model : (this.fallbackModel ?? '');
    return [
      {
        type: 'message_start',
        message: {
          id: messageId(chunk.id),
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: known && known.input_tokens + known.cache_read_input_tokens > 0 ? known.input_tokens : this.knownInputTokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: known?.cache_read_input_tokens ?? 0,
            output_tokens: 0,
          },
        },
      },
      { type: 'ping' },
    ];
  }

  /** A text or thinking fragment: into the open block of its kind, or a new one. */
  private append(kind: 'thinking' | 'text', delta: { type: 'thinking_delta'; thinking: string } | { type: 'text_delta'; text: string }): MessagesStreamEvent[] {
    const events = this.open?.kind === kind ? [] : this.openBlock(kind, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: UNSIGNED_THINKING_SIGNATURE });
    events.push({ type: 'content_block_delta', index: this.open!.index, delta });
    return events;
  }

  private toolCall(delta: ChatToolCallDelta): MessagesStreamEvent[] {
    const index = this.callIndex(delta);
    let call = this.calls.get(index);
    if (!call) {
      call = { pending: '', opened: false };
      this.calls.set(index, call);
    }
    this.lastCall = index;
    if (typeof delta.id === 'string' && delta.id !== '' && call.id === undefined) call.id = delta.id;
    const fn = isObject(delta.function) ? delta.function : {};
    if (typeof fn.name === 'string' && fn.name !== '' && call.name === undefined) call.name = fn.name;
    const fragment = typeof fn.arguments === 'string' ? fn.arguments : '';

    const events: MessagesStreamEvent[] = [];
    if (!call.opened) {
      call.pending += fragment;
      // The block opens with the call's name; an upstream that gives no id gets one of ours.
      if (call.name === undefined) return events;
      call.id ??= `toolu_${randomUUID().replace(/-/g, '')}`;
      call.opened = true;
      this.toolUse = true;
      events.push(...this.openBlock('tool_use', { type: 'tool_use', id: call.id, name: call.name, input: {} }, index));
      if (call.pending !== '') events.push(this.inputDelta(call.pending));
      call.pending = '';
      return events;
    }
    if (fragment === '') return events;
    if (this.open?.kind !== 'tool_use' || this.open.call !== index) {
      // Anthropic blocks cannot be reopened: arguments for a call whose block is over (an
      // upstream interleaving parallel calls) would be lost, leaving the client broken JSON.
      this.closed = true;
      throw new ChatStreamError(`the upstream sent arguments for tool call ${call.id} after its block ended`, { failure: 'malformed' });
    }
    events.push(this.inputDelta(fragment));
    return events;
  }

  /**
   * The chat index of a tool-call delta. Some providers omit `index`: then a new id means a new
   * call, and anything else continues the last one.
   */
  private callIndex(delta: ChatToolCallDelta): number {
    if (typeof delta.index === 'number') return delta.index;
    if (typeof delta.id === 'string' && delta.id !== '') {
      for (const [index, call] of this.calls) if (call.id === delta.id) return index;
      return this.calls.size === 0 ? 0 : Math.max(...this.calls.keys()) + 1;
    }
    return this.lastCall ?? 0;
  }

  private inputDelta(partial: string): MessagesStreamEvent {
    return { type: 'content_block_delta', index: this.open!.index, delta: { type: 'input_json_delta', partial_json: partial } };
  }

  private openBlock(kind: BlockKind, block: AnthropicContentBlock, call?: number): MessagesStreamEvent[] {
    const events = this.closeBlock();
    this.open = { kind, index: this.nextIndex++, call };
    events.push({ type: 'content_block_start', index: this.open.index, content_block: block });
    return events;
  }

  private closeBlock(): MessagesStreamEvent[] {
    if (!this.open) return [];
    const { index } = this.open;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }
}
