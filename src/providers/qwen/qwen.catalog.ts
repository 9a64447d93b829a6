// Models a Qwen Code login serves (the original byokey's list, seed-spec §2.3).
export const QWEN_MODELS: readonly string[] = [
  'qwen3-coder-plus',
  'qwen3-235b-a22b',
  'qwen3-32b',
  'qwen3-14b',
  'qwen3-8b',
  'qwen3-max',
  'qwen-plus',
  'qwen-turbo',
];
