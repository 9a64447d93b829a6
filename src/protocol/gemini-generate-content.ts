// Wire types of Google's Gemini `generateContent` / `streamGenerateContent` (reference/
// wire-protocols.md §6.3, §6.4): the Generative Language API's request and response bodies, which
// Code Assist (§6.1) wraps as `{model, project, request:{…}}` / `{response:{…}}` — these types are
// that `request` and that `response`. Types only, every object open (`[key: string]: unknown`):
// fields we do not model (safetySettings, cachedContent, labels…) must survive a passthrough.

export type GeminiRole = 'user' | 'model' | 'function';

export interface GeminiBlob {
  mimeType: string;
  /** base64. */
  data: string;
}

export interface GeminiFunctionCall {
  name: string;
  /** An object, never a string. */
  args?: Record<string, unknown>;
  /** Newer models name their calls; most do not, and the gateway then makes ids up. */
  id?: string;
  [key: string]: unknown;
}

export interface GeminiFunctionResponse {
  name: string;
  response: Record<string, unknown>;
  id?: string;
  [key: string]: unknown;
}

/** One part of a turn: exactly one of text / inlineData / functionCall / functionResponse / fileData is set. */
export interface GeminiPart {
  text?: string;
  /** The text is a thought summary. */
  thought?: boolean;
  /** Opaque, must be echoed back on the same part in the next turn (also spelled `thought_signature`). */
  thoughtSignature?: string;
  thought_signature?: string;
  inlineData?: GeminiBlob;
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  [key: string]: unknown;
}

export interface GeminiContent {
  role?: GeminiRole | string;
  parts: GeminiPart[];
  [key: string]: unknown;
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** OpenAPI-subset schema (the older field). */
  parameters?: Record<string, unknown>;
  /** JSON Schema (the newer field). */
  parametersJsonSchema?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface GeminiTool {
  functionDeclarations?: GeminiFunctionDeclaration[];
  /** Hosted tools (googleSearch, codeExecution, urlContext…) exist only on Gemini. */
  [key: string]: unknown;
}

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED' | 'MODE_UNSPECIFIED';

export interface GeminiToolConfig {
  functionCallingConfig?: { mode?: GeminiFunctionCallingMode | string; allowedFunctionNames?: string[] };
  [key: string]: unknown;
}

export interface GeminiThinkingConfig {
  /** Tokens; 0 turns thinking off (where the model allows it), -1 lets the model decide. */
  thinkingBudget?: number;
  /** Gemini 3: `low` / `high` (and `minimal` / `medium` on some models) instead of a budget. */
  thinkingLevel?: string;
  includeThoughts?: boolean;
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  candidateCount?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  responseMimeType?: string;
  responseSchema?: Record<string, unknown>;
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
  [key: string]: unknown;
}

/** The body of `:generateContent` / `:streamGenerateContent` (the model is in the URL). */
export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent | { parts: GeminiPart[]; role?: string };
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
  safetySettings?: unknown[];
  /**
   * Not Google's: the gateway's routing reads the model from here, and the stream flag from the
   * method. The executor takes both out before the body goes upstream.
   */
  model?: string;
  stream?: boolean;
  [key: string]: unknown;
}

/** The fields of a GeminiRequest that only the gateway reads (Google takes them from the URL). */
export const GEMINI_ROUTING_FIELDS = ['model', 'stream'] as const;

export type GeminiFinishReason =
  | 'FINISH_REASON_UNSPECIFIED'
  | 'STOP'
  | 'MAX_TOKENS'
  | 'SAFETY'
  | 'RECITATION'
  | 'LANGUAGE'
  | 'OTHER'
  | 'BLOCKLIST'
  | 'PROHIBITED_CONTENT'
  | 'SPII'
  | 'MALFORMED_FUNCTION_CALL'
  | 'IMAGE_SAFETY'
  | 'UNEXPECTED_TOOL_CALL';

export interface GeminiCandidate {
  content?: GeminiContent;
  finishReason?: GeminiFinishReason | string;
  index?: number;
  safetyRatings?: unknown[];
  [key: string]: unknown;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  [key: string]: unknown;
}

/** A whole answer, and each chunk of a stream (a chunk carries the parts new since the last). */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  /** A prompt blocked before any candidate (`blockReason: SAFETY | OTHER | BLOCKLIST | …`). */
  promptFeedback?: { blockReason?: string; safetyRatings?: unknown[]; [key: string]: unknown };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  createTime?: string;
  [key: string]: unknown;
}

/** `google.rpc.Status` as the API sends it: `{error:{code,message,status,details}}`. */
export interface GeminiErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    details?: Array<{ '@type': string; [key: string]: unknown }>;
  };
}

export const GEMINI_RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
export const GEMINI_ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

/** `:countTokens` answer. */
export interface GeminiCountTokensResponse {
  totalTokens: number;
  [key: string]: unknown;
}

/** One entry of `GET /v1beta/models` (`{models:[…], nextPageToken}`). */
export interface GeminiModelEntry {
  /** `models/gemini-2.5-pro`. */
  name: string;
  displayName?: string;
  description?: string;
  version?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods?: string[];
  thinking?: boolean;
  [key: string]: unknown;
}

export interface GeminiModelList {
  models: GeminiModelEntry[];
  nextPageToken?: string;
}

/** google.rpc canonical codes by HTTP status, for errors the gateway writes in Google's shape. */
export const GOOGLE_STATUS_BY_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
  529: 'UNAVAILABLE',
};

export function googleStatusOf(httpStatus: number): string {
  return GOOGLE_STATUS_BY_HTTP[httpStatus] ?? (httpStatus >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

/** The signature a part carries, in either spelling. */
export function partSignature(part: GeminiPart): string | undefined {
  const signature = part.thoughtSignature ?? part.thought_signature;
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}
