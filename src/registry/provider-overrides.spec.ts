// Runtime overrides laid over providers.yaml: only the named instances change, only in the
// fields overridden, and the file's config object is left as it was.
import type { GatewayConfig, ProviderInstanceConfig } from '../config/gateway-config';
import { applyProviderOverrides } from './provider-overrides';

function instance(name: string, enabled = true): ProviderInstanceConfig {
  return { name, type: 'openai-compatible', enabled, settings: {}, raw: {} };
}

const config = { source: 'providers.yaml', providers: [instance('a'), instance('b', false), instance('c')] } as unknown as GatewayConfig;

describe('applyProviderOverrides', () => {
  it('changes enabled and adds runtime keys on the named instances only', () => {
    const applied = applyProviderOverrides(config, [
      { instance: 'a', enabled: false, keys: [] },
      { instance: 'b', enabled: true, keys: [{ label: 'k', key: 'sk-k', baseUrl: 'http://x/v1', createdAt: 1 }] },
      { instance: 'gone', enabled: false, keys: [] },
    ]);
    expect(applied.providers.map((p) => [p.name, p.enabled, p.runtimeKeys])).toEqual([
      ['a', false, []],
      ['b', true, [{ label: 'k', key: 'sk-k', baseUrl: 'http://x/v1' }]],
      ['c', true, undefined],
    ]);
    expect(config.providers.map((p) => p.enabled)).toEqual([true, false, true]);
  });

  it('leaves the file\'s enabled when the override has none', () => {
    const applied = applyProviderOverrides(config, [{ instance: 'b', keys: [{ label: 'k', key: 'sk-k', createdAt: 1 }] }]);
    expect(applied.providers[1].enabled).toBe(false);
    expect(applied.providers[1].runtimeKeys).toEqual([{ label: 'k', key: 'sk-k', baseUrl: undefined }]);
  });
});
