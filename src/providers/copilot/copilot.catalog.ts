// Models a Copilot seat serves out of the box (the original byokey's registry, seed-spec §2.3:
// the ids only Copilot serves, with Copilot's dotted Claude names). The account's own
// `GET {api}/models` adds the rest, and says which protocol each is served over.
export const COPILOT_MODELS: readonly string[] = [
  'gpt-4.1',
  'gpt-4o',
  'gpt-5-mini',
  'grok-code-fast-1',
  'claude-sonnet-4',
  'claude-sonnet-4.5',
  'claude-haiku-4.5',
  'claude-opus-4.5',
  'gemini-2.5-pro',
];
