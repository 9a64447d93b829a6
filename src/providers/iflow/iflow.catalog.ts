// Models an iFlow login serves: the ids iFlow's API answered to when its CLI service closed
// (2026-04-17). iFlow has no model-list endpoint the CLI used, so this list is fixed; an instance
// can name its own with `models:`.
export const IFLOW_MODELS: readonly string[] = [
  'qwen3-coder-plus',
  'qwen3-max',
  'qwen3-vl-plus',
  'qwen3-max-preview',
  'qwen3-32b',
  'qwen3-235b-a22b-thinking-2507',
  'qwen3-235b-a22b-instruct',
  'qwen3-235b',
  'kimi-k2',
  'kimi-k2-0905',
  'glm-4.6',
  'deepseek-v3.2',
  'deepseek-v3.1',
  'deepseek-v3',
  'deepseek-r1',
];
