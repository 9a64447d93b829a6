// Lays the runtime changes made over the admin API (store/provider-overrides-store.ts) over the
// configuration loaded from providers.yaml: an instance's `enabled` replaced, upstream keys added
// after the file's own. Pure: the registry calls it at start, at every reload, and after every
// admin change. Overrides naming an instance the file no longer has are kept in the store and
// simply match nothing until the instance comes back.
import type { GatewayConfig } from '../config/gateway-config';
import type { InstanceOverrides } from '../store/provider-overrides-store';

export function applyProviderOverrides(config: GatewayConfig, overrides: readonly InstanceOverrides[]): GatewayConfig {
  if (overrides.length === 0) return config;
  const byInstance = new Map(overrides.map((o) => [o.instance, o]));
  return {
    ...config,
    providers: config.providers.map((instance) => {
      const override = byInstance.get(instance.name);
      if (!override) return instance;
      return {
        ...instance,
        enabled: override.enabled ?? instance.enabled,
        runtimeKeys: override.keys.map((k) => ({ label: k.label, key: k.key, baseUrl: k.baseUrl })),
      };
    }),
  };
}
