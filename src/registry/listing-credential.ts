// The credential an instance's model list is fetched with: its first API key (with that key's
// own base_url; a key added at runtime when the file has none), else its provider's account — the first one `accounts:` names, or the default
// account. Any credential that serves requests sees the same models, so one is enough.
import type { ProviderInstanceConfigDto } from '../config/config.schema';
import type { RuntimeKeyConfig } from '../config/gateway-config';
import type { Credential } from '../contract/provider-executor';

export function listingCredential(
  settings: ProviderInstanceConfigDto,
  accountsProvider?: string,
  runtimeKeys: readonly RuntimeKeyConfig[] = [],
): Credential {
  if (settings.api_key) return { kind: 'api-key', id: 'api_key', key: settings.api_key };
  const first = settings.api_keys?.[0];
  if (first) return { kind: 'api-key', id: 'api_keys[0]', key: first.key, baseUrl: first.base_url };
  const added = runtimeKeys[0];
  if (added) return { kind: 'api-key', id: `runtime:${added.label}`, key: added.key, baseUrl: added.baseUrl };
  const named = Array.isArray(settings.accounts) ? settings.accounts[0] : undefined;
  if (accountsProvider && named !== undefined) return { kind: 'account', provider: accountsProvider, accountId: named };
  // Executors take `none` as "the provider's default account", or no credential at all.
  return { kind: 'none' };
}
