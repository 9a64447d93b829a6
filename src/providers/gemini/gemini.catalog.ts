// Gemini models served by a Generative Language API key, for an instance whose upstream list
// cannot be had: the live list (GET /v1beta/models) replaces it once fetched, and the plugin's
// `gemini-*` pattern routes any other id to Google, whose own answer then decides. An
// instance's `models` list replaces this one.
export const GEMINI_MODELS: readonly string[] = ['gemini-3-pro-preview', 'gemini-3-flash-preview', 'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'];

/** Every Gemini model id starts so (`gemini-2.5-pro`, `gemini-flash-latest`). */
export const GEMINI_MODEL_PATTERN = /^gemini-/;
