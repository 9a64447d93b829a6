// Wire types of OpenAI Chat Completions as byokey serves it (reference/wire-protocols.md §4.1).
// Types only: the gateway forwards bodies it did not write, so every object is open
// (`[key: string]: unknown`) — fields we do not model must survive a round trip.

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface ChatTextPart {
  type: 'text';
  text: string;
}

export interface ChatImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export type ChatContentPart = ChatTextPart | ChatImagePart | { type: string; [key: string]: unknown };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Anthropic's thinking blocks carried on a chat message (the LiteLLM convention): signed
 * `thinking` and opaque `redacted_thinking`, exactly as Claude produced them, so a client that
 * keeps them can send them back in the next turn — Anthropic requires them unchanged when
 * thinking is used with tools. Non-standard; OpenAI clients ignore the field.
 */
export type ChatThinkingBlock =
  | { type: 'thinking'; thinking: string; signature: string; [key: string]: unknown }
  | { type: 'redacted_thinking'; data: string; [key: string]: unknown };

export interface ChatMessage {
  role: ChatRole;
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  reasoning_content?: string;
  /** Non-standard (LiteLLM): signed thinking of an assistant turn, to be sent back unchanged. */
  thinking_blocks?: ChatThinkingBlock[];
  [key: string]: unknown;
}

export interface ChatFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ChatToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  /** Restrict the model to some of the declared tools, `mode` auto or required. */
  | { type: 'allowed_tools'; allowed_tools: { mode: 'auto' | 'required'; tools: Array<{ type: 'function'; function: { name: string } }> } };

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  tools?: ChatFunctionTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  reasoning_effort?: string;
  user?: string;
  response_format?: ChatResponseFormat | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  service_tier?: string | null;
  /** gpt-5 family: `low | medium | high`. */
  verbosity?: string | null;
  prompt_cache_key?: string;
  safety_identifier?: string;
  [key: string]: unknown;
}

export type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null };
    };

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    cached_tokens?: number;
    /** Non-standard: prompt tokens written to Anthropic's prompt cache (`cache_creation_input_tokens`). */
    cache_creation_tokens?: number;
    [key: string]: unknown;
  };
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatMessage & { role: 'assistant'; refusal?: string | null };
    finish_reason: ChatFinishReason | null;
    logprobs: unknown;
  }>;
  usage?: ChatUsage;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

export interface ChatToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ChatToolCallDelta[];
  reasoning_content?: string;
  /** Non-standard (LiteLLM): whole thinking blocks, each to be appended to the message's list. */
  thinking_blocks?: ChatThinkingBlock[];
  [key: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint?: string | null;
  choices: Array<{
    index: number;
    delta: ChatChunkDelta;
    logprobs?: unknown;
    finish_reason: ChatFinishReason | null;
  }>;
  usage?: ChatUsage | null;
  [key: string]: unknown;
}

/** The terminator line's payload: `data: [DONE]`. */
export const CHAT_STREAM_DONE = '[DONE]';

/** OpenAI's error envelope, used on every OpenAI-dialect route and in-stream (§4.1). */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

export interface ModelListEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ModelList {
  object: 'list';
  data: ModelListEntry[];
}
