// Gemini's routes name the model and the method in one path segment: `models/{model}:{method}`
// (`models/gemini-2.5-pro:streamGenerateContent`). The route is a wildcard (model ids hold
// slashes: `instance/model`), so the action is split here, at its last colon.
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../common/gateway-error';

export const GEMINI_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens'] as const;
export type GeminiMethod = (typeof GEMINI_METHODS)[number];

export interface GeminiAction {
  model: string;
  method: GeminiMethod;
}

/** The `{model}:{method}` after `models/`, or undefined when it is not one. */
export function readGeminiAction(request: FastifyRequest): GeminiAction | undefined {
  const action = (request.params as Record<string, string | undefined>)['*'] ?? '';
  const at = action.lastIndexOf(':');
  if (at <= 0) return undefined;
  const model = action.slice(0, at).replace(/^models\//, '');
  const method = action.slice(at + 1);
  if (model === '' || !(GEMINI_METHODS as readonly string[]).includes(method)) return undefined;
  return { model, method: method as GeminiMethod };
}

/** The action, or a 404 naming what the route serves. */
export function geminiActionOrThrow(request: FastifyRequest): GeminiAction {
  const action = readGeminiAction(request);
  if (action) return action;
  const asked = (request.params as Record<string, string | undefined>)['*'] ?? '';
  throw new GatewayError(404, `models/${asked} is not a method this gateway serves: use models/{model}:generateContent, :streamGenerateContent or :countTokens`, {
    type: 'not_found_error',
    code: 'not_found',
    param: null,
  });
}
