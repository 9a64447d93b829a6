// The Gemini answer fields that the stream and the whole-answer translations, in both directions,
// must compute the same way (reference/wire-protocols.md §6.4 ⇄ §4.1): finish reasons, usage,
// and the tool call ids Gemini does not give — made up here, carrying the call's thought
// signature so a client that sends the call back hands Gemini its signature again.
import { randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { GeminiFinishReason, GeminiUsageMetadata } from '../protocol/gemini-generate-content';
import type { ChatFinishReason, ChatUsage } from '../protocol/openai-chat';

/** Where a made-up call id carries the signature: `call_<hex>_ts_<base64url>`. */
const SIGNATURE_MARK = '_ts_';

/**
 * A chat tool call id for a Gemini functionCall: Gemini's own id when it gave one, else a fresh
 * one; with the part's thoughtSignature folded in (base64url, so the id stays `[A-Za-z0-9_-]`).
 * Gemini 3 refuses a conversation whose function calls come back without their signatures, and
 * the id is the one field every client echoes unchanged.
 */
export function geminiCallId(id: string | undefined, signature: string | undefined): string {
  const base = id && !id.includes(SIGNATURE_MARK) ? id : `call_${randomBytes(8).toString('hex')}`;
  if (!signature) return base;
  // The signature's own bytes as text, not decoded as base64: opaque means it may not be valid base64.
  return `${base}${SIGNATURE_MARK}${Buffer.from(signature, 'utf8').toString('base64url')}`;
}

/** The thought signature a made-up call id carries, exactly as Gemini sent it. */
export function signatureOfCallId(id: string | undefined): string | undefined {
  if (typeof id !== 'string') return undefined;
  const at = id.indexOf(SIGNATURE_MARK);
  if (at < 0) return undefined;
  const encoded = id.slice(at + SIGNATURE_MARK.length);
  return encoded === '' ? undefined : Buffer.from(encoded, 'base64url').toString('utf8');
}

/** Content the model stopped because of a filter. */
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'LANGUAGE']);

/**
 * The chat finish_reason of a Gemini finishReason. Gemini says STOP after function calls too,
 * but chat clients run tools on `tool_calls` only.
 */
export function chatFinishOfGemini(reason: string | undefined, facts: { toolCalls: boolean }): ChatFinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && FILTERED.has(reason)) return 'content_filter';
  return facts.toolCalls ? 'tool_calls' : 'stop';
}

/** The Gemini finishReason of a chat finish_reason (Gemini has no tool-calls reason: STOP). */
export function geminiFinishOfChat(reason: string | null | undefined): GeminiFinishReason {
  switch (reason) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    default:
      return 'STOP';
  }
}

/**
 * Gemini usage as chat usage: chat's completion tokens include the reasoning ones, Gemini's
 * candidatesTokenCount does not (thoughtsTokenCount is apart); prompt tokens include the cached.
 */
export function chatUsageOfGemini(usage: GeminiUsageMetadata | undefined): ChatUsage {
  const prompt = count(usage?.promptTokenCount) + count(usage?.toolUsePromptTokenCount);
  const thoughts = count(usage?.thoughtsTokenCount);
  const completion = count(usage?.candidatesTokenCount) + thoughts;
  const cached = count(usage?.cachedContentTokenCount);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: count(usage?.totalTokenCount) || prompt + completion,
    ...(cached ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(thoughts ? { completion_tokens_details: { reasoning_tokens: thoughts } } : {}),
  };
}

/** Chat usage as Gemini usageMetadata (the inverse of chatUsageOfGemini). */
export function geminiUsageOfChat(usage: ChatUsage | null | undefined): GeminiUsageMetadata {
  const prompt = count(usage?.prompt_tokens);
  const completion = count(usage?.completion_tokens);
  const thoughts = Math.min(completion, count(usage?.completion_tokens_details?.reasoning_tokens));
  const cached = count(usage?.prompt_tokens_details?.cached_tokens);
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: completion - thoughts,
    totalTokenCount: count(usage?.total_tokens) || prompt + completion,
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    ...(cached ? { cachedContentTokenCount: cached } : {}),
  };
}

/** Arguments text of a chat tool call as Gemini's args object (Gemini requires an object). */
export function argsObject(text: unknown): Record<string, unknown> {
  if (typeof text === 'object' && text !== null && !Array.isArray(text)) return text as Record<string, unknown>;
  if (typeof text !== 'string' || text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
