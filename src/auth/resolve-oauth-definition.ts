// The OAuth definition to use for a provider: the built-in one with the `oauth:` overrides of the
// first providers.yaml instance of that provider (type, or instance name) that has any.
import type { GatewayConfig } from '../config/gateway-config';
import { applyOAuthOverrides, type OAuthDefinition } from './oauth-definition';
import type { OAuthDefinitions } from './oauth-definitions.token';

export function resolveOAuthDefinition(
  provider: string,
  definitions: OAuthDefinitions,
  config: Pick<GatewayConfig, 'providers'> | undefined,
): OAuthDefinition | undefined {
  const definition = definitions[provider];
  if (!definition) return undefined;
  const instance = config?.providers.find(
    (i) => (i.type === provider || i.name === provider) && i.settings.oauth !== undefined,
  );
  return applyOAuthOverrides(definition, instance?.settings.oauth);
}
