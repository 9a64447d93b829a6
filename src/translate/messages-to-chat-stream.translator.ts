// Translates an Anthropic Messages event stream into Chat Completions chunks (reference/
// wire-protocols.md §3.4 → §4.1), for an OpenAI client talking to a Claude model. The translator
// is stateless; each stream gets a MessagesToChatStream that takes events one at a time and
// returns the chunks they produce. Nothing is produced until there is content, so a failure
// before that can still be answered with an HTTP error.
import type { ChatChunkDelta, ChatCompletionChunk, ChatFinishReason, ChatThinkingBlock } from '../protocol/openai-chat';
import type {
  AnthropicErrorEvent,
  AnthropicStopReason,
  AnthropicUsage,
  ContentBlockDeltaEvent,
  ContentBlockStartEvent,
  ContentBlockStopEvent,
  MessageDeltaEvent,
  MessageStartEvent,
  MessagesStreamEvent,
} from '../protocol/anthropic-messages';
import { THINKING_SEPARATOR, chatCompletionIdOf, chatFinishReasonOf, chatThinkingBlockOf, chatUsageOf } from './messages-answer-fields';
import { isObject } from '../protocol/json-object';
import { messagesStreamEndedEarly, messagesStreamErrorOf } from './messages-stream-error';
import { ChatChunkBuilder } from './chat-chunk-builder';

export interface MessagesChatStreamOptions {
  /** The client sent `stream_options.include_usage: true`: end with a usage chunk, `usage: null` on the rest. */
  includeUsage?: boolean;
  /** The model to name until (or unless) `message_start` names one. */
  model?: string;
}

export class MessagesToChatStreamTranslator {
  createStream(options: MessagesChatStreamOptions = {}): MessagesToChatStream {
    return new MessagesToChatStream(options);
  }
}

type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking'; thinking: string; signature: string; start: Record<string, unknown> }
  | { kind: 'tool_use'; callIndex: number; input: unknown; argumentsSent: boolean }
  | { kind: 'other' };

/**
 * One stream's translation state. `push` returns the chunks an event produces and throws a
 * MessagesStreamError for an `error` event; `end` throws unless `message_stop` came. Events
 * after the end are ignored.
 *
 * Thinking: `thinking_delta` text streams as `delta.reasoning_content`. When a thinking block
 * stops, the whole block — its full text and its signature, which is only complete then — goes
 * out once as `delta.thinking_blocks: [block]`, and a `redacted_thinking` block the same way when
 * it starts. A client that appends these to its message's `thinking_blocks` can send them back
 * (ChatToMessagesTranslator puts them first in the assistant turn, unchanged), which Anthropic
 * requires when thinking is used with tools.
 */
export class MessagesToChatStream {
  private readonly chunks: ChatChunkBuilder;
  private usage: Partial<AnthropicUsage> = {};
  private stopReason: AnthropicStopReason | string | null = null;
  /** `message_stop` or an `error` has been seen: later events are ignored. */
  private closed = false;
  /** `message_stop` has been translated: the stream finished properly. */
  private done = false;

  private readonly blocks = new Map<number, BlockState>();
  private callCount = 0;
  /** A thinking block has streamed text already: the next one's is set apart. */
  private reasoningSent = false;
  private lastReasoningBlock?: number;

  constructor(options: MessagesChatStreamOptions = {}) {
    this.chunks = new ChatChunkBuilder(options.includeUsage === true, options.model, 'msg_');
  }

  /** A chunk has been produced: from here on a failure can only be reported inside the stream. */
  get started(): boolean {
    return this.chunks.started;
  }

  /** `message_stop` has been translated. */
  get finished(): boolean {
    return this.done;
  }

  push(event: MessagesStreamEvent): ChatCompletionChunk[] {
    if (this.closed || !isObject(event)) return [];
    switch (event.type) {
      case 'message_start':
        this.adopt(event as MessageStartEvent);
        return [];
      case 'content_block_start':
        return this.blockStart(event as ContentBlockStartEvent);
      case 'content_block_delta':
        return this.blockDelta(event as ContentBlockDeltaEvent);
      case 'content_block_stop':
        return this.blockStop(event as ContentBlockStopEvent);
      case 'message_delta':
        this.messageDelta(event as MessageDeltaEvent);
        return [];
      case 'message_stop':
        return this.finish();
      case 'error':
        this.closed = true;
        throw messagesStreamErrorOf(event as AnthropicErrorEvent);
      // `ping` and event types we do not know carry nothing for a chat client.
      default:
        return [];
    }
  }

  /** The upstream has ended. Throws MessagesStreamError (`ended_early`) unless `message_stop` came. */
  end(): void {
    if (this.done) return;
    this.closed = true;
    throw messagesStreamEndedEarly();
  }

  private adopt(event: MessageStartEvent): void {
    const message: Record<string, unknown> = isObject(event.message) ? event.message : {};
    // The identity is fixed by the first chunk: every chunk of a stream carries the same id.
    this.chunks.adopt({
      id: typeof message.id === 'string' && message.id !== '' ? chatCompletionIdOf(message.id) : undefined,
      model: typeof message.model === 'string' ? message.model : undefined,
    });
    if (isObject(message.usage)) this.mergeUsage(message.usage);
  }

  private blockStart(event: ContentBlockStartEvent): ChatCompletionChunk[] {
    const block: Record<string, unknown> = isObject(event.content_block) ? event.content_block : {};
    switch (block.type) {
      case 'text':
        this.blocks.set(event.index, { kind: 'text' });
        return this.text(typeof block.text === 'string' ? block.text : '');
      case 'thinking': {
        const thinking = typeof block.thinking === 'string' ? block.thinking : '';
        const signature = typeof block.signature === 'string' ? block.signature : '';
        this.blocks.set(event.index, { kind: 'thinking', thinking, signature, start: block });
        return this.reasoning(event.index, thinking);
      }
      case 'redacted_thinking': {
        this.blocks.set(event.index, { kind: 'other' });
        const redacted = chatThinkingBlockOf(block);
        return redacted ? [this.chunk({ thinking_blocks: [redacted] })] : [];
      }
      case 'tool_use': {
        if (typeof block.id !== 'string' || typeof block.name !== 'string') {
          this.blocks.set(event.index, { kind: 'other' });
          return [];
        }
        const callIndex = this.callCount++;
        this.blocks.set(event.index, { kind: 'tool_use', callIndex, input: block.input, argumentsSent: false });
        return [this.chunk({ tool_calls: [{ index: callIndex, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })];
      }
      // Server tools (web search, code execution) run at Anthropic; a chat client has nothing
      // to do with their calls or results, and their text answer arrives as text blocks.
      default:
        this.blocks.set(event.index, { kind: 'other' });
        return [];
    }
  }

  private blockDelta(event: ContentBlockDeltaEvent): ChatCompletionChunk[] {
    const delta: Record<string, unknown> = isObject(event.delta) ? event.delta : {};
    const block = this.blocks.get(event.index);
    switch (delta.type) {
      case 'text_delta':
        return typeof delta.text === 'string' ? this.text(delta.text) : [];
      case 'thinking_delta': {
        if (typeof delta.thinking !== 'string') return [];
        if (block?.kind === 'thinking') block.thinking += delta.thinking;
        return this.reasoning(event.index, delta.thinking);
      }
      case 'signature_delta':
        if (block?.kind === 'thinking' && typeof delta.signature === 'string') block.signature += delta.signature;
        return [];
      case 'input_json_delta': {
        // Arguments of a call never announced (no tool_use start) cannot be placed: dropped.
        if (block?.kind !== 'tool_use' || typeof delta.partial_json !== 'string' || delta.partial_json === '') return [];
        block.argumentsSent = true;
        return [this.chunk({ tool_calls: [{ index: block.callIndex, function: { arguments: delta.partial_json } }] })];
      }
      // citations_delta and unknown deltas: chat has no place for them.
      default:
        return [];
    }
  }

  private blockStop(event: ContentBlockStopEvent): ChatCompletionChunk[] {
    const block = this.blocks.get(event.index);
    if (block?.kind === 'thinking') {
      // Unsigned thinking cannot be sent back to Anthropic: it stays reasoning_content only.
      if (block.signature === '') return [];
      const whole = chatThinkingBlockOf({ ...block.start, thinking: block.thinking, signature: block.signature });
      return whole ? [this.chunk({ thinking_blocks: [whole] as ChatThinkingBlock[] })] : [];
    }
    if (block?.kind === 'tool_use' && !block.argumentsSent && isObject(block.input) && Object.keys(block.input).length > 0) {
      // A proxy that sends the whole input with the block start and no deltas.
      block.argumentsSent = true;
      return [this.chunk({ tool_calls: [{ index: block.callIndex, function: { arguments: JSON.stringify(block.input) } }] })];
    }
    return [];
  }

  private messageDelta(event: MessageDeltaEvent): void {
    if (isObject(event.delta) && typeof event.delta.stop_reason === 'string') this.stopReason = event.delta.stop_reason;
    // Cumulative counts: each one given replaces what message_start said.
    if (isObject(event.usage)) this.mergeUsage(event.usage);
  }

  private mergeUsage(usage: Record<string, unknown>): void {
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
      const value = usage[key];
      if (typeof value === 'number' && Number.isFinite(value)) this.usage[key] = value;
    }
  }

  private finish(): ChatCompletionChunk[] {
    const reason: ChatFinishReason = chatFinishReasonOf(this.stopReason, this.callCount > 0);
    const chunks = [this.chunk({}, reason)];
    this.closed = this.done = true;
    return [...chunks, ...this.chunks.usageChunks(chatUsageOf(this.usage))];
  }

  private text(fragment: string): ChatCompletionChunk[] {
    return fragment === '' ? [] : [this.chunk({ content: fragment })];
  }

  private reasoning(blockIndex: number, fragment: string): ChatCompletionChunk[] {
    if (fragment === '') return [];
    const separate = this.reasoningSent && this.lastReasoningBlock !== blockIndex;
    this.reasoningSent = true;
    this.lastReasoningBlock = blockIndex;
    return [this.chunk({ reasoning_content: separate ? THINKING_SEPARATOR + fragment : fragment })];
  }



  private chunk(delta: ChatChunkDelta, finishReason: ChatFinishReason | null = null): ChatCompletionChunk {
    return this.chunks.chunk(delta, finishReason);
  }
}
