// providers.yaml, schema v1, as class-validator classes. Field names are the file's own
// (snake_case) so error paths match what the user wrote. Every field is optional here;
// defaults are applied when the validated file becomes a GatewayConfig (config.loader.ts).
// Each section's classes live in schema/, named for it; this file holds the top level and
// re-exports them, so the rest of the gateway imports the schema from one place.
import { Transform } from 'class-transformer';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { IsProxyUrl, emptyToUndefined, toNumber } from './schema/schema-helpers';

export { AdminConfigDto, AuthConfigDto, MetricsConfigDto } from './schema/access.schema';
export { AmpConfigDto } from './schema/amp.schema';
export { ApiKeyEntryDto, LoginOnlyInstanceConfigDto, OAuthOverridesDto, ProviderInstanceConfigDto, TimeoutsDto } from './schema/provider-instance.schema';
export { PayloadFilterRuleDto, PayloadRulesDto, PayloadSetRuleDto, RoutingConfigDto, STRATEGIES, type Strategy } from './schema/routing.schema';
export { IsHeaderMap, IsHttpUrl, IsProxyUrl, IsUrlWithScheme } from './schema/schema-helpers';
export { ServerConfigDto } from './schema/server.schema';
export { RedisConfigDto, StoreConfigDto, UsageConfigDto } from './schema/state.schema';

/** The file's top level. `providers` entries are validated one by one (see the loader). */
export class GatewayConfigFileDto {
  @IsOptional()
  @Transform(toNumber)
  @IsIn([1], { message: 'must be 1 (the only schema version so far)' })
  version?: number;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (host, port, body_limit)' })
  server?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping of instance names to provider settings' })
  providers?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (strategy, cooldown_ms, max_attempts, deadline_ms, aliases, fallbacks, payload)' })
  routing?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (mode, keys)' })
  auth?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (key)' })
  admin?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (retention_days)' })
  usage?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (public)' })
  metrics?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (upstream_url, upstream_key)' })
  amp?: Record<string, unknown>;

  /** `sqlite` (the default), a postgres:// URL, or a mapping (url, schema). */
  @IsOptional()
  store?: unknown;

  /** A redis:// URL, or a mapping (url, key_prefix, limits_on_outage). */
  @IsOptional()
  redis?: unknown;

  /** Every instance's proxy unless it sets its own: a URL, or `none` (ignore HTTPS_PROXY & co). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsProxyUrl()
  proxy_url?: string;
}
