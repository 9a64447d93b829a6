// The OAuth definition to use for a provider: the built-in one with the `oauth:` overrides of the
// first providers.yaml instance of that provider (type, or instance name) that has any.
import type { GatewayConfig, ProviderInstanceConfig } from '../config/gateway-config';
import { applyOAuthOverrides, type OAuthDefinition } from './oauth-definition';
import type { OAuthDefinitions } from './oauth-definitions.token';

export function resolveOAuthDefinition(
  provider: string,
  definitions: OAuthDefinitions,
  config: Pick<GatewayConfig, 'providers'> | undefined,
): OAuthDefinition | undefined {
  const definition = definitions[provider];
  if (!definition) return undefined;
  return applyOAuthOverrides(definition, oauthSettingsInstance(provider, config)?.settings.oauth);
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
