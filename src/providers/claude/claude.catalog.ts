// Claude models served by an Anthropic key or a Claude Pro/Max login: the current ones, as the
// Anthropic SDK lists them (December 2026), plus the dated ids clients commonly send. Models past
// their end of life are left out (claude-sonnet-4-5 retired on 2026-11-30); the plugin's
// `claude-*` pattern still routes any other id to the upstream, whose own answer then decides.
// An instance's `models` list replaces this one.
export const CLAUDE_MODELS: readonly string[] = [
  'claude-opus-5-5',
  'claude-sonnet-5-5',
  'claude-haiku-5-5',
  'claude-opus-5',
  'claude-sonnet-5',
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
];
