// Turns an Anthropic Messages request (reference/wire-protocols.md §3.2) into a Chat Completions
// request (§4.1), so an Anthropic client (Claude Code, the Anthropic SDK) can use a model served
// by an OpenAI-compatible provider. Anthropic-only fields (top_k, cache_control, service_tier,
// container, context_management, defer_loading, server tools…) have no chat equivalent and are
// dropped; `role: "system"` turns become system messages where they stand.
import { REASONING_EFFORT_BY_LEVEL } from '../protocol/reasoning-levels';
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
import { isObject } from '../protocol/json-object';

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


/**
 * System text that changes every session, recognised by how it starts. Claude Code's first
 * system block is its billing line (`x-anthropic-billing-header: cc_version=<ver>.<hash>; …`),
 * whose hash differs per session. An upstream's prompt cache matches on the prefix, so such text
 * goes after the stable system prompt instead of before it, else no two sessions share a cache.
 */
export const VOLATILE_SYSTEM_PREFIXES: readonly string[] = ['x-anthropic-billing-header:'];

/**
 * A `metadata.user_id` longer than this is not sent on as chat's `user`: Claude Code's is a
 * JSON document of device, account and session ids, which OpenAI-compatible providers cap or
 * reject (OpenAI's identifiers allow 64 characters).
 */
export const MAX_CHAT_USER_LENGTH = 64;

export class MessagesToChatTranslator {
  translate(request: MessagesRequest): ChatCompletionRequest {
    const messages: ChatMessage[] = [];
    const system = systemText(request.system);
    if (system !== '') messages.push({ role: 'system', content: system });
    // A system turn right after an assistant's tool calls waits until their tool messages are
    // out: chat requires those to follow the calls directly.
    let heldSystem: ChatMessage[] = [];
    const flushSystem = () => {
      messages.push(...heldSystem);
      heldSystem = [];
    };
    for (const message of Array.isArray(request.messages) ? request.messages : []) {
      if (!isObject(message)) continue;
      if (message.role === 'system') {
        const text = turnText(message.content);
        if (text === '') continue;
        const turn: ChatMessage = { role: 'system', content: text };
        if (heldSystem.length > 0 || awaitsToolResults(messages[messages.length - 1])) heldSystem.push(turn);
        else messages.push(turn);
      } else if (message.role === 'user') {
        const turn = userMessages(message);
        const tools = turn.filter((m) => m.role === 'tool');
        messages.push(...tools);
        flushSystem();
        messages.push(...turn.filter((m) => m.role !== 'tool'));
      } else if (message.role === 'assistant') {
        flushSystem();
        const assistant = assistantMessage(message);
        if (assistant) messages.push(assistant);
      }
    }
    flushSystem();

    const body: ChatCompletionRequest = { model: request.model, messages };
    const tools = translateTools(request.tools);
    // A tool_choice (or parallel flag) without tools is rejected by several providers.
    if (tools.length > 0) {
      body.tools = tools;
      const choice = translateToolChoice(request.tool_choice, tools);
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
    if (typeof user === 'string' && user !== '' && user.length <= MAX_CHAT_USER_LENGTH) body.user = user;
    if (request.stream === true) {
      // An Anthropic stream reports usage in message_delta; a chat stream only on request.
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    return body;
  }
}

/** The top-level system prompt as one text: its stable blocks first, then the volatile ones. */
function systemText(system: MessagesRequest['system']): string {
  if (typeof system === 'string') return system;
  const texts = textsOf(system);
  const volatile = texts.filter(isVolatileSystemText);
  return [...texts.filter((text) => !isVolatileSystemText(text)), ...volatile].join(SYSTEM_SEPARATOR);
}

function isVolatileSystemText(text: string): boolean {
  const start = text.trimStart();
  return VOLATILE_SYSTEM_PREFIXES.some((prefix) => start.startsWith(prefix));
}

/** A system turn's text: a string, or its text blocks joined. */
function turnText(content: unknown): string {
  return typeof content === 'string' ? content : textsOf(content).join(SYSTEM_SEPARATOR);
}

/** An assistant message whose tool calls still wait for their tool messages. */
function awaitsToolResults(message: ChatMessage | undefined): boolean {
  return message?.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
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
      // A tool message carries text only: every block the model should see is made text here,
      // except images and files, which move to the user message.
      const part = userPart(inner) ?? { type: 'text', text: placeholderText(inner) };
      if (part.type === 'text' && typeof part.text === 'string') {
        if (part.text !== '') texts.push(part.text);
      } else images.push(part);
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
 * `image_url` (base64 → data URL); a document's text as text (a base64 PDF as a `file` part); a
 * search result as its title, source and text; a tool reference (Claude Code's ToolSearch
 * answer) as `[tool_reference: Name]`, since every tool went to the chat model anyway. Anything
 * else (thinking in a user turn, container uploads) is dropped from a user turn; inside a tool
 * result it becomes a placeholder (placeholderText).
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
      if (source.type === 'content') return textPart(textsOf(source.content).join(TOOL_RESULT_SEPARATOR));
      if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
        const file: Record<string, unknown> = { file_data: `data:${source.media_type};base64,${source.data}` };
        if (typeof block.title === 'string') file.filename = block.title;
        return { type: 'file', file };
      }
      if (source.type === 'url' && typeof source.url === 'string') return { type: 'text', text: `[document: ${source.url}]` };
      return undefined;
    }
    case 'search_result': {
      const heading = [block.title, block.source].filter((s): s is string => typeof s === 'string' && s !== '').join(' — ');
      const body = textsOf(block.content).join(TOOL_RESULT_SEPARATOR);
      return textPart([heading === '' ? '' : `[search_result: ${heading}]`, body].filter((s) => s !== '').join('\n'));
    }
    case 'tool_reference':
      return typeof block.tool_name === 'string' ? { type: 'text', text: `[tool_reference: ${block.tool_name}]` } : undefined;
    default:
      return undefined;
  }
}

function textPart(text: string): ChatContentPart | undefined {
  return text === '' ? undefined : { type: 'text', text };
}

/** A tool-result block chat has no form for, as text: its own text if it has one, else its type. */
function placeholderText(block: Record<string, unknown>): string {
  if (typeof block.text === 'string') return block.text;
  return typeof block.type === 'string' ? `[${block.type}]` : '';
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

/** A choice naming a tool that was not sent (a server tool, dropped) is left out, not sent broken. */
function translateToolChoice(choice: AnthropicToolChoice | undefined, tools: ChatFunctionTool[]): ChatToolChoice | undefined {
  if (!isObject(choice)) return undefined;
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool': {
      const name = choice.name;
      if (typeof name !== 'string' || !tools.some((tool) => tool.function.name === name)) return undefined;
      return { type: 'function', function: { name } };
    }
    default:
      return undefined;
  }
}

/**
 * `thinking` and `output_config.effort` as `reasoning_effort`: an enabled thinking budget by the
 * §2.9 thresholds; otherwise the effort level the request names (REASONING_EFFORT_BY_LEVEL, with
 * adaptive thinking or none); adaptive thinking without one → medium. Disabled thinking, or
 * neither field → none, leaving the model's default. `display` only hides thinking from the
 * client, which a chat answer's reasoning never reaches as Anthropic blocks anyway.
 */
function reasoningEffort(thinking: AnthropicThinkingConfig | undefined, outputConfig: unknown): string | undefined {
  const type = isObject(thinking) ? thinking.type : undefined;
  if (type === 'disabled') return undefined;
  if (type === 'enabled') {
    const budget = (thinking as { budget_tokens?: unknown }).budget_tokens;
    if (typeof budget !== 'number') return 'medium';
    if (budget <= LOW_EFFORT_MAX_BUDGET) return 'low';
    return budget <= MEDIUM_EFFORT_MAX_BUDGET ? 'medium' : 'high';
  }
  const level = isObject(outputConfig) ? outputConfig.effort : undefined;
  if (typeof level === 'string' && Object.hasOwn(REASONING_EFFORT_BY_LEVEL, level)) {
    return REASONING_EFFORT_BY_LEVEL[level as keyof typeof REASONING_EFFORT_BY_LEVEL];
  }
  return type === 'adaptive' ? 'medium' : undefined;
}

function textsOf(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  const texts: string[] = [];
  for (const block of blocks) {
    if (isObject(block) && block.type === 'text' && typeof block.text === 'string' && block.text !== '') texts.push(block.text);
  }
  return texts;
}
