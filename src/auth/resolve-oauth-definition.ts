// The OAuth definition to use for a provider: the built-in one with the `oauth:` overrides of the
// first providers.yaml instance of that provider (type, or instance name) that has any, and
// the proxy its logins and refreshes go through.
import type { GatewayConfig, ProviderInstanceConfig } from '../config/gateway-config';
import { applyOAuthOverrides, type OAuthDefinition } from './oauth-definition';
import type { OAuthDefinitions } from './oauth-definitions.token';

export function resolveOAuthDefinition(
  provider: string,
  definitions: OAuthDefinitions,
  config: (Pick<GatewayConfig, 'providers'> & Partial<Pick<GatewayConfig, 'proxy'>>) | undefined,
): OAuthDefinition | undefined {
  const definition = definitions[provider];
  if (!definition) return undefined;
  const resolved = applyOAuthOverrides(definition, oauthSettingsInstance(provider, config)?.settings.oauth);
  const proxyUrl = oauthProxy(provider, config);
  return proxyUrl === undefined ? resolved : { ...resolved, proxyUrl };
}

/**
 * The proxy logins and refreshes of a provider go through: that of the instance whose `oauth:`
 * settings login uses, else of the provider's first instance (each already carries the top-level
 * `proxy_url` unless it sets its own), else the top-level one.
 */
function oauthProxy(provider: string, config: (Pick<GatewayConfig, 'providers'> & Partial<Pick<GatewayConfig, 'proxy'>>) | undefined): string | undefined {
  const instance = oauthSettingsInstance(provider, config) ?? config?.providers.find((i) => i.type === provider || i.name === provider);
  return instance?.settings.proxy_url ?? config?.proxy;
}

/**
 * The instance whose `oauth:` settings `byokey login <provider>` uses, if any. Exported so the
 * registry can tell an instance whether login reads it, by the same rule.
 */
export function oauthSettingsInstance(
  provider: string,
  config: Pick<GatewayConfig, 'providers'> | undefined,
): ProviderInstanceConfig | undefined {
  return config?.providers.find((i) => (i.type === provider || i.name === provider) && i.settings.oauth !== undefined);
}
