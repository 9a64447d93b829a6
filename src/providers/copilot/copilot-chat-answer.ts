// Copilot's chat answers made into the OpenAI chat answers clients expect (reference/
// wire-protocols.md §5 quirks). Copilot streams a reasoning model's thoughts as `reasoning_text`
// (renamed to `reasoning_content`, the field chat clients read), and its Claude models answer
// in several `choices` — text under index 0, tool calls under index 1 — even when one was
// asked for. For such a request (no `n` above 1) every index is folded into choice 0, with tool
// call indices kept apart, and one finish reason sent at the end (`tool_calls` if any choice
// called a tool). A request for several choices gets them as they came.
import type { ChatCompletion, ChatCompletionChunk, ChatToolCall, ChatToolCallDelta } from '../../protocol/openai-chat';
import { isObject } from '../../protocol/json-object';
import type { SseEvent } from '../../protocol/sse';

type ChunkChoice = ChatCompletionChunk['choices'][number];
type Finish = ChunkChoice['finish_reason'];

/** The stream's events with the quirks above mended; events that need no change pass as they are. */
export async function* copilotChatEvents(events: AsyncIterable<SseEvent>, fold: boolean): AsyncGenerator<SseEvent> {
  const folding = fold ? new ChoiceFolding() : undefined;
  for await (const event of events) {
    const chunk = event.json as ChatCompletionChunk | undefined;
    if (!isObject(chunk) || !Array.isArray(chunk.choices)) {
      yield event;
      continue;
    }
    let changed = false;
    for (const choice of chunk.choices) if (renameReasoning(choice.delta)) changed = true;
    const plain = chunk.choices.length === 0 || (chunk.choices.length === 1 && (chunk.choices[0].index ?? 0) === 0);
    if (!folding || (plain && !folding.active)) {
      folding?.note(chunk.choices);
      yield changed ? withJson(event, chunk) : event;
      continue;
    }
    for (const out of folding.fold(chunk)) yield withJson(event, out);
  }
  const last = folding?.flush();
  if (last) yield { data: JSON.stringify(last), json: last };
}

/** A whole answer with the same mending: one choice made of all, reasoning renamed. */
export function mendCopilotCompletion(completion: ChatCompletion, fold: boolean): boolean {
  if (!Array.isArray(completion.choices)) return false;
  let changed = false;
  for (const choice of completion.choices) if (isObject(choice.message) && renameReasoning(choice.message)) changed = true;
  if (!fold || completion.choices.length < 2) return changed;
  const [first, ...rest] = completion.choices;
  const message = { ...first.message };
  let toolCalls = [...(message.tool_calls ?? [])];
  for (const other of rest) {
    const text = other.message?.content;
    if (typeof text === 'string' && text !== '') message.content = typeof message.content === 'string' ? message.content + text : text;
    if (typeof other.message?.reasoning_content === 'string') message.reasoning_content = (message.reasoning_content ?? '') + other.message.reasoning_content;
    toolCalls = toolCalls.concat(other.message?.tool_calls ?? []);
  }
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  completion.choices = [{ ...first, index: 0, message, finish_reason: toolCalls.length > 0 ? 'tool_calls' : first.finish_reason }];
  return true;
}

/**
 * A whole answer made from a stream's chunks (already mended, so one choice), for an upstream that
 * refuses `"stream": false`: text, reasoning and tool calls joined, the finish reason and usage kept.
 */
export async function completionFromStream(events: AsyncIterable<SseEvent>): Promise<ChatCompletion> {
  let head: ChatCompletionChunk | undefined;
  let content = '';
  let reasoning = '';
  let finish: ChatCompletion['choices'][number]['finish_reason'] = null;
  let usage: ChatCompletion['usage'];
  const calls: ChatToolCall[] = [];
  for await (const event of events) {
    const chunk = event.json as ChatCompletionChunk;
    head ??= chunk;
    if (isObject(chunk.usage)) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') content += delta.content;
      if (typeof delta.reasoning_content === 'string') reasoning += delta.reasoning_content;
      for (const call of delta.tool_calls ?? []) {
        const slot = (calls[call.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.function.name += call.function.name;
        if (call.function?.arguments) slot.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  const toolCalls = calls.filter(Boolean);
  return {
    id: head?.id ?? 'chatcmpl-copilot',
    object: 'chat.completion',
    created: head?.created ?? Math.floor(Date.now() / 1000),
    model: head?.model ?? '',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: content === '' && toolCalls.length > 0 ? null : content,
          ...(reasoning !== '' ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finish ?? 'stop',
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

/** `reasoning_text` → `reasoning_content` (unless both are there); true when it changed. */
function renameReasoning(part: Record<string, unknown> | undefined): boolean {
  if (!isObject(part) || typeof part.reasoning_text !== 'string') return false;
  if (part.reasoning_content === undefined) part.reasoning_content = part.reasoning_text;
  delete part.reasoning_text;
  return true;
}

/** Folds the choices of one stream into choice 0 (see the file's comment). */
class ChoiceFolding {
  /** True once any chunk had a choice other than 0 or more than one choice. */
  active = false;
  private readonly finished: Finish[] = [];
  private readonly toolIndex = new Map<string, number>();
  private calledTools = false;
  private sentFinish = false;
  private template?: ChatCompletionChunk;

  /** Records choices passed on as they came (choice 0 alone, before any folding was needed). */
  note(choices: ChunkChoice[]): void {
    for (const choice of choices) {
      this.track(choice);
      // Its finish went out as it came: never a second one.
      if (choice.finish_reason) this.sentFinish = true;
    }
  }

  /**
   * The chunk as chunks of choice 0. Finish reasons are held back: another choice may still be
   * under way (Copilot's text choice never finishes while its tool-call choice does). The one
   * finish goes out before the usage chunk that ends a stream, or at its end.
   */
  fold(chunk: ChatCompletionChunk): ChatCompletionChunk[] {
    this.active = true;
    this.template = chunk;
    const out: ChatCompletionChunk[] = [];
    const { choices, usage, ...rest } = chunk;
    for (const choice of choices) {
      const index = typeof choice.index === 'number' ? choice.index : 0;
      this.track(choice);
      const delta = { ...choice.delta };
      if (Array.isArray(delta.tool_calls)) delta.tool_calls = delta.tool_calls.map((call) => this.renumber(index, call));
      const hasDelta = Object.keys(delta).some((key) => delta[key] !== undefined && delta[key] !== null);
      if (hasDelta) out.push({ ...rest, choices: [{ ...choice, index: 0, delta, finish_reason: null }] } as ChatCompletionChunk);
    }
    if (usage !== undefined && usage !== null) {
      const finish = this.flush();
      if (finish) out.push(finish);
      out.push({ ...rest, choices: [], usage } as ChatCompletionChunk);
    }
    return out;
  }

  /** The held finish reason, once: tool_calls if any choice called a tool, else the first that is not `stop`. */
  flush(): ChatCompletionChunk | undefined {
    if (!this.active || this.sentFinish || this.finished.length === 0 || !this.template) return undefined;
    this.sentFinish = true;
    const { choices: _choices, usage: _usage, ...rest } = this.template;
    const reason: Finish = this.calledTools ? 'tool_calls' : (this.finished.find((r) => r !== 'stop') ?? 'stop');
    return { ...rest, choices: [{ index: 0, delta: {}, finish_reason: reason }] } as ChatCompletionChunk;
  }

  private track(choice: ChunkChoice): void {
    if (Array.isArray(choice.delta?.tool_calls) && choice.delta.tool_calls.length > 0) this.calledTools = true;
    if (choice.finish_reason) this.finished.push(choice.finish_reason);
  }

  /** Tool call indices of choice N moved past those of the choices before it, so none collide. */
  private renumber(choice: number, call: ChatToolCallDelta): ChatToolCallDelta {
    const key = `${choice}:${call.index}`;
    let index = this.toolIndex.get(key);
    if (index === undefined) {
      index = this.toolIndex.size;
      this.toolIndex.set(key, index);
    }
    return index === call.index ? call : { ...call, index };
  }
}

function withJson(event: SseEvent, json: object): SseEvent {
  return { ...event, data: JSON.stringify(json), json };
}
