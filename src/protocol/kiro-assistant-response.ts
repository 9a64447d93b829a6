// Kiro's upstream API (AWS CodeWhisperer / Amazon Q `generateAssistantResponse`, reference/
// wire-protocols.md §7 "Kiro"): the request — a conversation state whose current message is a
// user turn and whose history alternates user and assistant turns — and the events of its answer,
// which arrives as AWS event-stream frames (protocol/event-stream-decoder.ts), one JSON payload
// per frame, named by the frame's `:event-type` header.

export interface KiroRequest {
  conversationState: KiroConversationState;
  /** The account's CodeWhisperer profile; the executor fills it in from the account. */
  profileArn?: string;
  inferenceConfig?: KiroInferenceConfig;
  /** Routing only (as the client named it): the executor takes it out and names the model in `modelId`. */
  model?: string;
  [key: string]: unknown;
}

export interface KiroConversationState {
  chatTriggerType: 'MANUAL';
  /** A new UUID per request: byokey keeps no conversation upstream, every request carries its history. */
  conversationId: string;
  currentMessage: { userInputMessage: KiroUserInputMessage };
  history: KiroHistoryMessage[];
  [key: string]: unknown;
}

export interface KiroUserInputMessage {
  /** Never empty: Kiro rejects an empty content. */
  content: string;
  modelId: string;
  origin: 'AI_EDITOR';
  images?: KiroImage[];
  userInputMessageContext?: KiroUserInputMessageContext;
}

export interface KiroUserInputMessageContext {
  tools?: KiroTool[];
  toolResults?: KiroToolResult[];
}

export interface KiroTool {
  toolSpecification: { name: string; description: string; inputSchema: { json: Record<string, unknown> } };
}

export interface KiroToolResult {
  toolUseId: string;
  status: 'success' | 'error';
  content: Array<{ text: string }>;
}

export interface KiroImage {
  /** `png`, `jpeg`, `gif`, `webp`. */
  format: string;
  source: { bytes: string };
}

export interface KiroAssistantResponseMessage {
  content: string;
  toolUses?: KiroToolUse[];
}

export interface KiroToolUse {
  toolUseId: string;
  name: string;
  input: Record<string, unknown>;
}

export type KiroHistoryMessage = { userInputMessage: KiroUserInputMessage } | { assistantResponseMessage: KiroAssistantResponseMessage };

export interface KiroInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
}

// ------------------------------------------------------------------ the answer's events

/** `assistantResponseEvent`: a piece of the answer's text. */
export interface KiroAssistantResponseEvent {
  content?: string;
  conversationId?: string;
  messageId?: string;
  messageStatus?: string;
}

/**
 * `reasoningContentEvent`, sent by some Kiro versions for a request with thinking on (CLIProxyAPI
 * reads it): a piece of the model's thinking as its own event, instead of inline tags.
 */
export interface KiroReasoningContentEvent {
  text?: string;
  signature?: string;
  redactedContent?: string;
}

/** `toolUseEvent`: one piece of a tool call; `input` pieces are concatenated until `stop: true`. */
export interface KiroToolUseEvent {
  name?: string;
  toolUseId?: string;
  /** A fragment of the call's input JSON (not parseable on its own). */
  input?: string;
  stop?: boolean;
}

/** `meteringEvent`: what the answer cost, in Kiro credits. */
export interface KiroMeteringEvent {
  unit?: string;
  usage?: number;
}

/** `contextUsageEvent`: how full the model's context window is, in percent (0–100). */
export interface KiroContextUsageEvent {
  contextUsagePercentage?: number;
}

/** `messageMetadataEvent` / `metadataEvent`: token counts, where Kiro sends them. */
export interface KiroMetadataEvent {
  tokenUsage?: { uncachedInputTokens?: number; outputTokens?: number; totalTokens?: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number };
  inputTokens?: number;
  outputTokens?: number;
}

/** `messageStopEvent`, where sent: the answer is over, with its stop reason. */
export interface KiroMessageStopEvent {
  stopReason?: string;
}

/**
 * One event of the answer as the gateway carries it: the frame's payload under its event type,
 * the way the AWS SDKs represent event-stream unions (`{assistantResponseEvent: {content}}`).
 * Exactly one member is set.
 */
export interface KiroStreamEvent {
  assistantResponseEvent?: KiroAssistantResponseEvent;
  reasoningContentEvent?: KiroReasoningContentEvent;
  toolUseEvent?: KiroToolUseEvent;
  meteringEvent?: KiroMeteringEvent;
  contextUsageEvent?: KiroContextUsageEvent;
  messageMetadataEvent?: KiroMetadataEvent;
  metadataEvent?: KiroMetadataEvent;
  messageStopEvent?: KiroMessageStopEvent;
  [eventType: string]: unknown;
}

/** Kiro's context window, which `contextUsagePercentage` is a share of (Claude models: 200k tokens). */
export const KIRO_CONTEXT_WINDOW_TOKENS = 200_000;

/** The input tokens a context usage percentage stands for (Kiro counts no tokens itself). */
export function kiroInputTokensOf(contextUsagePercentage: number): number {
  return Math.round((contextUsagePercentage * KIRO_CONTEXT_WINDOW_TOKENS) / 100);
}

// ------------------------------------------------------------------ thinking

// Kiro's request has no thinking field. Thinking is switched on by text: these tags at the head of
// the system prompt (the community's Kiro gateways — kiro.rs, CLIProxyAPI, AIClient-2-API — all
// send them so), and the model then writes its thinking inline, at the start of the answer's text,
// between `<thinking>` and `</thinking>`.

/**
 * Where a system prompt goes (Kiro has no system field): at the head of the current message,
 * between these markers, as CLIProxyAPI sends it. The thinking tags open that block.
 */
export const KIRO_SYSTEM_PROMPT_OPEN = '--- SYSTEM PROMPT ---\n';
export const KIRO_SYSTEM_PROMPT_CLOSE = '\n--- END SYSTEM PROMPT ---\n\n';

/** Switches thinking on; followed by the length tag. */
export const KIRO_THINKING_MODE_TAG = '<thinking_mode>enabled</thinking_mode>';
/** Any thinking-mode tag a client may have written itself (`enabled`, `interleaved`, `adaptive`). */
export const KIRO_THINKING_MODE_PATTERN = /<thinking_mode>\s*(?:enabled|interleaved|adaptive)\s*<\/thinking_mode>/;
/** The tags that say a client already configured thinking in its own text. */
export const KIRO_THINKING_CONFIG_TAGS = ['<thinking_mode>', '<max_thinking_length>'] as const;
/** Opens the thinking in the answer's text. */
export const KIRO_THINKING_OPEN = '<thinking>';
/** Closes it; the answer follows, usually after a blank line. */
export const KIRO_THINKING_CLOSE = '</thinking>';

/** Kiro's bounds for `max_thinking_length` (kiro.rs and CLIProxyAPI cap it at Anthropic's 24576). */
export const KIRO_MIN_THINKING_LENGTH = 1024;
export const KIRO_MAX_THINKING_LENGTH = 24576;
/** The length when a client asks for thinking without saying how much (kiro.rs's, CLIProxyAPI's default). */
export const KIRO_DEFAULT_THINKING_LENGTH = 20000;

/** The text that switches thinking on with a budget of `length` tokens. */
export function kiroThinkingTags(length: number): string {
  return `${KIRO_THINKING_MODE_TAG}<max_thinking_length>${length}</max_thinking_length>`;
}
