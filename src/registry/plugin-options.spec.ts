// The CLI reads the plugins from their modules, without Nest: it must find what discovery finds.
import { PROVIDER_PLUGIN_MODULES } from '../providers';
import { pluginOptionsOf } from './plugin-options';

describe('pluginOptionsOf', () => {
  it('finds every plugin of the build with its accounts provider and settings schema', () => {
    const plugins = pluginOptionsOf(PROVIDER_PLUGIN_MODULES);
    expect([...plugins.keys()].sort()).toEqual(['antigravity', 'claude', 'codex', 'copilot', 'gemini', 'iflow', 'kimi', 'kiro', 'openai-compatible', 'qwen']);
    expect([...plugins.values()].filter((p) => p.accounts).map((p) => `${p.type}:${p.accounts}`).sort()).toEqual(['antigravity:antigravity', 'claude:claude', 'codex:codex', 'copilot:copilot', 'gemini:gemini', 'iflow:iflow', 'kimi:kimi', 'kiro:kiro', 'qwen:qwen']);
    expect(plugins.get('codex')?.settings?.name).toBe('CodexSettingsDto');
  });
});
