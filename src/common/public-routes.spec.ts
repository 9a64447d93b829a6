import { METERED_ROUTE_PATTERNS, isGeminiCount } from './public-routes';

describe('public routes', () => {
  it('meters every model route at its usual path and under its Amp prefix', () => {
    expect([...METERED_ROUTE_PATTERNS].sort()).toEqual(
      [
        '/v1/chat/completions',
        '/v1/responses',
        '/v1/messages',
        '/v1/embeddings',
        '/v1beta/models/*',
        '/v1/models/*',
        '/api/provider/openai/v1/chat/completions',
        '/api/provider/openai/v1/responses',
        '/api/provider/anthropic/v1/messages',
        '/api/provider/google/v1beta/models/*',
        '/api/provider/google/v1/models/*',
        '/api/provider/google/v1beta1/publishers/google/models/*',
      ].sort(),
    );
  });

  it('tells Gemini\'s countTokens (not metered) from its generation methods', () => {
    expect(isGeminiCount('/v1beta/models/gemini-2.5-pro:countTokens')).toBe(true);
    expect(isGeminiCount('/api/provider/google/v1beta/models/m:countTokens?key=k')).toBe(true);
    expect(isGeminiCount('/v1beta/models/m:streamGenerateContent?alt=sse')).toBe(false);
    expect(isGeminiCount('/v1beta/models/m:generateContent')).toBe(false);
  });
});
