// Translates an OpenAI chat chunk stream (reference/wire-protocols.md §4.1) into Responses API
// stream events (§1.5, §4.2), for a Responses client (openai SDK, Codex CLI) of a model served by
// a chat provider. Each stream gets a ChatToResponsesStream that takes the parsed `data:`
// payloads one at a time and returns the events they produce, numbered from 0 by
// `sequence_number`; the caller frames them as `event: <type>` / `data: <json>`. Nothing is
// produced before the first chunk, so a failure before it can still be an HTTP error.
//
// The order is the one the SDK's ResponseStream needs (it rebuilds the response from the events
// and fails on a delta for an item or part it was not told about): response.created,
// response.in_progress, then per item output_item.added → its parts' added/delta/done events →
// output_item.done, then response.completed (or response.incomplete) with `output` filled.
import { randomUUID } from 'node:crypto';
import type { ChatCompletionChunk, ChatThinkingBlock, ChatToolCallDelta, ChatUsage } from '../protocol/openai-chat';
import type { ResponseObject, ResponsesItem, ResponsesStreamEvent } from '../protocol/openai-responses';
import { isObject } from '../protocol/json-object';
import { chatChunkChoice } from './chat-chunk-choice';
import { chatErrorOf, chatStreamEndedEarly } from './chat-stream-error';
import type { ChatStreamPayload } from './chat-to-messages-stream.translator';
import { callItem, itemId, outputTextPart, reasoningItem, refusalPart, responseIdOf, responsesUsageOf, terminalStatusOf } from './responses-answer-fields';
import { customInput, responsesCallOf, type ResponsesToolNames } from './responses-chat-tools';
import { chatThinkingBlocks, encryptedContentOf } from './thinking-carrier';

export interface ResponsesStreamOptions {
  /** The model the client asked for: what the response names. */
  model: string;
  /** `responsesToolNames(request)`: turns flattened namespace and custom tools back into their calls. */
  tools?: ResponsesToolNames;
}

export class ChatToResponsesStreamTranslator {
  createStream(options: ResponsesStreamOptions): ChatToResponsesStream {
    return new ChatToResponsesStream(options);
  }
}

/** Event fields the stream fills in itself. */
type Unnumbered = { type: string; [key: string]: unknown };

interface OpenMessage {
  index: number;
  id: string;
  /** Finished parts, then the open one. */
  parts: Array<{ type: 'output_text' | 'refusal'; text: string }>;
  open: boolean;
}

interface OpenReasoning {
  index: number;
  id: string;
  text: string;
  /** Claude's signed thinking, carried out in `encrypted_content` (thinking-carrier.ts). */
  blocks: ChatThinkingBlock[];
}

interface ToolCallState {
  callId?: string;
  name?: string;
  /** Arguments so far (all of them for a custom tool, whose input is only known whole). */
  args: string;
  /** Set once the call's item is announced (it needs the name). */
  index?: number;
  id?: string;
  custom?: boolean;
  done: boolean;
}

/**
 * One stream's translation state. `push` returns the events a chunk produces and throws a
 * ChatStreamError for an error payload; `finish` (after `[DONE]` or the end of the body) returns
 * the closing events and throws ChatStreamError (`ended_early`) when no finish_reason came.
 */
export class ChatToResponsesStream {
  private readonly options: ResponsesStreamOptions;
  private sequence = -1;
  private responseId = '';
  private createdAt = 0;
  private isStarted = false;
  private closed = false;
  private finishReason?: string;
  private usage?: ChatUsage;

  private nextIndex = 0;
  private readonly doneItems = new Map<number, ResponsesItem>();
  private message?: OpenMessage;
  private reasoning?: OpenReasoning;
  private readonly calls = new Map<number, ToolCallState>();
  private lastCall?: number;

  constructor(options: ResponsesStreamOptions) {
    this.options = options;
  }

  /** The sequence number of the last event produced (-1 before any): an error event takes the next. */
  get lastSequence(): number {
    return this.sequence;
  }

  /** response.created has been produced: from here on a failure can only be reported inside the stream. */
  get started(): boolean {
    return this.isStarted;
  }

  push(payload: ChatStreamPayload): ResponsesStreamEvent[] {
    if (this.closed || !isObject(payload)) return [];
    const error = chatErrorOf(payload);
    if (error) {
      this.closed = true;
      throw error;
    }
    const chunk = payload as ChatCompletionChunk;
    const events: ResponsesStreamEvent[] = [];
    if (!this.isStarted) events.push(...this.start(chunk));
    if (isObject(chunk.usage)) this.usage = chunk.usage;

    if (this.finishReason !== undefined) {
      // The usage chunk (`choices: []`) is the last before [DONE] (§4.1): the answer is whole, so
      // it completes now rather than at [DONE]. Usage sent on the finish chunk itself, or none
      // (the upstream ignored include_usage), completes at finish().
      if (Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage)) events.push(...this.complete());
      return events;
    }
    const choice = chatChunkChoice(chunk);
    if (!choice) return events;

    if (choice.reasoning !== undefined) events.push(...this.reasoningDelta(choice.reasoning));
    const thinking = chatThinkingBlocks(choice.delta.thinking_blocks);
    if (thinking.length > 0) {
      events.push(...this.openReasoning());
      this.reasoning!.blocks.push(...thinking);
    }
    if (choice.content !== undefined) events.push(...this.textDelta('output_text', choice.content));
    if (choice.refusal !== undefined) events.push(...this.textDelta('refusal', choice.refusal));
    for (const call of choice.toolCalls) events.push(...this.toolCallDelta(call));
    if (choice.finishReason !== undefined) {
      this.finishReason = choice.finishReason;
      // Every item is whole now: the client can show them done while usage is still coming.
      events.push(...this.closeItems());
    }
    return events;
  }

  /** The upstream has ended: the terminal event, unless the usage chunk already produced it. Calling it again returns nothing. */
  finish(): ResponsesStreamEvent[] {
    if (this.closed) return [];
    if (this.finishReason === undefined) {
      this.closed = true;
      throw chatStreamEndedEarly();
    }
    return [...this.closeItems(), ...this.complete()];
  }

  private start(chunk: ChatCompletionChunk): ResponsesStreamEvent[] {
    this.isStarted = true;
    this.responseId = responseIdOf(chunk.id);
    this.createdAt = typeof chunk.created === 'number' ? chunk.created : Math.floor(Date.now() / 1000);
    const response = this.response({ status: 'in_progress', incomplete_details: null }, [], null);
    return [this.emit({ type: 'response.created', response }), this.emit({ type: 'response.in_progress', response })];
  }

  private complete(): ResponsesStreamEvent[] {
    this.closed = true;
    const status = terminalStatusOf(this.finishReason);
    const output = [...this.doneItems.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
    const response = this.response(status, output, responsesUsageOf(this.usage));
    return [this.emit({ type: status.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response })];
  }

  private response(status: Pick<ResponseObject, 'status' | 'incomplete_details'>, output: ResponsesItem[], usage: ResponseObject['usage']): ResponseObject {
    return { id: this.responseId, object: 'response', created_at: this.createdAt, model: this.options.model, ...status, error: null, output, usage };
  }

  /** The open reasoning item, opened (after any other item closes) with its one summary part. */
  private openReasoning(): ResponsesStreamEvent[] {
    if (this.reasoning) return [];
    const events = this.closeItems();
    const index = this.nextIndex++;
    const id = itemId('rs', this.responseId, index);
    this.reasoning = { index, id, text: '', blocks: [] };
    events.push(
      this.emit({ type: 'response.output_item.added', output_index: index, item: reasoningItem(id, '', 'in_progress') }),
      this.emit({ type: 'response.reasoning_summary_part.added', item_id: id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } }),
    );
    return events;
  }

  private reasoningDelta(text: string): ResponsesStreamEvent[] {
    const events = this.openReasoning();
    const reasoning = this.reasoning!;
    reasoning.text += text;
    events.push(this.emit({ type: 'response.reasoning_summary_text.delta', item_id: reasoning.id, output_index: reasoning.index, summary_index: 0, delta: text }));
    return events;
  }

  /** Text or refusal into the open message (opened after any other item closes), in a part of its kind. */
  private textDelta(kind: 'output_text' | 'refusal', text: string): ResponsesStreamEvent[] {
    const events: ResponsesStreamEvent[] = [];
    if (!this.message) {
      events.push(...this.closeItems());
      const index = this.nextIndex++;
      this.message = { index, id: itemId('msg', this.responseId, index), parts: [], open: false };
      events.push(
        this.emit({ type: 'response.output_item.added', output_index: index, item: { id: this.message.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } }),
      );
    }
    const message = this.message;
    let part = message.open ? message.parts.at(-1) : undefined;
    if (!part || part.type !== kind) {
      events.push(...this.closePart());
      const fresh = { type: kind, text: '' };
      part = fresh;
      message.parts.push(fresh);
      message.open = true;
      events.push(
        this.emit({
          type: 'response.content_part.added',
          item_id: message.id,
          output_index: message.index,
          content_index: message.parts.length - 1,
          part: kind === 'output_text' ? outputTextPart('') : refusalPart(''),
        }),
      );
    }
    part.text += text;
    const where = { item_id: message.id, output_index: message.index, content_index: message.parts.length - 1 };
    // logprobs: [] on text events, which Codex CLI and openai-python validate (§4.2).
    events.push(this.emit(kind === 'output_text' ? { type: 'response.output_text.delta', ...where, delta: text, logprobs: [] } : { type: 'response.refusal.delta', ...where, delta: text }));
    return events;
  }

  private toolCallDelta(delta: ChatToolCallDelta): ResponsesStreamEvent[] {
    const chatIndex = this.callIndex(delta);
    let call = this.calls.get(chatIndex);
    if (!call) {
      call = { args: '', done: false };
      this.calls.set(chatIndex, call);
    }
    this.lastCall = chatIndex;
    if (typeof delta.id === 'string' && delta.id !== '' && call.callId === undefined) call.callId = delta.id;
    const fn = isObject(delta.function) ? delta.function : {};
    if (typeof fn.name === 'string' && fn.name !== '' && call.name === undefined) call.name = fn.name;
    const fragment = typeof fn.arguments === 'string' ? fn.arguments : '';
    // A call whose item is done (the model moved on to text) takes nothing more: there is no item to put it in.
    if (call.done) return [];
    call.args += fragment;

    const events: ResponsesStreamEvent[] = [];
    if (call.index === undefined) {
      // The item is announced with the call's name; arguments that came first go out with it.
      if (call.name === undefined) return events;
      // Parallel calls each get their own item; only text and reasoning items end here.
      events.push(...this.closeTextAndReasoning());
      call.callId ??= `call_${randomUUID().replace(/-/g, '')}`;
      const shape = responsesCallOf(call.name, '', this.options.tools);
      call.custom = shape.type === 'custom_tool_call';
      call.index = this.nextIndex++;
      call.id = itemId(call.custom ? 'ctc' : 'fc', this.responseId, call.index);
      events.push(this.emit({ type: 'response.output_item.added', output_index: call.index, item: callItem(call.id, call.callId, shape, 'in_progress') }));
      if (call.args !== '' && !call.custom) events.push(this.emit({ type: 'response.function_call_arguments.delta', item_id: call.id, output_index: call.index, delta: call.args }));
      return events;
    }
    // A custom tool's input is the `input` string inside the JSON arguments: only known whole.
    if (fragment !== '' && !call.custom) {
      events.push(this.emit({ type: 'response.function_call_arguments.delta', item_id: call.id!, output_index: call.index, delta: fragment }));
    }
    return events;
  }

  /** The chat index of a tool-call delta; some providers omit `index` (then a new id is a new call). */
  private callIndex(delta: ChatToolCallDelta): number {
    if (typeof delta.index === 'number') return delta.index;
    if (typeof delta.id === 'string' && delta.id !== '') {
      for (const [index, call] of this.calls) if (call.callId === delta.id) return index;
      return this.calls.size === 0 ? 0 : Math.max(...this.calls.keys()) + 1;
    }
    return this.lastCall ?? 0;
  }

  private closeItems(): ResponsesStreamEvent[] {
    const events = this.closeTextAndReasoning();
    const open = [...this.calls.values()].filter((call) => call.index !== undefined && !call.done).sort((a, b) => a.index! - b.index!);
    for (const call of open) events.push(...this.closeCall(call));
    // A call whose name never came cannot be announced: there is nothing a client could run.
    return events;
  }

  private closeTextAndReasoning(): ResponsesStreamEvent[] {
    return [...this.closeReasoning(), ...this.closeMessage()];
  }

  private closeReasoning(): ResponsesStreamEvent[] {
    const reasoning = this.reasoning;
    if (!reasoning) return [];
    this.reasoning = undefined;
    const where = { item_id: reasoning.id, output_index: reasoning.index, summary_index: 0 };
    const item = reasoningItem(reasoning.id, reasoning.text, 'completed');
    if (reasoning.blocks.length > 0) item.encrypted_content = encryptedContentOf(reasoning.blocks);
    this.doneItems.set(reasoning.index, item);
    return [
      this.emit({ type: 'response.reasoning_summary_text.done', ...where, text: reasoning.text }),
      this.emit({ type: 'response.reasoning_summary_part.done', ...where, part: { type: 'summary_text', text: reasoning.text } }),
      this.emit({ type: 'response.output_item.done', output_index: reasoning.index, item }),
    ];
  }

  private closeMessage(): ResponsesStreamEvent[] {
    const message = this.message;
    if (!message) return [];
    const events = this.closePart();
    this.message = undefined;
    const content = message.parts.map((part) => (part.type === 'output_text' ? outputTextPart(part.text) : refusalPart(part.text)));
    const item: ResponsesItem = { id: message.id, type: 'message', status: 'completed', role: 'assistant', content };
    this.doneItems.set(message.index, item);
    events.push(this.emit({ type: 'response.output_item.done', output_index: message.index, item }));
    return events;
  }

  private closePart(): ResponsesStreamEvent[] {
    const message = this.message;
    const part = message?.parts.at(-1);
    if (!message || !message.open || !part) return [];
    message.open = false;
    const where = { item_id: message.id, output_index: message.index, content_index: message.parts.length - 1 };
    if (part.type === 'output_text') {
      return [
        this.emit({ type: 'response.output_text.done', ...where, text: part.text, logprobs: [] }),
        this.emit({ type: 'response.content_part.done', ...where, part: outputTextPart(part.text) }),
      ];
    }
    return [
      this.emit({ type: 'response.refusal.done', ...where, refusal: part.text }),
      this.emit({ type: 'response.content_part.done', ...where, part: refusalPart(part.text) }),
    ];
  }

  private closeCall(call: ToolCallState): ResponsesStreamEvent[] {
    call.done = true;
    const where = { item_id: call.id!, output_index: call.index! };
    const shape = responsesCallOf(call.name!, call.args, this.options.tools);
    const item = callItem(call.id!, call.callId!, shape, 'completed');
    this.doneItems.set(call.index!, item);
    const events: ResponsesStreamEvent[] = [];
    if (shape.type === 'custom_tool_call') {
      const input = customInput(call.args);
      if (input !== '') events.push(this.emit({ type: 'response.custom_tool_call_input.delta', ...where, delta: input }));
      events.push(this.emit({ type: 'response.custom_tool_call_input.done', ...where, input }));
    } else {
      events.push(this.emit({ type: 'response.function_call_arguments.done', ...where, name: shape.name, arguments: call.args }));
    }
    events.push(this.emit({ type: 'response.output_item.done', output_index: call.index!, item }));
    return events;
  }

  private emit(event: Unnumbered): ResponsesStreamEvent {
    this.sequence += 1;
    return { ...event, sequence_number: this.sequence } as ResponsesStreamEvent;
  }
}
