// The CLI reads the plugins from their modules, without Nest: it must find what discovery finds.
import { PROVIDER_PLUGIN_MODULES } from '../providers';
import { pluginOptionsOf } from './plugin-options';

describe('pluginOptionsOf', () => {
  it('finds every plugin of the build with its accounts provider and settings schema', () => {
    const plugins = pluginOptionsOf(PROVIDER_PLUGIN_MODULES);
    expect([...plugins.keys()].sort()).toEqual(['claude', 'codex', 'openai-compatible', 'qwen']);
    expect([...plugins.values()].filter((p) => p.accounts).map((p) => `${p.type}:${p.accounts}`).sort()).toEqual(['claude:claude', 'codex:codex', 'qwen:qwen']);
    expect(plugins.get('codex')?.settings?.name).toBe('CodexSettingsDto');
  });
});
