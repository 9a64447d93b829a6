// Translates Kiro's answer events (protocol/kiro-assistant-response.ts; reference/
// wire-protocols.md §7 "Kiro") into Chat Completions chunks (§4.1). Text goes out as `content`;
// a tool call opens with its id and name on its first `toolUseEvent` and its input fragments go
// out as argument deltas until the event with `stop: true` closes it. Kiro's stream ends at EOF
// with no terminator, so the finish chunk (tool_calls when the answer called a tool) and the
// usage chunk go out at the end. Kiro counts no tokens: input is read from its context usage
// percentage (a share of a 200k window, as CLIProxyAPI reads it), output is estimated from what
// was streamed, unless a metadata event gave real counts. An end inside a tool call, or before
// any event, is a stream cut short and throws.
// Thinking goes out as `reasoning_content`, the way every chat stream here carries it: a
// `reasoningContentEvent`'s text always, and — only when the request switched thinking on — the
// `<thinking>…</thinking>` Kiro writes inline at the start of the answer (kiro-thinking-splitter.ts).
import { kiroInputTokensOf, type KiroMetadataEvent, type KiroStreamEvent } from '../protocol/kiro-assistant-response';
import { isObject } from '../protocol/json-object';
import type { ChatCompletionChunk, ChatFinishReason, ChatUsage } from '../protocol/openai-chat';
import { ChatChunkBuilder } from './chat-chunk-builder';
import { ChatStreamError } from './chat-stream-error';
import { KiroThinkingSplitter, type KiroTextPiece } from './kiro-thinking-splitter';

export const KIRO_ENDED_EARLY_MESSAGE = 'the upstream Kiro stream ended before it answered';
export const KIRO_OPEN_TOOL_MESSAGE = 'the upstream Kiro stream ended inside a tool call';
/** About four characters per token: the estimate for output Kiro did not count. */
const CHARS_PER_TOKEN = 4;

export interface KiroChatStreamOptions {
  model?: string;
  /** End with a usage chunk (and `usage: null` on the others). */
  includeUsage?: boolean;
  /**
   * The request switched thinking on (kiro-thinking.ts `kiroThinkingAsked`): a `<thinking>` that
   * opens the answer is the model's thinking. Without it the text is passed on untouched.
   */
  thinking?: boolean;
}

export class KiroToChatStreamTranslator {
  createStream(options: KiroChatStreamOptions = {}): KiroToChatStream {
    return new KiroToChatStream(options);
  }
}

interface OpenCall {
  id: string;
  index: number;
  argumentsSent: boolean;
}

export class KiroToChatStream {
  private readonly chunks: ChatChunkBuilder;
  private events = 0;
  private calls = 0;
  private open?: OpenCall;
  /** Calls already closed: Kiro has been seen to repeat a finished call's events. */
  private readonly closed = new Set<string>();
  private outputChars = 0;
  private inputTokens?: number;
  private counted?: { input?: number; output?: number; cached?: number };
  private stopReason?: string;
  private readonly splitter?: KiroThinkingSplitter;

  constructor(options: KiroChatStreamOptions = {}) {
    this.chunks = new ChatChunkBuilder(options.includeUsage === true, options.model, 'kiro_');
    if (options.thinking === true) this.splitter = new KiroThinkingSplitter();
  }

  /** Kiro's stream ends only at EOF: nothing ends it earlier. */
  readonly finished = false;

  push(event: KiroStreamEvent): ChatCompletionChunk[] {
    if (!isObject(event)) return [];
    this.events++;
    const text = event.assistantResponseEvent;
    if (isObject(text) && typeof text.content === 'string' && text.content !== '') {
      this.outputChars += text.content.length;
      return this.pieces(this.splitter ? this.splitter.push(text.content) : [{ kind: 'content', text: text.content }]);
    }
    const reasoning = event.reasoningContentEvent;
    if (isObject(reasoning) && typeof reasoning.text === 'string' && reasoning.text !== '') {
      this.outputChars += reasoning.text.length;
      return [...this.flushText(), this.chunks.chunk({ reasoning_content: reasoning.text })];
    }
    if (isObject(event.toolUseEvent)) return [...this.flushText(), ...this.toolUse(event.toolUseEvent)];
    const context = event.contextUsageEvent;
    if (isObject(context) && typeof context.contextUsagePercentage === 'number') this.inputTokens = kiroInputTokensOf(context.contextUsagePercentage);
    const metadata = event.messageMetadataEvent ?? event.metadataEvent;
    if (isObject(metadata)) this.counted = countsOf(metadata);
    const stop = event.messageStopEvent;
    if (isObject(stop) && typeof stop.stopReason === 'string') this.stopReason = stop.stopReason;
    return [];
  }

  /** The finish chunk and the usage chunk; throws when the stream was cut short. */
  end(): ChatCompletionChunk[] {
    if (this.open) throw new ChatStreamError(KIRO_OPEN_TOOL_MESSAGE, { failure: 'ended_early' });
    if (this.events === 0) throw new ChatStreamError(KIRO_ENDED_EARLY_MESSAGE, { failure: 'ended_early' });
    // A stream that ends inside the thinking (cut by max tokens) sends what it thought.
    return [...this.flushText(), this.chunks.chunk({}, this.finishReason()), ...this.chunks.usageChunks(this.usage())];
  }

  /** Text the splitter held back (a possible partial tag), sent before anything else goes out. */
  private flushText(): ChatCompletionChunk[] {
    return this.splitter ? this.pieces(this.splitter.flush()) : [];
  }

  private pieces(pieces: KiroTextPiece[]): ChatCompletionChunk[] {
    return pieces.map((piece) => this.chunks.chunk(piece.kind === 'reasoning' ? { reasoning_content: piece.text } : { content: piece.text }));
  }

  private toolUse(event: NonNullable<KiroStreamEvent['toolUseEvent']>): ChatCompletionChunk[] {
    const id = typeof event.toolUseId === 'string' && event.toolUseId !== '' ? event.toolUseId : this.open?.id;
    if (id === undefined || this.closed.has(id)) return [];
    const out: ChatCompletionChunk[] = [];
    if (this.open && this.open.id !== id) out.push(...this.close(this.open));
    if (!this.open) {
      if (typeof event.name !== 'string' || event.name === '') {
        throw new ChatStreamError('the upstream Kiro stream started a tool call without a name', { failure: 'malformed' });
      }
      this.open = { id, index: this.calls++, argumentsSent: false };
      out.push(this.chunks.chunk({ tool_calls: [{ index: this.open.index, id, type: 'function', function: { name: event.name, arguments: '' } }] }));
    }
    const open = this.open;
    // Fragments are strings; a whole input object (seen from some Kiro versions) is sent as its JSON.
    const fragment = typeof event.input === 'string' ? event.input : isObject(event.input) ? JSON.stringify(event.input) : '';
    if (fragment !== '') {
      open.argumentsSent = true;
      this.outputChars += fragment.length;
      out.push(this.chunks.chunk({ tool_calls: [{ index: open.index, function: { arguments: fragment } }] }));
    }
    if (event.stop === true) out.push(...this.close(open));
    return out;
  }

  /** Ends a call; one that had no input gets `{}`, the empty arguments object chat clients parse. */
  private close(call: OpenCall): ChatCompletionChunk[] {
    this.open = undefined;
    this.closed.add(call.id);
    return call.argumentsSent ? [] : [this.chunks.chunk({ tool_calls: [{ index: call.index, function: { arguments: '{}' } }] })];
  }

  private finishReason(): ChatFinishReason {
    if (this.calls > 0) return 'tool_calls';
    const reason = this.stopReason?.toLowerCase();
    if (reason === 'max_tokens' || reason === 'length' || reason === 'model_context_window_exceeded') return 'length';
    if (reason === 'tool_use') return 'tool_calls';
    return 'stop';
  }

  private usage(): ChatUsage {
    const input = this.counted?.input ?? this.inputTokens ?? 0;
    const output = this.counted?.output ?? Math.ceil(this.outputChars / CHARS_PER_TOKEN);
    const usage: ChatUsage = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
    if (this.counted?.cached) usage.prompt_tokens_details = { cached_tokens: this.counted.cached };
    return usage;
  }
}

/** Real counts from a metadata event: `tokenUsage` (input = uncached + cache reads and writes), or flat fields. */
function countsOf(metadata: KiroMetadataEvent): { input?: number; output?: number; cached?: number } {
  const usage = metadata.tokenUsage;
  if (isObject(usage)) {
    const read = count(usage.cacheReadInputTokens) ?? 0;
    const uncached = count(usage.uncachedInputTokens);
    return {
      input: uncached === undefined ? undefined : uncached + read + (count(usage.cacheWriteInputTokens) ?? 0),
      output: count(usage.outputTokens),
      cached: read,
    };
  }
  return { input: count(metadata.inputTokens), output: count(metadata.outputTokens) };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}
