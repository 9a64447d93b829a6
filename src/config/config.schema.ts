// providers.yaml, schema v1, as class-validator classes. Field names are the file's own
// (snake_case) so error paths match what the user wrote. Every field is optional here;
// defaults are applied when the validated file becomes a GatewayConfig (config.loader.ts).
import { Transform, plainToInstance } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  MinLength,
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
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { parseByteSize } from './byte-size';
import { listenHostProblem } from './listen-host';

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

/** An address to listen on (listen-host.ts); the message says what is wrong with it. */
function IsListenHost(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isListenHost',
      target: target.constructor,
      propertyName,
      options: { message: (args: ValidationArguments) => listenHostProblem(String(args.value)) ?? '', ...options },
      validator: {
        validate(value: unknown) {
          // Not a string, or empty: IsString and IsNotEmpty say so.
          return typeof value !== 'string' || value === '' || listenHostProblem(value) === undefined;
        },
      },
    });
}

export class ServerConfigDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @IsListenHost()
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

  /** After SIGTERM: how long /readyz says "draining" while new requests are still served. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  drain_grace_ms?: number;

  /** How long after SIGTERM streams in flight may run on before they end with an error event. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  drain_ms?: number;
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

export const STRATEGIES = ['round-robin', 'fill-first', 'least-busy'] as const;
export type Strategy = (typeof STRATEGIES)[number];

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
 * plugin for (copilot, gemini, …), kept in providers.yaml for its `oauth:` settings. Every
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
  @Transform(({ value }) => (isMapping(value) ? plainToInstance(OAuthOverridesDto, value) : value))
  @ValidateNested()
  oauth?: OAuthOverridesDto;
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
  @Transform(({ value }) => (isMapping(value) ? plainToInstance(TimeoutsDto, value) : value))
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
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAccountSelection',
      target: target.constructor,
      propertyName,
      options: { message: 'must be "all", "none", or a list of account names', ...options },
      validator: {
        validate(value: unknown) {
          return value === 'all' || value === 'none' || (Array.isArray(value) && value.every((name) => typeof name === 'string' && name !== ''));
        },
      },
    });
}

/** A model name clients may use (`aliases:` value): one model, or several tried in order. */
function IsModelOrModels(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isModelOrModels',
      target: target.constructor,
      propertyName,
      options: { message: 'must map names to a model id or a list of model ids', ...options },
      validator: {
        validate(value: unknown) {
          if (!isMapping(value)) return false;
          return Object.values(value).every(
            (v) => (typeof v === 'string' && v !== '') || (Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'string' && m !== '')),
          );
        },
      },
    });
}

/** A path such as `reasoning.effort`: dot-separated object keys, none empty. */
const DOT_PATH = /^[^.]+(\.[^.]+)*$/;

/** `payload.default[]` / `payload.override[]`: set these fields for these models. */
export class PayloadSetRuleDto {
  @IsArray({ message: 'must be a list of model globs' })
  @IsString({ each: true, message: 'must list model globs as strings' })
  models!: string[];

  @IsObject({ message: 'must map field paths (e.g. reasoning.effort) to values' })
  params!: Record<string, unknown>;
}

/** `payload.filter[]`: remove these fields for these models. */
export class PayloadFilterRuleDto {
  @IsArray({ message: 'must be a list of model globs' })
  @IsString({ each: true, message: 'must list model globs as strings' })
  models!: string[];

  @IsArray({ message: 'must be a list of field paths' })
  @Matches(DOT_PATH, { each: true, message: 'must list field paths such as "reasoning.effort"' })
  params!: string[];
}

const toRules = <T extends object>(cls: new () => T) => ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((rule) => (isMapping(rule) ? plainToInstance(cls, rule) : rule)) : value;

/** `routing.payload`: rewrite the upstream request per model (seed-spec §5.4). */
export class PayloadRulesDto {
  @IsOptional()
  @IsArray({ message: 'must be a list of {models, params} rules' })
  @Transform(toRules(PayloadSetRuleDto))
  @ValidateNested({ each: true })
  default?: PayloadSetRuleDto[];

  @IsOptional()
  @IsArray({ message: 'must be a list of {models, params} rules' })
  @Transform(toRules(PayloadSetRuleDto))
  @ValidateNested({ each: true })
  override?: PayloadSetRuleDto[];

  @IsOptional()
  @IsArray({ message: 'must be a list of {models, params} rules' })
  @Transform(toRules(PayloadFilterRuleDto))
  @ValidateNested({ each: true })
  filter?: PayloadFilterRuleDto[];
}

/** `routing:` — how requests find a provider, and what happens when one fails (issue #6). */
export class RoutingConfigDto {
  @IsOptional()
  @IsIn(STRATEGIES, { message: `must be one of ${STRATEGIES.join(', ')}` })
  strategy?: Strategy;

  /** Rest for a credential after a 429 that names no reset time. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  cooldown_ms?: number;

  /** Upstream attempts per request, across credentials and fallbacks. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(20)
  max_attempts?: number;

  /** No new attempt starts after this long (the request's own calls run to their timeouts). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  deadline_ms?: number;

  /** Public names → a model, or a list tried in order. */
  @IsOptional()
  @IsModelOrModels()
  aliases?: Record<string, string | string[]>;

  /** Model → models (usually on other providers) tried when it cannot answer. */
  @IsOptional()
  @IsModelOrModels({ message: 'must map model ids to a model id or a list of model ids' })
  fallbacks?: Record<string, string | string[]>;

  /** Rules that rewrite the upstream request per model glob (default / override / filter). */
  @IsOptional()
  @IsObject({ message: 'must be a mapping with default, override and filter lists' })
  @Transform(({ value }) => (isMapping(value) ? plainToInstance(PayloadRulesDto, value) : value))
  @ValidateNested()
  payload?: PayloadRulesDto;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `auth:` — access to the public routes (client keys). */
export class AuthConfigDto {
  @IsOptional()
  @IsIn(['keys', 'open'], { message: 'must be keys (callers need a client key) or open (anyone who reaches the port)' })
  mode?: 'keys' | 'open';

  /** Static client keys, usually `${ENV}` references. */
  @IsOptional()
  @IsArray({ message: 'must be a list of keys' })
  @IsString({ each: true, message: 'each key must be a string' })
  @MinLength(16, { each: true, message: 'each key must be at least 16 characters (a guessable key protects nothing)' })
  keys?: string[];
}

/** `admin:` — the admin REST API. */
export class AdminConfigDto {
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters (a guessable admin key protects nothing)' })
  key?: string;
}

/** `metrics:` — GET /metrics. */
export class MetricsConfigDto {
  /** Serve /metrics without the admin key even when one is set (a scraper inside a private network). */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  public?: boolean;
}

/** `usage:` — usage records. */
export class UsageConfigDto {
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
  @Max(3650)
  retention_days?: number;
}

/** `store:` as a mapping — the shared database for several instances. */
export class StoreConfigDto {
  @IsString()
  @IsUrlWithScheme(['postgres:', 'postgresql:'])
  url!: string;

  /** The PostgreSQL schema byokey's tables live in (created if missing). */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL name (letters, digits, _)' })
  schema?: string;
}

/** `redis:` as a mapping — the state several instances share. */
export class RedisConfigDto {
  @IsString()
  @IsUrlWithScheme(['redis:', 'rediss:'])
  url!: string;

  /** Prefix of every key byokey writes, so several gateways (or tests) can share one Redis. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9:_.{}-]{1,64}$/, { message: 'must be 1 to 64 letters, digits or : _ . - { }' })
  key_prefix?: string;

  /** What per-key limits do while Redis cannot be reached: let requests through, or refuse them. */
  @IsOptional()
  @IsIn(['open', 'closed'], { message: 'must be open (requests go on unlimited) or closed (keyed requests with limits are refused)' })
  limits_on_outage?: 'open' | 'closed';
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

  /** `sqlite` (the default), a postgres:// URL, or a mapping (url, schema). */
  @IsOptional()
  store?: unknown;

  /** A redis:// URL, or a mapping (url, key_prefix, limits_on_outage). */
  @IsOptional()
  redis?: unknown;
}
