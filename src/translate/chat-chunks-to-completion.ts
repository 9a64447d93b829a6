// Assembles a whole Chat Completion from the chunks of one translated stream: for an upstream
// that only streams (Kiro), asked by a client for a whole answer. Text and reasoning are joined,
// tool calls gathered by index (id and name from their first delta, arguments concatenated),
// the finish reason and usage taken from the chunks that carry them.
import type { ChatCompletion, ChatCompletionChunk, ChatFinishReason, ChatMessage, ChatToolCall, ChatUsage } from '../protocol/openai-chat';

export class ChatChunksToCompletion {
  private id = '';
  private created = 0;
  private model = '';
  private content = '';
  private reasoning = '';
  private readonly calls: ChatToolCall[] = [];
  private finishReason: ChatFinishReason | null = null;
  private usage?: ChatUsage;

  push(chunk: ChatCompletionChunk): void {
    if (this.id === '') {
      this.id = chunk.id;
      this.created = chunk.created;
      this.model = chunk.model;
    }
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (typeof delta.content === 'string') this.content += delta.content;
      if (typeof delta.reasoning_content === 'string') this.reasoning += delta.reasoning_content;
      for (const call of delta.tool_calls ?? []) {
        const known = (this.calls[call.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (call.id) known.id = call.id;
        if (call.function?.name) known.function.name = call.function.name;
        if (call.function?.arguments) known.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
  }

  completion(): ChatCompletion {
    const calls = this.calls.filter((call) => call !== undefined);
    const message: ChatMessage & { role: 'assistant' } = { role: 'assistant', content: this.content === '' && calls.length > 0 ? null : this.content };
    if (this.reasoning !== '') message.reasoning_content = this.reasoning;
    if (calls.length > 0) message.tool_calls = calls;
    const completion: ChatCompletion = {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, message, finish_reason: this.finishReason, logprobs: null }],
    };
    if (this.usage) completion.usage = this.usage;
    return completion;
  }
}
