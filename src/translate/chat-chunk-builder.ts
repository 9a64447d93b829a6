// Builds the chat chunks a translated stream sends: one identity (id, created, model) for the
// whole stream, `role: "assistant"` on the first chunk, and `usage: null` on every chunk but the
// usage chunk when the client asked for usage (reference/wire-protocols.md §4.1). Shared by every
// translator that turns another protocol's stream into chat chunks.
import { randomUUID } from 'node:crypto';
import type { ChatChunkDelta, ChatCompletionChunk, ChatFinishReason, ChatUsage } from '../protocol/openai-chat';

export class ChatChunkBuilder {
  private id?: string;
  private created?: number;
  private roleSent = false;

  constructor(
    private readonly includeUsage: boolean,
    private model: string | undefined,
    /** Prefix of a made-up id, for a stream whose upstream never named one (`msg_`, `resp_`). */
    private readonly fallbackIdPrefix: string,
  ) {}

  /** A chunk has been built: from here on the stream has started. */
  get started(): boolean {
    return this.roleSent;
  }

  /** Takes the upstream's names for the stream; ignored once the first chunk is out. */
  adopt(identity: { id?: string; created?: number; model?: string }): void {
    if (this.roleSent) return;
    if (identity.id) this.id = identity.id;
    if (identity.created !== undefined) this.created = identity.created;
    if (identity.model) this.model = identity.model;
  }

  chunk(delta: ChatChunkDelta, finishReason: ChatFinishReason | null = null): ChatCompletionChunk {
    if (!this.roleSent) {
      // The first chunk names the role; like OpenAI's, it says `content: null` when it has no text.
      delta = { role: 'assistant', ...('content' in delta ? {} : { content: null }), ...delta };
      this.roleSent = true;
    }
    const chunk: ChatCompletionChunk = { ...this.envelope(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
    if (this.includeUsage) chunk.usage = null;
    return chunk;
  }

  /** The usage chunk (`choices: []`), or none when the client did not ask for usage. */
  usageChunks(usage: ChatUsage): ChatCompletionChunk[] {
    return this.includeUsage ? [{ ...this.envelope(), choices: [], usage }] : [];
  }

  private envelope(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model' | 'system_fingerprint'> {
    // Content before the upstream named the stream (a non-conforming upstream) still needs an identity.
    this.id ??= `chatcmpl-${this.fallbackIdPrefix}${randomUUID().replace(/-/g, '')}`;
    this.created ??= Math.floor(Date.now() / 1000);
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model ?? '', system_fingerprint: null };
  }
}
