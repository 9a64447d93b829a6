// Wire types of Google's Code Assist API (`…/v1internal:<method>`, reference/wire-protocols.md
// §6.1 and §7 "Antigravity"): the envelope a Gemini request travels in, the envelope an answer
// comes back in, and the project set-up calls (loadCodeAssist, onboardUser, the long-running
// operation it returns). The `request` / `response` inside are the Generative Language API's
// (gemini-generate-content.ts). Every object open: fields we do not model must survive.
import type { GeminiContent, GeminiRequest, GeminiResponse } from './gemini-generate-content';

/** The generate request: Gemini CLI's `CAGenerateContentRequest`. */
export interface CodeAssistRequest {
  model: string;
  project?: string;
  user_prompt_id?: string;
  request: CodeAssistInnerRequest;
  /** Antigravity's extra fields (§7). */
  userAgent?: string;
  requestType?: 'agent' | 'image_gen' | 'web_search';
  requestId?: string;
  [key: string]: unknown;
}

/** The Gemini request inside the envelope: no `model` or `stream` (the envelope says those). */
export type CodeAssistInnerRequest = Pick<GeminiRequest, 'contents' | 'systemInstruction' | 'tools' | 'toolConfig' | 'generationConfig' | 'safetySettings'> & {
  session_id?: string;
  /** Antigravity's conversation id. */
  sessionId?: string;
  [key: string]: unknown;
};

/** One SSE chunk, or the whole answer: the Gemini response under `response`. */
export interface CodeAssistResponse {
  response?: GeminiResponse;
  traceId?: string;
  [key: string]: unknown;
}

/** `:countTokens` — Gemini CLI sends only the model and the contents. */
export interface CodeAssistCountTokensRequest {
  request: { model: string; contents: GeminiContent[] };
}

export interface CodeAssistCountTokensResponse {
  totalTokens?: number;
  [key: string]: unknown;
}

/** Who is asking, as loadCodeAssist and onboardUser want it said. */
export interface ClientMetadata {
  ideType: 'IDE_UNSPECIFIED' | 'ANTIGRAVITY' | string;
  platform: 'PLATFORM_UNSPECIFIED' | string;
  pluginType: 'GEMINI' | string;
  duetProject?: string;
}

export interface LoadCodeAssistRequest {
  cloudaicompanionProject?: string;
  metadata: ClientMetadata;
}

/** Tier ids: `free-tier`, `legacy-tier`, `standard-tier`. */
export interface CodeAssistTier {
  id: string;
  name?: string;
  isDefault?: boolean;
  userDefinedCloudaicompanionProject?: boolean;
  [key: string]: unknown;
}

export interface LoadCodeAssistResponse {
  currentTier?: CodeAssistTier | null;
  allowedTiers?: CodeAssistTier[];
  /** A project id; Antigravity's answer sometimes nests it as `{id}`. */
  cloudaicompanionProject?: string | { id?: string; name?: string } | null;
  paidTier?: CodeAssistTier | null;
  [key: string]: unknown;
}

export interface OnboardUserRequest {
  tierId: string;
  /** Omitted for `free-tier`: sending one there is a Precondition Failed. */
  cloudaicompanionProject?: string;
  metadata: ClientMetadata;
}

/** A google.longrunning.Operation, as onboardUser and `GET v1internal/<name>` answer. */
export interface OnboardOperation {
  name?: string;
  done?: boolean;
  response?: { cloudaicompanionProject?: { id?: string; name?: string } | string; [key: string]: unknown };
  error?: { code?: number; message?: string; status?: string };
  [key: string]: unknown;
}

/** The tier onboarding picks when none is current. */
export const FREE_TIER = 'free-tier';
export const LEGACY_TIER = 'legacy-tier';
