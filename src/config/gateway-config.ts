// The validated configuration the gateway runs on: providers.yaml with defaults applied and
// environment references resolved. Built once per load (config.loader.ts) and never mutated.
import type { ProviderInstanceConfigDto } from './config.schema';
import type { Locator } from './validate-section';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8018;
/**
 * LLM prompts carry base64 images and long histories, so Fastify's 1 MiB is far too small; 32 MiB
 * is what Anthropic's Messages API itself accepts and holds a few 20 MB images as base64. Larger
 * bodies would only be refused upstream after the gateway had buffered and forwarded them.
 */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
/** How long open streams may run on after SIGTERM before they are cut. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/**
 * Silence after which an SSE comment is sent, so load balancers with idle timeouts (often 60 s)
 * do not cut a stream while the model thinks.
 */
export const DEFAULT_SSE_KEEPALIVE_MS = 15_000;
/** Upstream wait (time to headers, and silence between stream chunks) when an instance sets none. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 600_000;

/** Amp's own API (`amp.upstream_url` when the `amp:` section sets none). */
export const DEFAULT_AMP_UPSTREAM_URL = 'https://ampcode.com';

/** How long /readyz says "draining" after SIGTERM before new connections are refused. */
export const DEFAULT_DRAIN_GRACE_MS = 0;

export interface ServerSettings {
  host: string;
  port: number;
  bodyLimit: number;
  /** How long after SIGTERM streams in flight may run on (`drain_ms`, once `shutdown_timeout_ms`). */
  shutdownTimeoutMs: number;
  /** After SIGTERM, how long new requests are still served while /readyz says "draining". */
  drainGraceMs: number;
  sseKeepaliveMs: number;
}

/** Where the Amp CLI's own API calls are passed through to, and with which key. */
export interface AmpSettings {
  upstreamUrl: string;
  /** Sent upstream in place of the client's credentials; none: the client's Amp key passes. */
  upstreamKey?: string;
}

/** Where accounts, keys, usage and runtime provider changes are kept. */
export type StoreSettings =
  | { kind: 'sqlite' }
  | {
      kind: 'postgres';
      url: string;
      /** The schema byokey's tables live in. */
      schema: string;
    };

export const DEFAULT_POSTGRES_SCHEMA = 'byokey';
export const DEFAULT_REDIS_KEY_PREFIX = 'byokey:';

/** `redis:` — the state several instances share (cooldowns, limits, leases, change notices). */
export interface RedisSettings {
  url: string;
  keyPrefix: string;
  /** While Redis is down: limits let requests through (`open`) or refuse limited keys (`closed`). */
  limitsOnOutage: 'open' | 'closed';
}

/** One entry under `providers:`. */
export interface ProviderInstanceConfig {
  /** The instance name: the key in the file, used in `instance/model` and as `owned_by`. */
  name: string;
  /** The plugin id (`type:`, defaulting to the instance name). */
  type: string;
  enabled: boolean;
  /** The entry's keys as validated against the common schema. */
  settings: ProviderInstanceConfigDto;
  /** The entry after `${VAR}` substitution, so a plugin can validate keys of its own. */
  raw: Record<string, unknown>;
  /**
   * Upstream API keys added over the admin API (never in the file), tried after the file's own.
   * Laid on by the registry from the provider-overrides store.
   */
  runtimeKeys?: readonly RuntimeKeyConfig[];
  /**
   * Not in the file: added by the registry because the provider has a logged-in account and the
   * file has no instance of its plugin (registry/implicit-instances.ts).
   */
  implicit?: boolean;
}

/** An upstream API key added at runtime; its credential id is `runtime:<label>`. */
export interface RuntimeKeyConfig {
  label: string;
  key: string;
  baseUrl?: string;
}

export type Strategy = 'round-robin' | 'fill-first' | 'least-busy';

/** A payload rule's match and effect: `params` maps dot paths to values (set) or lists paths (filter). */
export interface PayloadRule<P> {
  models: string[];
  params: P;
}

/** `routing:` with defaults applied. */
export interface RoutingSettings {
  strategy: Strategy;
  cooldownMs: number;
  maxAttempts: number;
  deadlineMs: number;
  /** Public name → models tried in order. */
  aliases: Record<string, string[]>;
  /** Model → models tried when it cannot answer. */
  fallbacks: Record<string, string[]>;
  payload: {
    default: PayloadRule<Record<string, unknown>>[];
    override: PayloadRule<Record<string, unknown>>[];
    filter: PayloadRule<string[]>[];
  };
}

export const DEFAULT_COOLDOWN_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_RETRY_DEADLINE_MS = 120_000;

/**
 * `auth:` — who may call the public routes. `mode` is what the file says, undefined when it says
 * nothing: then it is `keys` as soon as any client key exists (here or in the store), else `open`.
 */
export interface AccessSettings {
  mode?: 'keys' | 'open';
  /** Static client keys from the file (`auth.keys`), for small setups without `byokey keys`. */
  keys: string[];
}

/** `admin:` — the admin REST API under /admin/v1; no key (here or BYOKEY_ADMIN_KEY): no admin routes. */
export interface AdminSettings {
  key?: string;
}

/**
 * `metrics:` — GET /metrics (Prometheus). Open when no admin key is set; with one, it needs the
 * admin key unless `public` is true.
 */
export interface MetricsSettings {
  public: boolean;
}

export const DEFAULT_USAGE_RETENTION_DAYS = 30;

/** `usage:` — the per-request usage records. */
export interface UsageSettings {
  retentionDays: number;
}

export interface GatewayConfig {
  /** The file this came from, or `built-in defaults`. */
  source: string;
  server: ServerSettings;
  access: AccessSettings;
  admin: AdminSettings;
  usage: UsageSettings;
  metrics: MetricsSettings;
  /** `store:`, else BYOKEY_DATABASE_URL, else the embedded SQLite database. */
  store: StoreSettings;
  /** `redis:`, else BYOKEY_REDIS_URL; none: every piece of shared state stays in this process. */
  redis?: RedisSettings;
  /** In file order: the order decides which instance serves a model listed twice. */
  providers: ProviderInstanceConfig[];
  /**
   * The top-level `proxy_url` (a URL, or `none`), already laid into every instance's settings
   * that set none; kept here for what has no instance (a login to a provider not in the file).
   */
  proxy?: string;
  routing: RoutingSettings;
  /** `amp:`; none: the Amp CLI's own API calls (`/api/*` outside `/api/provider/`) are unknown routes. */
  amp?: AmpSettings;
  /** Finds a field's line in the file, for problems found after loading (e.g. an unknown plugin). */
  locate: Locator;
}
