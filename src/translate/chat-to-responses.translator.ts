// Turns a Chat Completions request into a standard Responses API request (reference/
// wire-protocols.md §1.3): what the OpenAI Platform accepts. Backend quirks (store false,
// stream true, fields the ChatGPT backend rejects) are the executor's to normalize, not ours.
import type {
  ChatCompletionRequest,
  ChatContentPart,
  ChatMessage,
  ChatResponseFormat,
  ChatToolCall,
} from '../protocol/openai-chat';
import type {
  ResponsesContentPart,
  ResponsesFunctionTool,
  ResponsesItem,
  ResponsesRequest,
  ResponsesTextConfig,
  ResponsesToolChoice,
} from '../protocol/openai-responses';
import { isObject } from '../protocol/json-object';

/** Text parts of one message (system, tool output) are joined with this. */
const PART_SEPARATOR = '\n';
/** Leading system/developer messages are joined into `instructions` with this. */
const INSTRUCTION_SEPARATOR = '\n\n';

export class ChatToResponsesTranslator {
  translate(request: ChatCompletionRequest): ResponsesRequest {
    const { instructions, input } = translateMessages(Array.isArray(request.messages) ? request.messages : []);
    const body: ResponsesRequest = { model: request.model, input };
    if (instructions !== undefined) body.instructions = instructions;

    const tools = translateTools(request.tools);
    if (tools) body.tools = tools;
    const toolChoice = translateToolChoice(request.tool_choice);
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
    if (typeof request.parallel_tool_calls === 'boolean') body.parallel_tool_calls = request.parallel_tool_calls;

    if (typeof request.reasoning_effort === 'string' && request.reasoning_effort !== '') {
      // Chat clients read reasoning as `reasoning_content`, which comes from the summaries.
      body.reasoning = { effort: request.reasoning_effort, summary: 'auto' };
    }
    const text = translateText(request.response_format, request.verbosity);
    if (text) body.text = text;

    const maxTokens = request.max_completion_tokens ?? request.max_tokens;
    if (typeof maxTokens === 'number') body.max_output_tokens = maxTokens;
    if (typeof request.temperature === 'number') body.temperature = request.temperature;
    if (typeof request.top_p === 'number') body.top_p = request.top_p;
    if (typeof request.stream === 'boolean') body.stream = request.stream;
    if (typeof request.store === 'boolean') body.store = request.store;
    if (typeof request.user === 'string') body.user = request.user;
    if (isObject(request.metadata)) body.metadata = request.metadata as Record<string, string>;
    if (typeof request.service_tier === 'string') body.service_tier = request.service_tier;
    if (typeof request.prompt_cache_key === 'string') body.prompt_cache_key = request.prompt_cache_key;
    if (typeof request.safety_identifier === 'string') body.safety_identifier = request.safety_identifier;
    // Not carried: stream_options (usage always comes with response.completed), n, stop,
    // logprobs/top_logprobs, presence/frequency penalties, seed, logit_bias — Responses has none.
    return body;
  }
}

function translateMessages(messages: ChatMessage[]): { instructions?: string; input: ResponsesItem[] } {
  const instructions: string[] = [];
  const input: ResponsesItem[] = [];
  // Set by the first message that is not system/developer (whatever its role).
  let started = false;
  for (const message of messages) {
    if (!isObject(message)) continue;
    if (message.role !== 'system' && message.role !== 'developer') started = true;
    switch (message.role) {
      case 'system':
      case 'developer': {
        // Before the conversation starts they are the instructions; later ones keep their place
        // as developer items (a mid-conversation system turn must not jump to the top).
        if (!started) {
          const text = joinedText(message.content);
          if (text !== '') instructions.push(text);
        } else {
          const content = textParts(message.content).map((text): ResponsesContentPart => ({ type: 'input_text', text }));
          if (content.length > 0) input.push({ type: 'message', role: 'developer', content });
        }
        break;
      }
      case 'user': {
        const content = userContent(message.content);
        if (content.length > 0) input.push({ type: 'message', role: 'user', content });
        break;
      }
      case 'assistant':
        input.push(...assistantItems(message));
        break;
      case 'tool':
        if (typeof message.tool_call_id === 'string') {
          input.push({ type: 'function_call_output', call_id: message.tool_call_id, output: joinedText(message.content) });
        }
        break;
      // Legacy `function` messages carry no call id to pair with a function_call: dropped.
      default:
        break;
    }
  }
  return { instructions: instructions.length > 0 ? instructions.join(INSTRUCTION_SEPARATOR) : undefined, input };
}

function userContent(content: ChatMessage['content']): ResponsesContentPart[] {
  if (typeof content === 'string') return [{ type: 'input_text', text: content }];
  if (!Array.isArray(content)) return [];
  const parts: ResponsesContentPart[] = [];
  for (const part of content) {
    const translated = userPart(part);
    if (translated) parts.push(translated);
  }
  return parts;
}

function userPart(part: ChatContentPart): ResponsesContentPart | undefined {
  if (!isObject(part)) return undefined;
  const raw = part as Record<string, unknown>;
  switch (raw.type) {
    case 'text':
      return typeof raw.text === 'string' ? { type: 'input_text', text: raw.text } : undefined;
    case 'image_url': {
      // {image_url: {url, detail}}, or the bare string some clients send.
      const image = raw.image_url;
      const url = typeof image === 'string' ? image : isObject(image) && typeof image.url === 'string' ? image.url : undefined;
      if (url === undefined) return undefined;
      const detail = isObject(image) ? image.detail : undefined;
      return {
        type: 'input_image',
        image_url: url,
        ...(detail === 'auto' || detail === 'low' || detail === 'high' ? { detail } : {}),
      };
    }
    case 'file': {
      const file = isObject(raw.file) ? raw.file : {};
      const out: ResponsesContentPart = { type: 'input_file' };
      if (typeof file.file_id === 'string') out.file_id = file.file_id;
      if (typeof file.file_data === 'string') out.file_data = file.file_data;
      if (typeof file.filename === 'string') out.filename = file.filename;
      return out.file_id !== undefined || out.file_data !== undefined ? out : undefined;
    }
    // input_audio and unknown parts have no Responses input form: dropped.
    default:
      return undefined;
  }
}

/**
 * An assistant turn: its text as an output_text message (none when empty), then one
 * function_call per tool call. `reasoning_content` is not sent back: a reasoning item cannot be
 * rebuilt without the encrypted content the client never saw, and as plain text it would read
 * as something the assistant said.
 */
function assistantItems(message: ChatMessage): ResponsesItem[] {
  const items: ResponsesItem[] = [];
  const content = textParts(message.content)
    .filter((text) => text !== '')
    .map((text): ResponsesContentPart => ({ type: 'output_text', text }));
  if (content.length > 0) items.push({ type: 'message', role: 'assistant', content });
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const item = functionCall(call);
    if (item) items.push(item);
  }
  return items;
}

function functionCall(call: ChatToolCall): ResponsesItem | undefined {
  if (!isObject(call) || typeof call.id !== 'string' || !isObject(call.function)) return undefined;
  const { name, arguments: args } = call.function as { name?: unknown; arguments?: unknown };
  if (typeof name !== 'string') return undefined;
  // Arguments are a JSON string on the wire; some clients send the object itself.
  const argumentsText = typeof args === 'string' ? args : args === undefined || args === null ? '' : JSON.stringify(args);
  return { type: 'function_call', call_id: call.id, name, arguments: argumentsText };
}

/** The texts of a message's content: a string as one, the text parts of an array (others skipped). */
function textParts(content: ChatMessage['content']): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const part of content) {
    if (isObject(part) && part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts;
}

function joinedText(content: ChatMessage['content']): string {
  return textParts(content).join(PART_SEPARATOR);
}

function translateTools(tools: ChatCompletionRequest['tools']): ResponsesFunctionTool[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  const out: ResponsesFunctionTool[] = [];
  for (const tool of tools) {
    // Only function tools: other tool kinds would produce output a chat client cannot receive.
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function)) continue;
    const fn = tool.function;
    if (typeof fn.name !== 'string') continue;
    const flat: ResponsesFunctionTool = { type: 'function', name: fn.name };
    if (typeof fn.description === 'string') flat.description = fn.description;
    if (isObject(fn.parameters)) flat.parameters = fn.parameters;
    if (typeof fn.strict === 'boolean') flat.strict = fn.strict;
    out.push(flat);
  }
  return out;
}

function translateToolChoice(choice: unknown): ResponsesToolChoice | undefined {
  if (typeof choice === 'string') return choice as ResponsesToolChoice;
  if (!isObject(choice)) return undefined;
  if (choice.type === 'function') {
    const fn = choice.function;
    const name = isObject(fn) && typeof fn.name === 'string' ? fn.name : typeof choice.name === 'string' ? choice.name : undefined;
    return name === undefined ? undefined : { type: 'function', name };
  }
  if (choice.type === 'allowed_tools' && isObject(choice.allowed_tools)) {
    // {allowed_tools: {mode, tools: [{type:'function', function:{name}}]}} → flat.
    const { mode, tools } = choice.allowed_tools;
    const flatTools = (Array.isArray(tools) ? tools : [])
      .filter((t): t is Record<string, unknown> => isObject(t) && t.type === 'function' && isObject(t.function))
      .map((t) => ({ type: 'function', name: (t.function as Record<string, unknown>).name }));
    return { type: 'allowed_tools', mode: typeof mode === 'string' ? mode : 'auto', tools: flatTools };
  }
  return undefined;
}

function translateText(format: ChatResponseFormat | null | undefined, verbosity: unknown): ResponsesTextConfig | undefined {
  const text: ResponsesTextConfig = {};
  if (isObject(format)) {
    if (format.type === 'json_object') text.format = { type: 'json_object' };
    else if (format.type === 'json_schema' && isObject(format.json_schema)) {
      const { name, schema, strict, description } = format.json_schema;
      text.format = { type: 'json_schema', name: typeof name === 'string' ? name : 'response' };
      if (isObject(schema)) text.format.schema = schema;
      if (typeof description === 'string') text.format.description = description;
      if (typeof strict === 'boolean') text.format.strict = strict;
    }
    // `text` is the default: nothing to say.
  }
  if (typeof verbosity === 'string') text.verbosity = verbosity;
  return Object.keys(text).length > 0 ? text : undefined;
}

