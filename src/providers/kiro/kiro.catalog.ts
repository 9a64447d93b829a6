// The Claude models a Kiro subscription serves, under byokey's names (`kiro-` first, so they
// never shadow the Claude or Copilot plugins' ids), and the modelId Kiro's API takes for each
// (reference/wire-protocols.md §7 "Kiro"; the ids CLIProxyAPI maps to): dotted versions, no date.
export const KIRO_MODEL_IDS: Readonly<Record<string, string>> = {
  'kiro-claude-opus-4-6': 'claude-opus-4.6',
  'kiro-claude-sonnet-4-6': 'claude-sonnet-4.6',
  'kiro-claude-opus-4-5': 'claude-opus-4.5',
  'kiro-claude-sonnet-4-5': 'claude-sonnet-4.5',
  'kiro-claude-sonnet-4': 'claude-sonnet-4',
  'kiro-claude-haiku-4-5': 'claude-haiku-4.5',
  // The original byokey's name for "whatever Kiro serves by default".
  'kiro-default': 'claude-sonnet-4.5',
};

export const KIRO_MODELS: readonly string[] = Object.keys(KIRO_MODEL_IDS);

/**
 * The modelId Kiro takes for a model name: the catalog's, else the name itself with a `kiro-`
 * prefix and a date suffix dropped and its version dotted (`kiro-claude-sonnet-4-5-20250929` →
 * `claude-sonnet-4.5`), so a model Kiro adds works under an instance's `models:` before the catalog knows it.
 */
export function kiroModelId(model: string): string {
  const known = KIRO_MODEL_IDS[model];
  if (known) return known;
  return model
    .replace(/^kiro-/, '')
    .replace(/-\d{8}$/, '')
    .replace(/-(\d+)-(\d+)$/, '-$1.$2');
}
