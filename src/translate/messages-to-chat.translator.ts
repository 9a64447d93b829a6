// Turns an Anthropic Messages request (reference/wire-protocols.md §3.2) into a Chat Completions
// request (§4.1), so an Anthropic client (Claude Code, the Anthropic SDK) can use a model served
// by an OpenAI-compatible provider. Anthropic-only fields (top_k, cache_control, service_tier,
// container, server tools…) have no chat equivalent and are dropped.
import type {
  AnthropicContentBlock,
  AnthropicMessageParam,
  AnthropicThinkingConfig,
  AnthropicTool,
  AnthropicToolChoice,
  MessagesRequest,
} from '../protocol/anthropic-messages';
import type {
  ChatCompletionRequest,
  ChatContentPart,
  ChatFunctionTool,
  ChatMessage,
  ChatToolCall,
  ChatToolChoice,
} from '../protocol/openai-chat';
import { isObject } from './chat-answer-fields';

/** `system` text blocks are joined into the one system message with this. */
const SYSTEM_SEPARATOR = '\n\n';
/** An assistant turn's text blocks (around its tool calls) are joined with this. */
const ASSISTANT_TEXT_SEPARATOR = '\n\n';
/** The text blocks of one tool result are joined with this. */
const TOOL_RESULT_SEPARATOR = '\n';
/**
 * A tool result with `is_error: true` is sent with this prefix: a tool message has no error
 * flag, and without it the model would read the error text as the tool's answer.
 */
export const TOOL_ERROR_PREFIX = 'Error: ';

/** Thinking budgets → reasoning_effort (reference/seed-spec.md §2.9, the Codex/Copilot thresholds). */
const LOW_EFFORT_MAX_BUDGET = 1024;
const MEDIUM_EFFORT_MAX_BUDGET = 8192;

export class MessagesToChatTranslator {
  translate(request: MessagesRequest): ChatCompletionRequest {
    const messages: ChatMessage[] = [];
    const system = systemText(request.system);
    if (system !== '') messages.push({ role: 'system', content: system });
    for (const message of Array.isArray(request.messages) ? request.messages : []) {
      if (!isObject(message)) continue;
      if (message.role === 'user') messages.push(...userMessages(message));
      else if (message.role === 'assistant') {
        const assistant = assistantMessage(message);
        if (assistant) messages.push(assistant);
      }
    }

    const body: ChatCompletionRequest = { model: request.model, messages };
    const tools = translateTools(request.tools);
    // A tool_choice (or parallel flag) without tools is rejected by several providers.
    if (tools.length > 0) {
      body.tools = tools;
      const choice = translateToolChoice(request.tool_choice);
      if (choice !== undefined) body.tool_choice = choice;
      if (isObject(request.tool_choice) && request.tool_choice.type !== 'none' && request.tool_choice.disable_parallel_tool_use === true) {
        body.parallel_tool_calls = false;
      }
    }

    const effort = reasoningEffort(request.thinking, request.output_config);
    if (effort !== undefined) body.reasoning_effort = effort;
    if (typeof request.max_tokens === 'number') body.max_tokens = request.max_tokens;
    if (typeof request.temperature === 'number') body.temperature = request.temperature;
    if (typeof request.top_p === 'number') body.top_p = request.top_p;
    if (Array.isArray(request.stop_sequences)) {
      const stop = request.stop_sequences.filter((s): s is string => typeof s === 'string' && s !== '');
      if (stop.length > 0) body.stop = stop;
    }
    const user = isObject(request.metadata) ? request.metadata.user_id : undefined;
    if (typeof user === 'string' && user !== '') body.user = user;
    if (request.stream === true) {
      // An Anthropic stream reports usage in message_delta; a chat stream only on request.
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    return body;
  }
}

function systemText(system: MessagesRequest['system']): string {
  if (typeof system === 'string') return system;
  return textsOf(system).join(SYSTEM_SEPARATOR);
}

/**
 * A user turn: one `tool` message per tool_result first (they must directly follow the
 * assistant's tool_calls), then the rest of the turn as one user message. Images a tool returned
 * cannot ride in a tool message (its content is text only): they open that user message,
 * introduced by a line naming the call, and the tool message says where they went.
 */
function userMessages(message: AnthropicMessageParam): ChatMessage[] {
  if (typeof message.content === 'string') return [{ role: 'user', content: message.content }];
  if (!Array.isArray(message.content)) return [];
  const tools: ChatMessage[] = [];
  const movedImages: ChatContentPart[] = [];
  const parts: ChatContentPart[] = [];
  for (const block of message.content) {
    if (!isObject(block)) continue;
    if (block.type === 'tool_result') {
      if (typeof block.tool_use_id !== 'string') continue;
      const { content, images } = toolResult(block);
      if (images.length > 0) {
        movedImages.push({ type: 'text', text: `Images returned by tool call ${block.tool_use_id}:` }, ...images);
      }
      tools.push({ role: 'tool', tool_call_id: block.tool_use_id, content });
    } else {
      const part = userPart(block);
      if (part) parts.push(part);
    }
  }
  const content = [...movedImages, ...parts];
  if (content.length === 0) return tools;
  const only = content.length === 1 ? content[0] : undefined;
  const user: ChatMessage = { role: 'user', content: only?.type === 'text' && typeof only.text === 'string' ? only.text : content };
  return [...tools, user];
}

function toolResult(block: Record<string, unknown>): { content: string; images: ChatContentPart[] } {
  const texts: string[] = [];
  const images: ChatContentPart[] = [];
  if (typeof block.content === 'string') texts.push(block.content);
  else if (Array.isArray(block.content)) {
    for (const inner of block.content) {
      if (!isObject(inner)) continue;
      const part = userPart(inner);
      if (part?.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      else if (part) images.push(part);
    }
  }
  let content = texts.join(TOOL_RESULT_SEPARATOR);
  if (images.length > 0) {
    const note = `(${images.length === 1 ? 'an image' : `${images.length} images`} returned by this tool follow${images.length === 1 ? 's' : ''} in the next user message)`;
    content = content === '' ? note : `${content}\n${note}`;
  }
  if (block.is_error === true) content = TOOL_ERROR_PREFIX + content;
  return { content, images };
}

/**
 * A content block of a user turn (or inside a tool result) as a chat part: text; an image as an
 * `image_url` (base64 → data URL); a document's text as text, a base64 PDF as a `file` part.
 * Anything else (thinking in a user turn, search results, container uploads) is dropped.
 */
function userPart(block: Record<string, unknown>): ChatContentPart | undefined {
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? { type: 'text', text: block.text } : undefined;
    case 'image': {
      const url = sourceUrl(block.source);
      return url === undefined ? undefined : { type: 'image_url', image_url: { url } };
    }
    case 'document': {
      const source = isObject(block.source) ? block.source : {};
      if (source.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data };
      if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
        const file: Record<string, unknown> = { file_data: `data:${source.media_type};base64,${source.data}` };
        if (typeof block.title === 'string') file.filename = block.title;
        return { type: 'file', file };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function sourceUrl(source: unknown): string | undefined {
  if (!isObject(source)) return undefined;
  if (source.type === 'base64' && typeof source.data === 'string') {
    const mediaType = typeof source.media_type === 'string' ? source.media_type : 'application/octet-stream';
    return `data:${mediaType};base64,${source.data}`;
  }
  if (source.type === 'url' && typeof source.url === 'string') return source.url;
  return undefined;
}

/**
 * An assistant turn: its text blocks as the content, its tool_use blocks as tool_calls. Thinking
 * and redacted_thinking blocks are dropped: a chat provider takes no reasoning back (and what we
 * gave out carried no signature anyway). A turn left with nothing is skipped, since several
 * providers reject an assistant message without content or tool calls.
 */
function assistantMessage(message: AnthropicMessageParam): ChatMessage | undefined {
  if (typeof message.content === 'string') return { role: 'assistant', content: message.content };
  if (!Array.isArray(message.content)) return undefined;
  const texts: string[] = [];
  const calls: ChatToolCall[] = [];
  for (const block of message.content as AnthropicContentBlock[]) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') texts.push(block.text);
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      calls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  if (texts.length === 0 && calls.length === 0) return undefined;
  const out: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join(ASSISTANT_TEXT_SEPARATOR) : null };
  if (calls.length > 0) out.tool_calls = calls;
  return out;
}

/**
 * Client tools as function tools. Anthropic's server tools (`web_search_20250305`, `bash_…`,
 * `text_editor_…`, anything with a `type` other than `custom`) run at Anthropic and cannot run
 * at a chat provider: dropped.
 */
function translateTools(tools: AnthropicTool[] | undefined): ChatFunctionTool[] {
  if (!Array.isArray(tools)) return [];
  const out: ChatFunctionTool[] = [];
  for (const tool of tools) {
    if (!isObject(tool) || typeof tool.name !== 'string') continue;
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') continue;
    const fn: ChatFunctionTool['function'] = { name: tool.name };
    if (typeof tool.description === 'string') fn.description = tool.description;
    fn.parameters = isObject(tool.input_schema) ? tool.input_schema : { type: 'object', properties: {} };
    out.push({ type: 'function', function: fn });
  }
  return out;
}

function translateToolChoice(choice: AnthropicToolChoice | undefined): ChatToolChoice | undefined {
  if (!isObject(choice)) return undefined;
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return typeof choice.name === 'string' ? { type: 'function', function: { name: choice.name } } : undefined;
    default:
      return undefined;
  }
}

/**
 * `thinking` as `reasoning_effort`: a budget by the §2.9 thresholds; adaptive thinking by the
 * request's `output_config.effort` when it names one (max → high), else medium; disabled or
 * absent → none, leaving the model's default.
 */
function reasoningEffort(thinking: AnthropicThinkingConfig | undefined, outputConfig: unknown): string | undefined {
  if (!isObject(thinking)) return undefined;
  if (thinking.type === 'enabled') {
    const budget = (thinking as { budget_tokens?: unknown }).budget_tokens;
    if (typeof budget !== 'number') return 'medium';
    if (budget <= LOW_EFFORT_MAX_BUDGET) return 'low';
    return budget <= MEDIUM_EFFORT_MAX_BUDGET ? 'medium' : 'high';
  }
  if (thinking.type === 'adaptive') {
    const effort = isObject(outputConfig) ? outputConfig.effort : undefined;
    if (effort === 'low' || effort === 'medium' || effort === 'high') return effort;
    if (effort === 'max') return 'high';
    return 'medium';
  }
  return undefined;
}

function textsOf(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  const texts: string[] = [];
  for (const block of blocks) {
    if (isObject(block) && block.type === 'text' && typeof block.text === 'string' && block.text !== '') texts.push(block.text);
  }
  return texts;
}
