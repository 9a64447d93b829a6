// Wire types of the OpenAI Responses API as the Codex backend and the OpenAI Platform speak it
// (reference/wire-protocols.md §1.3–1.7, §4.2). Types only. Objects stay open
// (`[key: string]: unknown`): new item and event types must pass through the gateway untouched.

// ---------------------------------------------------------------- request

export interface ResponsesInputText {
  type: 'input_text';
  text: string;
}
export interface ResponsesInputImage {
  type: 'input_image';
  image_url?: string;
  file_id?: string;
  detail?: 'auto' | 'low' | 'high';
}
export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations?: unknown[];
  logprobs?: unknown[];
}
export interface ResponsesInputFile {
  type: 'input_file';
  file_id?: string;
  file_data?: string;
  filename?: string;
  file_url?: string;
}
export interface ResponsesRefusal {
  type: 'refusal';
  refusal: string;
}
export type ResponsesContentPart =
  | ResponsesInputText
  | ResponsesInputImage
  | ResponsesInputFile
  | ResponsesOutputText
  | ResponsesRefusal
  | { type: string; [key: string]: unknown };

export type ResponsesRole = 'user' | 'assistant' | 'system' | 'developer';

export interface ResponsesMessageItem {
  type: 'message';
  role: ResponsesRole;
  content: string | ResponsesContentPart[];
  id?: string;
  status?: string;
  [key: string]: unknown;
}

export interface ResponsesReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  [key: string]: unknown;
}

export interface ResponsesFunctionCallItem {
  type: 'function_call';
  call_id: string;
  name: string;
  /** A JSON string. */
  arguments: string;
  /** Set when the function belongs to a `namespace` tool: the namespace's name. */
  namespace?: string;
  id?: string;
  status?: string;
  [key: string]: unknown;
}

/** A call of a `custom` (freeform) tool: its input is plain text, not JSON. */
export interface ResponsesCustomToolCallItem {
  type: 'custom_tool_call';
  call_id: string;
  name: string;
  input: string;
  namespace?: string;
  id?: string;
  status?: string;
  [key: string]: unknown;
}

export interface ResponsesCustomToolCallOutputItem {
  type: 'custom_tool_call_output';
  call_id: string;
  output: string | ResponsesContentPart[];
  [key: string]: unknown;
}

/** Tools made available from this point of the conversation on (`role: developer`). */
export interface ResponsesAdditionalToolsItem {
  type: 'additional_tools';
  role?: 'developer';
  tools: ResponsesTool[];
  [key: string]: unknown;
}

export interface ResponsesFunctionCallOutputItem {
  type: 'function_call_output';
  call_id: string;
  output: string | ResponsesContentPart[];
  [key: string]: unknown;
}

export type ResponsesItem =
  | ResponsesMessageItem
  | ResponsesReasoningItem
  | ResponsesFunctionCallItem
  | ResponsesFunctionCallOutputItem
  | ResponsesCustomToolCallItem
  | ResponsesCustomToolCallOutputItem
  | ResponsesAdditionalToolsItem
  | { type: string; [key: string]: unknown };

/** A function tool in Responses form: flat, not nested under `function`. */
export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean;
}
/** A freeform tool: the model writes plain text, optionally constrained by a grammar. */
export interface ResponsesCustomTool {
  type: 'custom';
  name: string;
  description?: string;
  /** `{type: 'text'}` (unconstrained) or `{type: 'grammar', syntax: 'lark' | 'regex', definition}`. */
  format?: { type: 'text' } | { type: 'grammar'; syntax: string; definition: string } | { type: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Function and custom tools grouped under a name the model calls them by (`function_call.namespace`). */
export interface ResponsesNamespaceTool {
  type: 'namespace';
  name: string;
  description?: string;
  tools: Array<ResponsesFunctionTool | ResponsesCustomTool>;
  [key: string]: unknown;
}

export type ResponsesTool = ResponsesFunctionTool | ResponsesCustomTool | ResponsesNamespaceTool | { type: string; [key: string]: unknown };

export type ResponsesToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; name: string; namespace?: string } | { type: string; [key: string]: unknown };

export interface ResponsesReasoningConfig {
  effort?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | string;
  summary?: 'auto' | 'concise' | 'detailed' | string;
}

/** `text.format`: structured output. */
export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema?: Record<string, unknown>; description?: string; strict?: boolean | null };

export interface ResponsesTextConfig {
  format?: ResponsesTextFormat;
  verbosity?: string;
  [key: string]: unknown;
}

export interface ResponsesRequest {
  model: string;
  instructions?: string;
  /** A plain string is accepted from clients (one user message). */
  input: string | ResponsesItem[];
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean;
  reasoning?: ResponsesReasoningConfig | null;
  store?: boolean;
  stream?: boolean;
  include?: string[];
  prompt_cache_key?: string;
  text?: ResponsesTextConfig;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  user?: string;
  metadata?: Record<string, string> | null;
  service_tier?: string | null;
  safety_identifier?: string;
  /** Server-side conversation state, which byokey does not keep. */
  previous_response_id?: string | null;
  conversation?: string | { id: string } | null;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- response object

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details?: { cached_tokens?: number; [key: string]: unknown } | null;
  output_tokens: number;
  output_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown } | null;
  total_tokens: number;
  [key: string]: unknown;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'failed' | 'incomplete' | 'cancelled' | 'queued';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  model: string;
  output: ResponsesItem[];
  usage?: ResponsesUsage | null;
  error?: { code: string; message: string } | null;
  incomplete_details?: { reason: string } | null;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- stream events

interface EventBase {
  sequence_number?: number;
  [key: string]: unknown;
}

export interface ResponseLifecycleEvent extends EventBase {
  type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.failed' | 'response.incomplete';
  response: ResponseObject;
}
export interface OutputItemEvent extends EventBase {
  type: 'response.output_item.added' | 'response.output_item.done';
  output_index: number;
  item: ResponsesItem;
}
export interface OutputTextDeltaEvent extends EventBase {
  type: 'response.output_text.delta';
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
export interface ReasoningSummaryTextDeltaEvent extends EventBase {
  type: 'response.reasoning_summary_text.delta';
  item_id: string;
  output_index: number;
  summary_index: number;
  delta: string;
}
export interface ReasoningTextDeltaEvent extends EventBase {
  type: 'response.reasoning_text.delta';
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
export interface OutputTextDoneEvent extends EventBase {
  type: 'response.output_text.done';
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
}
export interface RefusalDeltaEvent extends EventBase {
  type: 'response.refusal.delta';
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
export interface RefusalDoneEvent extends EventBase {
  type: 'response.refusal.done';
  item_id: string;
  output_index: number;
  content_index: number;
  refusal: string;
}
export interface ReasoningSummaryTextDoneEvent extends EventBase {
  type: 'response.reasoning_summary_text.done';
  item_id: string;
  output_index: number;
  summary_index: number;
  text: string;
}
export interface ReasoningTextDoneEvent extends EventBase {
  type: 'response.reasoning_text.done';
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
}
export interface FunctionCallArgumentsDoneEvent extends EventBase {
  type: 'response.function_call_arguments.done';
  item_id: string;
  output_index: number;
  name?: string;
  arguments: string;
}
export interface FunctionCallArgumentsDeltaEvent extends EventBase {
  type: 'response.function_call_arguments.delta';
  /** No call_id here: map it from the item announced by `output_item.added`. */
  item_id: string;
  output_index: number;
  delta: string;
}
export interface ContentPartEvent extends EventBase {
  type: 'response.content_part.added' | 'response.content_part.done';
  item_id: string;
  output_index: number;
  content_index: number;
  part: ResponsesContentPart;
}
export interface ReasoningSummaryPartEvent extends EventBase {
  type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done';
  item_id: string;
  output_index: number;
  summary_index: number;
  part: { type: 'summary_text'; text: string };
}
export interface CustomToolCallInputDeltaEvent extends EventBase {
  type: 'response.custom_tool_call_input.delta';
  item_id: string;
  output_index: number;
  delta: string;
}
export interface CustomToolCallInputDoneEvent extends EventBase {
  type: 'response.custom_tool_call_input.done';
  item_id: string;
  output_index: number;
  input: string;
}
/**
 * `error` events: the Responses spec's `{code, message, param}`, or the Codex backend's wrapped
 * `{status|status_code, error: {type, code, message, …}, headers}`.
 */
export interface ResponsesErrorEvent extends EventBase {
  type: 'error';
  code?: string | null;
  message?: string;
  param?: string | null;
  status?: number;
  status_code?: number;
  error?: { type?: string; code?: string; message?: string; [key: string]: unknown };
  headers?: Record<string, string>;
}

/** Every event has a `type`; those the gateway reads are typed, the rest pass as they are. */
export type ResponsesStreamEvent =
  | ResponseLifecycleEvent
  | OutputItemEvent
  | OutputTextDeltaEvent
  | OutputTextDoneEvent
  | RefusalDeltaEvent
  | RefusalDoneEvent
  | ReasoningSummaryTextDeltaEvent
  | ReasoningSummaryTextDoneEvent
  | ReasoningTextDeltaEvent
  | ReasoningTextDoneEvent
  | FunctionCallArgumentsDeltaEvent
  | FunctionCallArgumentsDoneEvent
  | ContentPartEvent
  | ReasoningSummaryPartEvent
  | CustomToolCallInputDeltaEvent
  | CustomToolCallInputDoneEvent
  | ResponsesErrorEvent
  | ({ type: string } & EventBase);

/** Terminal lifecycle events: the stream's answer is complete (or failed) after one of these. */
export const TERMINAL_RESPONSE_EVENTS = ['response.completed', 'response.failed', 'response.incomplete'] as const;
