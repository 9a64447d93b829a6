// Where the public model routes are mounted. Each API is served at its usual place and again
// under Amp's `/api/provider/<dialect>/…` prefixes (the Amp CLI sends its model calls there when
// pointed at the gateway), by the same handlers: the controllers mount these lists, usage
// metering and the error filter read them, so a prefix added here reaches all three.

/** The Amp CLI's prefix for model calls, one per API dialect. */
export const AMP_PROVIDER_PREFIX = '/api/provider';

/** Controller prefixes of OpenAI's API (chat completions, Responses, model list). */
export const OPENAI_PREFIXES = ['v1', 'api/provider/openai/v1'];

/** Controller prefixes of Anthropic's API (Messages, count_tokens, model list). */
export const ANTHROPIC_PREFIXES = ['v1', 'api/provider/anthropic/v1'];

/**
 * Gemini's `models/{model}:{method}` routes (wildcards: model ids hold slashes). The genai SDK
 * (3.x) calls v1 by default, Gemini CLI v1beta; Amp calls Vertex's shape,
 * `v1beta1/publishers/google/models/{model}:{method}`.
 */
export const GEMINI_ACTION_ROUTES = [
  'v1beta/models/*',
  'v1/models/*',
  'api/provider/google/v1beta/models/*',
  'api/provider/google/v1/models/*',
  'api/provider/google/v1beta1/publishers/google/models/*',
];

/** Gemini's model list. */
export const GEMINI_LIST_ROUTES = ['v1beta/models', 'api/provider/google/v1beta/models', 'api/provider/google/v1/models'];

/**
 * Amp's own calls, passed through to ampcode.com when `amp:` is configured: its API (all of
 * /api/* but /api/provider/) and its management API (/v0/management/*), as the original byokey had.
 */
export const AMP_PASSTHROUGH_ROUTES = ['api', 'api/*', 'v0/management', 'v0/management/*'];

/** Route patterns (as Fastify names them) of every POST that is a model call and so metered. */
export const METERED_ROUTE_PATTERNS: readonly string[] = [
  ...OPENAI_PREFIXES.flatMap((prefix) => [`/${prefix}/chat/completions`, `/${prefix}/responses`]),
  ...ANTHROPIC_PREFIXES.map((prefix) => `/${prefix}/messages`),
  '/v1/embeddings',
  ...GEMINI_ACTION_ROUTES.map((route) => `/${route}`),
];

/** Gemini's countTokens shares the action routes with generation but costs no generation. */
export function isGeminiCount(url: string): boolean {
  return /:countTokens(?:\?|$)/.test(url);
}
