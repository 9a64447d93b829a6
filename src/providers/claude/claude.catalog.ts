// Claude models served by an Anthropic key or a Claude Pro/Max login (seed-spec §2.3, plus the
// dated ids clients commonly send). An instance's `models` list replaces it.
export const CLAUDE_MODELS: readonly string[] = [
  'claude-opus-4-6',
  'claude-opus-4-5',
  'claude-opus-4-1',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
  'claude-sonnet-4',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
];
