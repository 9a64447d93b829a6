// The models a Google Antigravity login serves through Code Assist: Gemini and Claude, under
// the names Antigravity's own model list gives them (CPA's antigravity executor), plus Gemini 3's
// public preview names, which Antigravity knows by others. Every one of them answers in Gemini's
// protocol, so any client route reaches them through the protocol table.

/** Public name → Antigravity's name, where they differ. */
export const ANTIGRAVITY_MODEL_NAMES: Readonly<Record<string, string>> = {
  'gemini-3-pro-preview': 'gemini-3-pro-high',
  'gemini-3-flash-preview': 'gemini-3-flash',
};

export const ANTIGRAVITY_MODELS: readonly string[] = [
  'gemini-3-pro-high',
  'gemini-3-pro-low',
  'gemini-3-pro-preview',
  'gemini-3-flash',
  'gemini-3-flash-preview',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-thinking',
  'claude-opus-4-5-thinking',
];

/** The model id as Antigravity knows it. */
export function antigravityModel(model: string): string {
  return ANTIGRAVITY_MODEL_NAMES[model] ?? model;
}
