// providers.yaml, schema v1, as class-validator classes. Field names are the file's own
// (snake_case) so error paths match what the user wrote. Every field is optional here;
// defaults are applied when the validated file becomes a GatewayConfig (config.loader.ts).
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
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { parseByteSize } from './byte-size';

/** Numbers written as `${PORT}` arrive as strings; accept them where a number is expected. */
function toNumber({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

function toBoolean({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** An absolute URL with one of the given schemes (`['http:', 'https:']`). */
export function IsUrlWithScheme(schemes: readonly string[], options?: ValidationOptions) {
  const names = schemes.map((scheme) => `${scheme}//`).join(' or ');
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isUrlWithScheme',
      target: target.constructor,
      propertyName,
      options: { message: `must be an absolute ${names} URL`, ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          try {
            return schemes.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
      },
    });
}

/** An absolute http(s) URL. */
export function IsHttpUrl(options?: ValidationOptions) {
  return IsUrlWithScheme(['http:', 'https:'], options);
}

/** A map of header names to string values. */
export function IsHeaderMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isHeaderMap',
      target: target.constructor,
      propertyName,
      options: { message: 'must map header names to string values, e.g. {X-Team: research}', ...options },
      validator: {
        validate(value: unknown) {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          return Object.entries(value).every(
            ([name, v]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && typeof v === 'string',
          );
        },
      },
    });
}

export class ServerConfigDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  host?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a port number from 0 to 65535' })
  @Min(0, { message: 'must be a port number from 0 to 65535' })
  @Max(65535, { message: 'must be a port number from 0 to 65535' })
  port?: number;

  @IsOptional()
  @Transform(({ value }) => parseByteSize(value) ?? value)
  @IsInt({ message: 'must be a size: a number of bytes, or a string such as "50mb"' })
  @Min(1, { message: 'must be a size: a number of bytes, or a string such as "50mb"' })
  body_limit?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  shutdown_timeout_ms?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100, { message: 'must be at least 100 milliseconds' })
  sse_keepalive_ms?: number;
}

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

/**
 * The keys every provider instance understands. A plugin whose instances take more (Codex's
 * `transport`, say) names a subclass in its @ProviderPlugin decorator, and the registry
 * validates that instance against it.
 */
export class ProviderInstanceConfigDto {
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be a plugin id such as "openai-compatible"' })
  type?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  enabled?: boolean;

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

  @IsOptional()
  @IsObject({ message: 'must be a mapping (authorize_url, token_url, device_code_url, client_id, scopes, callback_port)' })
  @Transform(({ value }) => (isMapping(value) ? plainToInstance(OAuthOverridesDto, value) : value))
  @ValidateNested()
  oauth?: OAuthOverridesDto;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

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
}
