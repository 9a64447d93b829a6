// A Gemini request body as it goes upstream: the gateway's routing fields (`model`, `stream`,
// which Google takes from the URL) taken out; everything else as the client or translator wrote
// it. Also the body `:countTokens` takes, which counts a whole generateContent request.
import type { GeminiRequest } from '../../protocol/gemini-generate-content';
import { bodyBeforeRouting } from '../../protocol/raw-json';

/** Omit alone drops the named fields of a type with an index signature; Pick brings them back. */
export type UpstreamGeminiBody = Omit<GeminiRequest, 'model' | 'stream'> & Pick<GeminiRequest, 'contents' | 'systemInstruction' | 'tools' | 'toolConfig' | 'generationConfig' | 'safetySettings'>;

export function upstreamGeminiBody(body: GeminiRequest): UpstreamGeminiBody {
  // The client's own body, when the Gemini route's copy arrived unchanged: sent as its bytes.
  const before = bodyBeforeRouting(body);
  if (before !== undefined) return before as UpstreamGeminiBody;
  const { model: _model, stream: _stream, ...rest } = body; // GEMINI_ROUTING_FIELDS
  return rest;
}

/** `:countTokens` counts everything a generateContent request would send when wrapped so. */
export function countTokensBody(body: GeminiRequest, model: string): { generateContentRequest: Record<string, unknown> } {
  return { generateContentRequest: { model: `models/${model}`, ...upstreamGeminiBody(body) } };
}
