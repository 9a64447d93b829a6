// Turns a Chat Completions request into an Anthropic Messages request (reference/
// wire-protocols.md §4.1 → §3.2), for an OpenAI client talking to a Claude model. What the
// Messages API would reject is reshaped here (alternating turns, one user turn for a batch of
// tool results, max_tokens always present, sampling compatible with thinking); account-specific
// rewriting (the Claude Code system prompt, betas) is the executor's.
import { AUTO_THINKING_BUDGET, MAX_THINKING_BUDGET, MIN_THINKING_BUDGET, THINKING_BUDGETS } from '../protocol/reasoning-levels';
import { Buffer } from 'node:buffer';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatThinkingBlock, ChatToolCall } from '../protocol/openai-chat';
import type {
  AnthropicCacheControl,
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
  MessagesRequest,
} from '../protocol/anthropic-messages';
import { isObject } from '../protocol/json-object';

export interface ChatToMessagesOptions {
  /** max_tokens for a request that names none (Anthropic requires it); defaults to defaultMaxTokensFor. */
  defaultMaxTokens?: (model: string) => number;
}

/**
 * The `budget_tokens` for a `reasoning_effort`, as sent to Anthropic: the level table's, raised
 * to Anthropic's minimum. Undefined for `none` and for values we do not know (thinking stays off
 * rather than guessing a cost).
 */
export function thinkingBudgetFor(effort: string): number | undefined {
  const level = effort.trim().toLowerCase();
  const budget = level === 'auto' ? AUTO_THINKING_BUDGET : Object.prototype.hasOwnProperty.call(THINKING_BUDGETS, level) ? THINKING_BUDGETS[level] : undefined;
  return budget === undefined ? undefined : Math.min(Math.max(budget, MIN_THINKING_BUDGET), MAX_THINKING_BUDGET);
}

/**
 * max_tokens for a Claude model when the OpenAI client sent none (OpenAI's is optional,
 * Anthropic's required). Generous, because a chat client that sent no limit expects the answer
 * not to be cut: the model's output cap where we know it is safe — Claude 3 models 4096, 3.5
 * models 8192 — and otherwise opus 32000 (Opus 4/4.1's cap), sonnet 64000 (3.7 and 4.x), haiku
 * 8192 (3.5 Haiku's cap; 4.5 takes more, but Haiku is chosen for short answers). Unknown models
 * get 8192, which every current Claude model accepts.
 */
export function defaultMaxTokensFor(model: string): number {
  const name = typeof model === 'string' ? model.toLowerCase() : '';
  if (/claude-3-(opus|sonnet|haiku)/.test(name)) return 4096;
  if (name.includes('claude-3-5-')) return 8192;
  if (name.includes('opus')) return 32000;
  if (name.includes('sonnet')) return 64000;
  if (name.includes('haiku')) return 8192;
  return 8192;
}

type Role = AnthropicMessageParam['role'];

export class ChatToMessagesTranslator {
  translate(request: ChatCompletionRequest, options: ChatToMessagesOptions = {}): MessagesRequest {
    const { system, messages } = translateMessages(Array.isArray(request.messages) ? request.messages : []);
    const body: MessagesRequest = { model: request.model, max_tokens: maxTokens(request, options), messages };
    if (system.length > 0) body.system = system;

    const tools = translateTools(request.tools);
    // Anthropic rejects tool_choice without tools.
    const toolChoice = tools ? translateToolChoice(request.tool_choice, request.parallel_tool_calls) : undefined;
    if (tools) body.tools = tools;
    if (toolChoice) body.tool_choice = toolChoice;

    const budget = typeof request.reasoning_effort === 'string' ? thinkingBudgetFor(request.reasoning_effort) : undefined;
    const thinking = budget !== undefined && thinkingAllowed(toolChoice, messages);
    if (thinking) {
      body.thinking = { type: 'enabled', budget_tokens: budget };
      // budget_tokens must be below max_tokens; the seed's rule leaves room for the answer.
      if (body.max_tokens <= budget) body.max_tokens = budget + Math.max(Math.floor(budget / 10), 1024);
    } else {
      dropFinalAssistantThinking(messages);
    }

    const temperature = finite(request.temperature);
    const topP = finite(request.top_p);
    if (thinking) {
      // With thinking Anthropic takes temperature 1 only (its default: left out) and top_p ≥ 0.95.
      if (topP !== undefined && topP >= 0.95 && topP <= 1) body.top_p = topP;
    } else {
      // OpenAI's range is 0–2, Anthropic's 0–1. Current Claude models refuse temperature and
      // top_p together; temperature is the one clients mean.
      if (temperature !== undefined) body.temperature = Math.min(Math.max(temperature, 0), 1);
      else if (topP !== undefined) body.top_p = topP;
    }

    const stop = stopSequences(request.stop);
    if (stop) body.stop_sequences = stop;
    if (typeof request.user === 'string' && request.user !== '') body.metadata = { user_id: request.user };
    if (typeof request.stream === 'boolean') body.stream = request.stream;
    // Not carried: n, response_format, logprobs, penalties, seed, logit_bias, stream_options,
    // metadata (Anthropic's takes user_id only), service_tier (different values) — no Messages form.
    return body;
  }
}

function maxTokens(request: ChatCompletionRequest, options: ChatToMessagesOptions): number {
  const asked = finite(request.max_completion_tokens) ?? finite(request.max_tokens);
  if (asked !== undefined && asked >= 1) return Math.floor(asked);
  return (options.defaultMaxTokens ?? defaultMaxTokensFor)(request.model);
}

/**
 * Thinking cannot be on when the tool choice forces a tool (Anthropic rejects it; the forced call
 * is what the client asked for), nor when the last assistant turn called tools without its
 * thinking blocks (Anthropic requires that turn to start with them, and a client that dropped
 * them cannot get them back — the request would fail, so it goes out without thinking).
 */
function thinkingAllowed(toolChoice: AnthropicToolChoice | undefined, messages: AnthropicMessageParam[]): boolean {
  if (toolChoice?.type === 'any' || toolChoice?.type === 'tool') return false;
  const lastAssistant = [...messages].reverse().find((m) => m.role === 'assistant');
  if (!lastAssistant || !Array.isArray(lastAssistant.content)) return true;
  const content = lastAssistant.content;
  if (!content.some((block) => block.type === 'tool_use')) return true;
  return content[0]?.type === 'thinking' || content[0]?.type === 'redacted_thinking';
}

/**
 * Without thinking, Anthropic rejects thinking blocks in an assistant turn in the final position
 * (a prefill); earlier turns may keep theirs.
 */
function dropFinalAssistantThinking(messages: AnthropicMessageParam[]): void {
  const last = messages[messages.length - 1];
  if (last?.role !== 'assistant' || !Array.isArray(last.content)) return;
  last.content = last.content.filter((block) => block.type !== 'thinking' && block.type !== 'redacted_thinking');
  if (last.content.length === 0) messages.pop();
}

// ---------------------------------------------------------------- messages

/**
 * Chat messages as Anthropic turns. System and developer messages all go to `system`, in order,
 * wherever they stand: the Messages API has no system turn mid-conversation (that needs a beta),
 * and keeping the instruction beats dropping it. Consecutive same-role turns are merged, since
 * Anthropic requires user and assistant to alternate: the results of one batch of tool calls
 * become one user turn, and a user message right after them joins it.
 */
function translateMessages(chatMessages: ChatMessage[]): { system: AnthropicTextBlock[]; messages: AnthropicMessageParam[] } {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessageParam[] = [];
  const add = (role: Role, content: string | AnthropicContentBlock[]): void => {
    if (content.length === 0) return;
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content = [...blocksOf(last.content), ...blocksOf(content)];
    else turns.push({ role, content });
  };

  for (const message of chatMessages) {
    if (!isObject(message)) continue;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        add('user', typeof message.content === 'string' ? message.content : partBlocks(message.content));
        break;
      case 'assistant':
        add('assistant', assistantBlocks(message));
        break;
      case 'tool': {
        // A result with no call id cannot be paired with its tool_use: dropped.
        if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') break;
        const result: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: message.tool_call_id };
        if (typeof message.content === 'string') result.content = message.content;
        else {
          const content = partBlocks(message.content);
          if (content.length > 0) result.content = content as AnthropicToolResultBlock['content'];
        }
        add('user', [result]);
        break;
      }
      // Legacy `function` messages carry no call id to pair with a tool_use: dropped.
      default:
        break;
    }
  }

  for (const turn of turns) {
    // Anthropic wants a user turn's tool results before anything else in it.
    if (turn.role === 'user' && Array.isArray(turn.content) && turn.content.some((b) => b.type === 'tool_result')) {
      turn.content = [...turn.content.filter((b) => b.type === 'tool_result'), ...turn.content.filter((b) => b.type !== 'tool_result')];
    }
  }
  trimFinalAssistant(turns);
  return { system, messages: turns };
}

/**
 * An assistant turn: its signed thinking blocks first and unchanged, then its text, then one
 * tool_use per tool call. `reasoning_content` alone is not sent: Anthropic takes thinking back
 * only with the signature it made, and as text it would read as something the assistant said.
 */
function assistantBlocks(message: ChatMessage): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  for (const block of Array.isArray(message.thinking_blocks) ? message.thinking_blocks : []) {
    if (sendableThinking(block)) blocks.push({ ...block });
  }
  blocks.push(...textBlocks(message.content));
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const use = toolUse(call);
    if (use) blocks.push(use);
  }
  return blocks;
}

/**
 * A thinking block Anthropic will take back: signed thinking (one with an empty signature was
 * not made by Anthropic — e.g. a chat provider's reasoning — and would be rejected) or redacted.
 */
function sendableThinking(block: ChatThinkingBlock): boolean {
  if (!isObject(block)) return false;
  if (block.type === 'thinking') return typeof block.thinking === 'string' && typeof block.signature === 'string' && block.signature !== '';
  return block.type === 'redacted_thinking' && typeof block.data === 'string' && block.data !== '';
}

/**
 * A tool call as tool_use, keeping its id (the tool result names it). Anthropic takes `input` as
 * an object only; arguments that are not a JSON object (truncated by a token limit, malformed)
 * go as `{}` rather than failing the whole conversation over a past call.
 */
function toolUse(call: ChatToolCall): AnthropicToolUseBlock | undefined {
  if (!isObject(call) || typeof call.id !== 'string' || !isObject(call.function)) return undefined;
  const { name, arguments: args } = call.function as { name?: unknown; arguments?: unknown };
  if (typeof name !== 'string') return undefined;
  return { type: 'tool_use', id: call.id, name, input: toolInput(args) };
}

function toolInput(args: unknown): Record<string, unknown> {
  // Some clients send the arguments object itself instead of its JSON.
  if (isObject(args)) return args;
  if (typeof args !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Text content as text blocks: a string as one, the text parts of an array; empty text skipped (Anthropic rejects it). */
function textBlocks(content: ChatMessage['content']): AnthropicTextBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: AnthropicTextBlock[] = [];
  for (const part of content) {
    if (isObject(part) && part.type === 'text' && typeof part.text === 'string' && part.text !== '') {
      blocks.push(withCacheControl({ type: 'text', text: part.text }, part));
    }
  }
  return blocks;
}

/** User (and tool-result) parts as content blocks: text, images, PDFs; others have no Messages form and are dropped. */
function partBlocks(content: ChatMessage['content']): AnthropicContentBlock[] {
  if (!Array.isArray(content)) return typeof content === 'string' && content !== '' ? [{ type: 'text', text: content }] : [];
  const blocks: AnthropicContentBlock[] = [];
  for (const part of content) {
    const block = partBlock(part);
    if (block) blocks.push(block);
  }
  return blocks;
}

function partBlock(part: ChatContentPart): AnthropicContentBlock | undefined {
  if (!isObject(part)) return undefined;
  const raw = part as Record<string, unknown>;
  switch (raw.type) {
    case 'text':
      return typeof raw.text === 'string' && raw.text !== '' ? withCacheControl({ type: 'text', text: raw.text }, raw) : undefined;
    case 'image_url': {
      // {image_url: {url, detail}}, or the bare string some clients send. `detail` has no Anthropic form.
      const image = raw.image_url;
      const url = typeof image === 'string' ? image : isObject(image) && typeof image.url === 'string' ? image.url : undefined;
      const source = url === undefined ? undefined : imageSource(url);
      return source ? withCacheControl<AnthropicImageBlock>({ type: 'image', source }, raw) : undefined;
    }
    case 'file': {
      // A PDF sent inline becomes a document block; file ids are OpenAI's and mean nothing here.
      const file = isObject(raw.file) ? raw.file : {};
      const data = typeof file.file_data === 'string' ? parseDataUrl(file.file_data) : undefined;
      if (!data || data.mediaType !== 'application/pdf') return undefined;
      return withCacheControl({ type: 'document', source: { type: 'base64', media_type: data.mediaType, data: data.base64 } }, raw);
    }
    default:
      return undefined;
  }
}

/** A data URL as inline base64, an http(s) URL as a URL source (Anthropic fetches it); other schemes dropped. */
function imageSource(url: string): AnthropicImageBlock['source'] | undefined {
  if (/^https?:\/\//i.test(url)) return { type: 'url', url };
  const data = parseDataUrl(url);
  return data ? { type: 'base64', media_type: data.mediaType, data: data.base64 } : undefined;
}

function parseDataUrl(url: string): { mediaType: string; base64: string } | undefined {
  const match = /^data:([^,]*?),(.*)$/is.exec(url.trim());
  if (!match) return undefined;
  const params = match[1].split(';');
  const mediaType = params[0].trim().toLowerCase();
  if (mediaType === '') return undefined;
  const isBase64 = params.slice(1).some((p) => p.trim().toLowerCase() === 'base64');
  let base64: string;
  try {
    base64 = isBase64 ? match[2] : Buffer.from(decodeURIComponent(match[2]), 'utf8').toString('base64');
  } catch {
    return undefined;
  }
  return { mediaType, base64 };
}

/** A part's `cache_control` (clients that know Claude set it on chat parts) kept on its block, for prompt caching. */
function withCacheControl<T extends AnthropicContentBlock>(block: T, part: Record<string, unknown>): T {
  const cc = part.cache_control;
  if (isObject(cc) && cc.type === 'ephemeral') {
    const control: AnthropicCacheControl = { type: 'ephemeral' };
    if (cc.ttl === '5m' || cc.ttl === '1h') control.ttl = cc.ttl;
    block.cache_control = control;
  }
  return block;
}

function blocksOf(content: string | AnthropicContentBlock[]): AnthropicContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** Anthropic rejects a final assistant turn (a prefill) ending in whitespace. */
function trimFinalAssistant(turns: AnthropicMessageParam[]): void {
  const last = turns[turns.length - 1];
  if (last?.role !== 'assistant' || !Array.isArray(last.content)) return;
  const block = last.content[last.content.length - 1];
  if (block?.type !== 'text' || typeof block.text !== 'string') return;
  const text = block.text.trimEnd();
  if (text === '') last.content = last.content.slice(0, -1);
  else last.content = [...last.content.slice(0, -1), { ...block, text }];
  if (last.content.length === 0) turns.pop();
}

// ---------------------------------------------------------------- tools and sampling

function translateTools(tools: ChatCompletionRequest['tools']): AnthropicTool[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  const out: AnthropicTool[] = [];
  for (const tool of tools) {
    // Only function tools: OpenAI's other kinds (custom) have no Anthropic client-tool form.
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function)) continue;
    const fn = tool.function;
    if (typeof fn.name !== 'string') continue;
    const translated: AnthropicTool = {
      name: fn.name,
      input_schema: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    };
    if (typeof fn.description === 'string') translated.description = fn.description;
    out.push(translated);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * `parallel_tool_calls: false` lives on Anthropic's tool_choice (`auto` when the client named no
 * choice); `none` has no such flag, nothing can be called in parallel anyway.
 */
function translateToolChoice(choice: unknown, parallel: unknown): AnthropicToolChoice | undefined {
  let out: AnthropicToolChoice | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (isObject(choice) && choice.type === 'function') {
    const fn = choice.function;
    const name = isObject(fn) && typeof fn.name === 'string' ? fn.name : typeof choice.name === 'string' ? choice.name : undefined;
    if (name !== undefined) out = { type: 'tool', name };
  }
  if (parallel === false) {
    out ??= { type: 'auto' };
    if (out.type !== 'none') out = { ...out, disable_parallel_tool_use: true };
  }
  return out;
}

/** Anthropic rejects stop sequences that are empty or only whitespace. */
function stopSequences(stop: ChatCompletionRequest['stop']): string[] | undefined {
  const list = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  const out = list.filter((s): s is string => typeof s === 'string' && s.trim() !== '');
  return out.length > 0 ? out : undefined;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

