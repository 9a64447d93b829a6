// Turns a Responses API request (reference/wire-protocols.md §1.3, §4.2: the openai SDK's
// responses.create, Codex CLI) into a Chat Completions request (§4.1), so a Responses client can
// be served by a chat upstream. What chat cannot carry is refused with a TranslationRefusal (a
// 400 the person can act on) rather than dropped: a hosted tool, a file by id, conversation state
// kept on a server. The answer comes back through ChatCompletionToResponseTranslator or
// ChatToResponsesStreamTranslator, which need `responsesToolNames(request)` to undo the tool
// flattening done here (responses-chat-tools.ts).
import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatResponseFormat, ChatThinkingBlock, ChatToolCall } from '../protocol/openai-chat';
import type { ResponsesRequest, ResponsesTextConfig } from '../protocol/openai-responses';
import { isObject, type JsonObject } from '../protocol/json-object';
import { CUSTOM_TOOL_ARGUMENT, chatToolChoiceOf, chatToolName, chatToolsOf } from './responses-chat-tools';
import { thinkingBlocksOf } from './thinking-carrier';
import { TranslationRefusal } from './translation-refusal';

/** Text parts of a system message or a tool output are joined with this (chat takes one string there). */
const PART_SEPARATOR = '\n';

const NO_STATE = 'byokey keeps no conversation state; send the whole conversation in `input`';

export class ResponsesToChatTranslator {
  /** Throws TranslationRefusal for what a chat upstream cannot be asked. */
  translate(request: ResponsesRequest): ChatCompletionRequest {
    refuseServerState(request);
    const { tools } = chatToolsOf(request);
    const body: ChatCompletionRequest = { model: request.model, messages: chatMessages(request) };

    if (tools.length > 0) {
      body.tools = tools;
      // OpenAI rejects tool_choice and parallel_tool_calls on a request without tools.
      const toolChoice = chatToolChoiceOf(request.tool_choice);
      if (toolChoice !== undefined) body.tool_choice = toolChoice;
      if (typeof request.parallel_tool_calls === 'boolean') body.parallel_tool_calls = request.parallel_tool_calls;
    } else if (isObject(request.tool_choice) || request.tool_choice === 'required') {
      throw new TranslationRefusal('`tool_choice` names a tool, but the request declares no tools.', { code: 'unsupported_parameter', param: 'tool_choice' });
    }

    const effort = isObject(request.reasoning) ? request.reasoning.effort : undefined;
    // `reasoning.summary` has no chat form: chat upstreams send their reasoning or they do not.
    if (typeof effort === 'string' && effort !== '') body.reasoning_effort = effort;
    // max_completion_tokens, not max_tokens: like max_output_tokens it counts reasoning tokens,
    // and OpenAI's reasoning models reject max_tokens (it is deprecated there).
    if (typeof request.max_output_tokens === 'number') body.max_completion_tokens = request.max_output_tokens;
    if (typeof request.temperature === 'number') body.temperature = request.temperature;
    if (typeof request.top_p === 'number') body.top_p = request.top_p;
    if (typeof request.top_logprobs === 'number') {
      body.logprobs = true;
      body.top_logprobs = request.top_logprobs;
    }
    Object.assign(body, textOptions(request.text));
    if (typeof request.user === 'string') body.user = request.user;
    if (isObject(request.metadata)) body.metadata = request.metadata;
    if (typeof request.service_tier === 'string') body.service_tier = request.service_tier;
    if (typeof request.prompt_cache_key === 'string') body.prompt_cache_key = request.prompt_cache_key;
    if (typeof request.safety_identifier === 'string') body.safety_identifier = request.safety_identifier;
    if (typeof request.stream === 'boolean') body.stream = request.stream;
    // Without it a chat stream reports no usage, and response.completed must carry it.
    if (request.stream === true) body.stream_options = { include_usage: true };
    // Not carried: `store` (nothing is stored: asking a chat upstream to store would keep the
    // conversation where the client never asked for it), `include` (encrypted reasoning does not
    // exist on chat), `truncation` (the chat upstream errs on a too-long context either way).
    return body;
  }
}

/** Fields that ask the server to remember or fetch something: byokey has nothing to remember with. */
function refuseServerState(request: ResponsesRequest): void {
  const refuse = (param: string, message: string) => {
    throw new TranslationRefusal(message, { code: 'unsupported_parameter', param });
  };
  if (typeof request.previous_response_id === 'string' && request.previous_response_id !== '') {
    refuse('previous_response_id', `\`previous_response_id\` cannot be used with this model: ${NO_STATE}.`);
  }
  if (request.conversation !== undefined && request.conversation !== null) {
    refuse('conversation', `\`conversation\` cannot be used with this model: ${NO_STATE}.`);
  }
  if (request.background === true) refuse('background', '`background` responses cannot be used with this model: byokey keeps no responses to poll; send the request without it.');
  if (isObject(request.prompt)) refuse('prompt', 'Stored prompts (`prompt`) live on OpenAI and cannot be used with this model: send the prompt text as `instructions`.');
}

function chatMessages(request: ResponsesRequest): ChatMessage[] {
  const out = new ChatConversation();
  if (typeof request.instructions === 'string' && request.instructions !== '') out.push({ role: 'system', content: request.instructions });
  if (typeof request.input === 'string') {
    out.push({ role: 'user', content: request.input });
    return out.finish();
  }
  if (!Array.isArray(request.input)) {
    throw new TranslationRefusal('`input` must be a string or a list of items.', { code: 'unsupported_input', param: 'input' });
  }
  request.input.forEach((raw, i) => {
    const param = `input[${i}]`;
    if (!isObject(raw)) throw new TranslationRefusal('Each input item must be an object.', { code: 'unsupported_input', param });
    const item: JsonObject = raw;
    // The SDK's "easy" message form has a role and no type.
    const type = item.type ?? (typeof item.role === 'string' ? 'message' : undefined);
    switch (type) {
      case 'message':
        out.push(message(item, param));
        break;
      case 'function_call':
        out.addToolCall({ id: callId(item, param), type: 'function', function: { name: callName(item, param), arguments: argumentsText(item.arguments) } });
        break;
      case 'custom_tool_call':
        out.addToolCall({
          id: callId(item, param),
          type: 'function',
          function: { name: callName(item, param), arguments: JSON.stringify({ [CUSTOM_TOOL_ARGUMENT]: typeof item.input === 'string' ? item.input : '' }) },
        });
        break;
      case 'function_call_output':
      case 'custom_tool_call_output':
        out.addToolResult(callId(item, param), item.output, `${param}.output`);
        break;
      // Reasoning items are dropped: their summaries are not the model's reasoning, and chat has no
      // standard field to send reasoning back in (OpenAI's chat API takes none, and of the
      // upstreams with `reasoning_content` some reject it in input). Only Claude's signed
      // thinking, which we carried out in `encrypted_content`, goes back as the next assistant
      // message's `thinking_blocks`; OpenAI's own encrypted content only OpenAI can read.
      case 'reasoning':
        out.addThinking(thinkingBlocksOf(item.encrypted_content) ?? []);
        break;
      // Its tools were read into `tools`.
      case 'additional_tools':
        break;
      case 'item_reference':
        throw new TranslationRefusal(`Item references cannot be used with this model: ${NO_STATE}.`, { code: 'unsupported_input', param });
      default:
        throw new TranslationRefusal(
          `Input items of type \`${String(type)}\` cannot be sent to this model (its provider does not speak the Responses API); leave them out of \`input\`.`,
          { code: 'unsupported_input', param: `${param}.type` },
        );
    }
  });
  return out.finish();
}

/**
 * The chat messages being built. Tool calls in a row join one assistant message (chat's form of
 * parallel calls), after its text when the assistant said something first. Tool messages must
 * directly follow their assistant message, so images a tool returned (chat tool messages take
 * text only) go into one user message after the run of tool results.
 */
class ChatConversation {
  private readonly messages: ChatMessage[] = [];
  private pendingImages: ChatContentPart[] = [];
  /** Thinking of the assistant message that comes next. */
  private pendingThinking: ChatThinkingBlock[] = [];

  push(message: ChatMessage): void {
    this.flushImages();
    if (message.role === 'assistant') this.attachThinking(message);
    this.messages.push(message);
  }

  addToolCall(call: ChatToolCall): void {
    const last = this.messages.at(-1);
    if (this.pendingImages.length === 0 && last?.role === 'assistant') {
      last.tool_calls = [...(last.tool_calls ?? []), call];
      this.attachThinking(last);
      return;
    }
    this.push({ role: 'assistant', content: null, tool_calls: [call] });
  }

  addThinking(blocks: ChatThinkingBlock[]): void {
    this.pendingThinking.push(...blocks);
  }

  private attachThinking(message: ChatMessage): void {
    if (this.pendingThinking.length === 0) return;
    message.thinking_blocks = [...(message.thinking_blocks ?? []), ...this.pendingThinking];
    this.pendingThinking = [];
  }

  addToolResult(toolCallId: string, output: unknown, param: string): void {
    const texts: string[] = [];
    const images: ChatContentPart[] = [];
    if (typeof output === 'string') texts.push(output);
    else if (Array.isArray(output)) {
      output.forEach((part, i) => {
        const converted = userPart(part, `${param}[${i}]`);
        if (converted.type === 'text') texts.push(converted.text as string);
        else images.push(converted);
      });
    } else if (output !== undefined && output !== null) texts.push(JSON.stringify(output));
    this.messages.push({ role: 'tool', tool_call_id: toolCallId, content: texts.join(PART_SEPARATOR) });
    this.pendingImages.push(...images);
  }

  finish(): ChatMessage[] {
    this.flushImages();
    return this.messages;
  }

  private flushImages(): void {
    if (this.pendingImages.length === 0) return;
    this.messages.push({ role: 'user', content: this.pendingImages });
    this.pendingImages = [];
  }
}

function message(item: JsonObject, param: string): ChatMessage {
  const content = item.content;
  switch (item.role) {
    case 'user': {
      if (typeof content === 'string') return { role: 'user', content };
      const parts = contentParts(content, param).map((part, i) => userPart(part, `${param}.content[${i}]`));
      // One text part as a plain string: every chat server takes that, not all take arrays.
      return { role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? (parts[0].text as string) : parts };
    }
    // developer is chat's newer name for system; every chat upstream knows `system`.
    case 'system':
    case 'developer':
      return { role: 'system', content: texts(content, param, ['input_text', 'output_text', 'text']).join(PART_SEPARATOR) };
    case 'assistant': {
      const said = texts(content, param, ['output_text', 'input_text', 'text', 'refusal']);
      const refusals = typeof content === 'string' ? [] : contentParts(content, param).filter((p) => p.type === 'refusal').map((p) => String(p.refusal ?? ''));
      const assistant: ChatMessage = { role: 'assistant', content: said.join('') };
      if (refusals.length > 0) assistant.refusal = refusals.join('');
      return assistant;
    }
    default:
      throw new TranslationRefusal(`A message's role must be user, assistant, system or developer (got \`${String(item.role)}\`).`, {
        code: 'unsupported_input',
        param: `${param}.role`,
      });
  }
}

function contentParts(content: unknown, param: string): JsonObject[] {
  if (!Array.isArray(content)) throw new TranslationRefusal("A message's content must be a string or a list of parts.", { code: 'unsupported_input', param: `${param}.content` });
  return content.map((part, i) => {
    if (!isObject(part)) throw new TranslationRefusal('Each content part must be an object.', { code: 'unsupported_input', param: `${param}.content[${i}]` });
    return part;
  });
}

/** The text of a message whose chat form is one string; refusal parts count as text except where taken apart. */
function texts(content: unknown, param: string, kinds: string[]): string[] {
  if (typeof content === 'string') return [content];
  return contentParts(content, param).flatMap((part, i) => {
    if (part.type === 'refusal') return [];
    if (!kinds.includes(String(part.type)) || typeof part.text !== 'string') {
      throw new TranslationRefusal(`Content parts of type \`${String(part.type)}\` cannot go into this message for this model (its provider does not speak the Responses API).`, {
        code: 'unsupported_input',
        param: `${param}.content[${i}]`,
      });
    }
    return [part.text];
  });
}

/** A user content part (or a tool output part) in chat form. Files and images by id are refused: byokey stores no files. */
function userPart(raw: unknown, param: string): ChatContentPart {
  const part = isObject(raw) ? raw : {};
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      if (typeof part.text === 'string') return { type: 'text', text: part.text };
      break;
    case 'input_image':
      if (typeof part.image_url === 'string' && part.image_url !== '') {
        const detail = part.detail === 'auto' || part.detail === 'low' || part.detail === 'high' ? { detail: part.detail } : {};
        return { type: 'image_url', image_url: { url: part.image_url, ...detail } };
      }
      throw new TranslationRefusal(
        'Images by `file_id` cannot be sent to this model (byokey stores no files): send the image as `image_url`, a URL or a `data:` URL.',
        { code: 'unsupported_input', param },
      );
    case 'input_file':
      if (typeof part.file_data === 'string' && part.file_data !== '') {
        return { type: 'file', file: { file_data: part.file_data, ...(typeof part.filename === 'string' ? { filename: part.filename } : {}) } };
      }
      throw new TranslationRefusal(
        'Files by `file_id` or `file_url` cannot be sent to this model (byokey stores and fetches no files): send the file inline as `file_data`.',
        { code: 'unsupported_input', param },
      );
    default:
      break;
  }
  throw new TranslationRefusal(`Content parts of type \`${String(part.type)}\` cannot be sent to this model (its provider does not speak the Responses API).`, { code: 'unsupported_input', param });
}

function callId(item: JsonObject, param: string): string {
  if (typeof item.call_id === 'string' && item.call_id !== '') return item.call_id;
  throw new TranslationRefusal(`A \`${String(item.type)}\` item needs its \`call_id\`.`, { code: 'unsupported_input', param: `${param}.call_id` });
}

function callName(item: JsonObject, param: string): string {
  if (typeof item.name !== 'string' || item.name === '') {
    throw new TranslationRefusal(`A \`${String(item.type)}\` item needs the tool's \`name\`.`, { code: 'unsupported_input', param: `${param}.name` });
  }
  return chatToolName(item.name, typeof item.namespace === 'string' && item.namespace !== '' ? item.namespace : undefined);
}

/** Arguments are a JSON string on the wire; some clients send the object itself. */
function argumentsText(args: unknown): string {
  if (typeof args === 'string') return args;
  return args === undefined || args === null ? '{}' : JSON.stringify(args);
}

function textOptions(text: ResponsesTextConfig | undefined): Pick<ChatCompletionRequest, 'response_format' | 'verbosity'> {
  const out: Pick<ChatCompletionRequest, 'response_format' | 'verbosity'> = {};
  if (!isObject(text)) return out;
  const format: JsonObject = isObject(text.format) ? text.format : {};
  let responseFormat: ChatResponseFormat | undefined;
  if (format.type === 'json_object') responseFormat = { type: 'json_object' };
  else if (format.type === 'json_schema') {
    const schema: ChatResponseFormat & { type: 'json_schema' } = { type: 'json_schema', json_schema: { name: typeof format.name === 'string' ? format.name : 'response' } };
    if (isObject(format.schema)) schema.json_schema.schema = format.schema;
    if (typeof format.description === 'string') schema.json_schema.description = format.description;
    if (typeof format.strict === 'boolean') schema.json_schema.strict = format.strict;
    responseFormat = schema;
  }
  // `text` is chat's default: nothing to say.
  if (responseFormat) out.response_format = responseFormat;
  if (typeof text.verbosity === 'string') out.verbosity = text.verbosity;
  return out;
}
