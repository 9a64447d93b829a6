// The implicit-instance rule: a provider with an account and no instance of its plugin in
// providers.yaml is served by one named after the plugin; any explicit entry of that type rules.
import { parseGatewayConfig } from '../config/config.loader';
import type { ProviderPluginOptions } from '../contract/provider-plugin.decorator';
import { withImplicitInstances } from './implicit-instances';

const PLUGINS: ProviderPluginOptions[] = [
  { type: 'openai-compatible' },
  { type: 'codex', accounts: 'codex' },
  { type: 'claude', accounts: 'claude' },
];

const config = (yaml: string) => parseGatewayConfig(yaml, 'providers.yaml', {});
const names = (yaml: string, accounts: string[]) =>
  withImplicitInstances(config(yaml), PLUGINS, new Set(accounts)).providers.map((p) => `${p.name}:${p.type}${p.implicit ? ' (implicit)' : ''}`);

const DEFAULT_FILE = 'providers:\n  openai:\n    type: openai-compatible\n    base_url: https://api.openai.com/v1\n';

describe('withImplicitInstances', () => {
  it('adds an instance named after the plugin, with default settings, for a provider that has an account', () => {
    const result = withImplicitInstances(config(DEFAULT_FILE), PLUGINS, new Set(['codex']));
    expect(result.providers.map((p) => p.name)).toEqual(['openai', 'codex']);
    const codex = result.providers[1];
    expect(codex).toMatchObject({ name: 'codex', type: 'codex', enabled: true, implicit: true, raw: {} });
    expect(codex.settings.api_key).toBeUndefined();
  });

  it('adds nothing without an account, and returns the same configuration', () => {
    const file = config(DEFAULT_FILE);
    expect(withImplicitInstances(file, PLUGINS, new Set())).toBe(file);
  });

  it('lets an explicit instance of the plugin rule, whatever its name, enabled or not', () => {
    expect(names('providers:\n  work:\n    type: codex\n', ['codex'])).toEqual(['work:codex']);
    expect(names('providers:\n  codex:\n    enabled: false\n', ['codex'])).toEqual(['codex:codex']);
  });

  it('adds none when the name is taken by an instance of another plugin', () => {
    expect(names('providers:\n  codex:\n    type: openai-compatible\n    base_url: http://x\n', ['codex'])).toEqual(['codex:openai-compatible']);
  });

  it('adds one per provider with accounts, and none for providers without a plugin or plugins without accounts', () => {
    expect(names('', ['claude', 'codex', 'copilot'])).toEqual(['codex:codex (implicit)', 'claude:claude (implicit)']);
  });
});
