// One entry of `providers:` in providers.yaml: the keys every instance takes (login-only ones
// too), and those of an instance that serves requests — keys, models, headers, timeouts, accounts.
import { Transform, plainToInstance } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { STRATEGIES, type Strategy } from './routing.schema';
import { IsHeaderMap, IsHttpUrl, IsProxyUrl, customRule, emptyToUndefined, toBoolean, toDto, toNumber } from './schema-helpers';

/** One entry of `api_keys`: a key with its own upstream root (e.g. a second region). */
export class ApiKeyEntryDto {
  @IsString()
  @IsNotEmpty({ message: 'must be a non-empty string' })
  key!: string;

  @IsOptional()
  @IsHttpUrl()
  base_url?: string;
}

/** `oauth:` — where a subscription provider's login lives, for proxies and tests (issue #3). */
export class OAuthOverridesDto {
  @IsOptional()
  @IsHttpUrl()
  authorize_url?: string;

  @IsOptional()
  @IsHttpUrl()
  token_url?: string;

  @IsOptional()
  @IsHttpUrl()
  device_code_url?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  client_id?: string;

  @IsOptional()
  @IsArray({ message: 'must be a list of scopes' })
  @IsString({ each: true, message: 'must list scopes as strings' })
  scopes?: string[];

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a port number from 0 to 65535' })
  @Min(0, { message: 'must be a port number from 0 to 65535' })
  @Max(65535, { message: 'must be a port number from 0 to 65535' })
  callback_port?: number;
}

/** `timeouts:` of an instance (issue #6); each bounds one phase of an upstream call. */
export class TimeoutsDto {
  /** Opening the TCP/TLS connection (over WebSocket: the whole handshake). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1 millisecond' })
  connect_ms?: number;

  /** From sending the request to the response headers (over WebSocket: its first frame). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1 millisecond' })
  first_byte_ms?: number;

  /** Silence between two chunks (WebSocket frames) of a response. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1 millisecond' })
  idle_ms?: number;

  /** The whole call, stream included. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1 millisecond' })
  total_ms?: number;
}

/**
 * The keys of a login-only instance: one whose provider byokey can log in to but has no request
 * plugin for (gemini, kimi, …), kept in providers.yaml for its `oauth:` settings. Every
 * instance takes these; ProviderInstanceConfigDto adds the keys that serve requests.
 */
export class LoginOnlyInstanceConfigDto {
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be a plugin id such as "openai-compatible"' })
  type?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  enabled?: boolean;

  @IsOptional()
  @IsObject({ message: 'must be a mapping (authorize_url, token_url, device_code_url, client_id, scopes, callback_port)' })
  @Transform(toDto(OAuthOverridesDto))
  @ValidateNested()
  oauth?: OAuthOverridesDto;

  /**
   * The proxy this instance's requests, WebSockets and logins go through: a URL, or `none` for
   * a direct connection. Unset: the top-level `proxy_url`, else HTTPS_PROXY / HTTP_PROXY.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsProxyUrl()
  proxy_url?: string;
}

/**
 * The keys every provider instance with a request plugin understands. A plugin whose instances
 * take more (Codex's `transport`, say) names a subclass in its @ProviderPlugin decorator, and the
 * registry validates that instance against it.
 */
export class ProviderInstanceConfigDto extends LoginOnlyInstanceConfigDto {
  @IsOptional()
  @IsHttpUrl()
  base_url?: string;

  @IsOptional()
  @IsString({ message: 'must be a string (write ${NAME} to read it from the environment)' })
  api_key?: string;

  @IsOptional()
  @IsArray({ message: 'must be a list of keys, each a string or {key, base_url}' })
  @Transform(({ value }) =>
    Array.isArray(value)
      ? value.map((entry: unknown) =>
          plainToInstance(ApiKeyEntryDto, typeof entry === 'string' ? { key: entry } : entry),
        )
      : value,
  )
  @ValidateNested({ each: true })
  api_keys?: ApiKeyEntryDto[];

  @IsOptional()
  @IsArray({ message: 'must be a list of model ids' })
  @IsString({ each: true, message: 'must list model ids as strings' })
  @IsNotEmpty({ each: true, message: 'must not list an empty model id' })
  @ArrayUnique({ message: 'lists a model id twice' })
  models?: string[];

  @IsOptional()
  @IsObject()
  @IsHeaderMap()
  headers?: Record<string, string>;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1 millisecond' })
  timeout_ms?: number;

  /** How the instance picks among its keys and accounts (default: routing.strategy). */
  @IsOptional()
  @IsIn(STRATEGIES, { message: `must be one of ${STRATEGIES.join(', ')}` })
  strategy?: Strategy;

  /** Models this instance must not serve (globs such as "*-mini"): hidden and refused. */
  @IsOptional()
  @IsArray({ message: 'must be a list of model globs' })
  @IsString({ each: true, message: 'must list model globs as strings' })
  excluded_models?: string[];

  @IsOptional()
  @IsObject({ message: 'must be a mapping (connect_ms, first_byte_ms, idle_ms, total_ms)' })
  @Transform(toDto(TimeoutsDto))
  @ValidateNested()
  timeouts?: TimeoutsDto;

  /**
   * Which logged-in accounts of its provider the instance may use besides its API keys: `all`,
   * `none`, or a list of account names. Default: all when it has no API key, none when it has.
   */
  @IsOptional()
  @IsAccountSelection()
  accounts?: 'all' | 'none' | string[];

  /** How long a credential rests after a 429 that names no reset time (default: routing.cooldown_ms). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  cooldown_ms?: number;
}

/** `accounts:` — `all`, `none`, or a list of account names. */
function IsAccountSelection(options?: ValidationOptions) {
  return customRule(
    'isAccountSelection',
    'must be "all", "none", or a list of account names',
    (value) => value === 'all' || value === 'none' || (Array.isArray(value) && value.every((name) => typeof name === 'string' && name !== '')),
    options,
  );
}
