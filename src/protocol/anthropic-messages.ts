// Wire types of Anthropic's Messages API (reference/wire-protocols.md §3): requests, content
// blocks, the Message answer, stream events and errors. Types only. Objects stay open: unknown
// fields (new block types, betas' fields) must pass through the gateway untouched.

// ---------------------------------------------------------------- content blocks

export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: AnthropicCacheControl | null;
  citations?: unknown[] | null;
  [key: string]: unknown;
}

export type AnthropicImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: string; [key: string]: unknown };

export interface AnthropicImageBlock {
  type: 'image';
  source: AnthropicImageSource;
  cache_control?: AnthropicCacheControl | null;
  [key: string]: unknown;
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: AnthropicCacheControl | null;
  [key: string]: unknown;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<AnthropicTextBlock | AnthropicImageBlock | { type: string; [key: string]: unknown }>;
  is_error?: boolean;
  cache_control?: AnthropicCacheControl | null;
  [key: string]: unknown;
}

/** Extended thinking, signed by Anthropic; must come back unchanged in later turns. */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
  [key: string]: unknown;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
  [key: string]: unknown;
}

/**
 * What Claude Code's ToolSearch returns inside a tool_result: a pointer to a deferred tool
 * (`defer_loading: true`) that the API loads into the model's context.
 */
export interface AnthropicToolReferenceBlock {
  type: 'tool_reference';
  tool_name: string;
  [key: string]: unknown;
}

/** A search result a client hands the model (in a user turn or a tool_result), with citations. */
export interface AnthropicSearchResultBlock {
  type: 'search_result';
  source: string;
  title: string;
  content: AnthropicTextBlock[];
  [key: string]: unknown;
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicToolReferenceBlock
  | AnthropicSearchResultBlock
  | { type: string; [key: string]: unknown };

// ---------------------------------------------------------------- request

/**
 * A turn. `system` turns may sit anywhere in `messages` (the `mid-conversation-system` beta);
 * Claude Code sends them for every model it does not treat as a legacy Claude.
 */
export interface AnthropicMessageParam {
  role: 'user' | 'assistant' | 'system';
  content: string | AnthropicContentBlock[];
  [key: string]: unknown;
}

/** A client tool (no `type`, or `custom`) or a server tool (`type` names it; no input_schema). */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  type?: string;
  cache_control?: AnthropicCacheControl | null;
  /** Advanced tool use: the definition is loaded only once a tool search references it. */
  defer_loading?: boolean;
  [key: string]: unknown;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type AnthropicThinkingConfig =
  | { type: 'enabled'; budget_tokens: number }
  | { type: 'adaptive'; display?: 'summarized' | 'omitted' | (string & {}) }
  | { type: 'disabled' };

/** How hard the model works (the `effort` beta); `xhigh` and `max` above `high`. */
export type AnthropicEffort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface AnthropicOutputConfig {
  effort?: AnthropicEffort | (string & {});
  format?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string | AnthropicTextBlock[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  metadata?: { user_id?: string | null; [key: string]: unknown };
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: AnthropicThinkingConfig;
  output_config?: AnthropicOutputConfig;
  /** Server-side context editing (a beta); only Anthropic acts on it. */
  context_management?: Record<string, unknown>;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- answer

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [key: string]: unknown;
}

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- stream events (§3.4)

export interface MessageStartEvent {
  type: 'message_start';
  message: AnthropicMessage;
}
export interface ContentBlockStartEvent {
  type: 'content_block_start';
  index: number;
  content_block: AnthropicContentBlock;
}
export type AnthropicDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: string; [key: string]: unknown };
export interface ContentBlockDeltaEvent {
  type: 'content_block_delta';
  index: number;
  delta: AnthropicDelta;
}
export interface ContentBlockStopEvent {
  type: 'content_block_stop';
  index: number;
}
export interface MessageDeltaEvent {
  type: 'message_delta';
  delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null; [key: string]: unknown };
  /** Cumulative counts. */
  usage: Partial<AnthropicUsage> & { output_tokens: number };
}
export interface MessageStopEvent {
  type: 'message_stop';
}
export interface PingEvent {
  type: 'ping';
}
export interface AnthropicErrorEvent {
  type: 'error';
  error: { type: string; message: string };
}

export type MessagesStreamEvent =
  | MessageStartEvent
  | ContentBlockStartEvent
  | ContentBlockDeltaEvent
  | ContentBlockStopEvent
  | MessageDeltaEvent
  | MessageStopEvent
  | PingEvent
  | AnthropicErrorEvent;

// ---------------------------------------------------------------- errors (§3.5)

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType | string; message: string };
  request_id?: string;
}

export interface CountTokensResponse {
  input_tokens: number;
}

/** One model of `GET /v1/models` (Anthropic's Models API). */
export interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  /** RFC 3339 date-time. */
  created_at: string;
}

/** `GET /v1/models`: a page of models, newest first upstream; `after_id`/`before_id` page through. */
export interface AnthropicModelList {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}
