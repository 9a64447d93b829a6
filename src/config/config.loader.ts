// Reads providers.yaml: parse (with positions), substitute ${VAR}, validate, apply defaults.
// Plain TypeScript with no Nest, so the CLI can load and report a bad file before booting
// anything, and tests can load strings.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { ConfigError, type ConfigIssue } from './config-error';
import {
  AdminConfigDto,
  AmpConfigDto,
  AuthConfigDto,
  GatewayConfigFileDto,
  ProviderInstanceConfigDto,
  RedisConfigDto,
  RoutingConfigDto,
  ServerConfigDto,
  StoreConfigDto,
  UsageConfigDto,
  MetricsConfigDto,
} from './config.schema';
import { substituteEnvDeep } from './env-substitution';
import {
  DEFAULT_AMP_UPSTREAM_URL,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_COOLDOWN_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_DEADLINE_MS,
  DEFAULT_SSE_KEEPALIVE_MS,
  DEFAULT_USAGE_RETENTION_DAYS,
  DEFAULT_DRAIN_GRACE_MS,
  DEFAULT_POSTGRES_SCHEMA,
  DEFAULT_REDIS_KEY_PREFIX,
  type AmpSettings,
  type GatewayConfig,
  type RedisSettings,
  type StoreSettings,
  type ProviderInstanceConfig,
  type RoutingSettings,
} from './gateway-config';
import { issueAt, knownKeys, validateSection, type Locator } from './validate-section';
import { findAliasProblem, findDeepNesting } from './yaml-limits';
import { isObject } from '../protocol/json-object';

export const DEFAULT_CONFIG_FILE = 'providers.yaml';
export const BUILT_IN_DEFAULTS = 'built-in defaults';

const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Far above any real providers.yaml; a bigger file is a mistake (a log, a disk image), not a config. */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

export interface LoadConfigOptions {
  /** `--config`: must exist. Without it, ./providers.yaml is used if present. */
  file?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** The file `serve` will read: the explicit one, else ./providers.yaml if it exists, else none. */
export function resolveConfigFile(options: LoadConfigOptions = {}): string | undefined {
  const cwd = options.cwd ?? process.cwd();
  if (options.file) return resolve(cwd, options.file);
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

export function loadGatewayConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const file = resolveConfigFile(options);
  const env = options.env ?? process.env;
  if (file === undefined) return parseGatewayConfig('', BUILT_IN_DEFAULTS, env);
  let text: string;
  try {
    // Only a regular file has a size to check; a pipe (`--config <(envsubst < x)`) is read as is.
    const stat = statSync(file);
    if (stat.isFile() && stat.size > MAX_CONFIG_BYTES) {
      throw new Error(`the file is ${stat.size} bytes, more than the ${MAX_CONFIG_BYTES} a configuration may have`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : describeError(error);
    throw new ConfigError(file, [{ path: '', message: `cannot read the configuration: ${reason}` }]);
  }
  return parseGatewayConfig(text, file, env);
}

/**
 * The configuration a text describes; throws a ConfigError (and nothing else) when it is not
 * one: whatever goes wrong parsing or validating a file is a problem with the file, to be
 * reported as such by `serve` and kept out of a running gateway by the reloader.
 */
export function parseGatewayConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  try {
    return parseAndValidate(text, source, env);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(source, [{ path: '', message: `cannot be loaded: ${describeError(error)}` }]);
  }
}

function describeError(error: unknown): string {
  // Not `instanceof Error`: errors from another realm (a vm, jest's sandbox) are not.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function parseAndValidate(text: string, source: string, env: NodeJS.ProcessEnv): GatewayConfig {
  // Before the yaml library recurses into it (see yaml-limits.ts).
  const tooDeep = findDeepNesting(text);
  if (tooDeep) throw new ConfigError(source, [tooDeep]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          path: '',
          message: `not valid YAML: ${error.message.split('\n')[0]}`,
          line: position.line,
          column: position.col,
        };
      }),
    );
  }
  // Aliases are checked before anything expands them; after the check, the yaml library's own
  // alias limit is off: it is a rough count that rejects ordinary reuse at 100, and keeping it
  // costs a walk of the whole document for every alias inside an anchor.
  const aliasProblem = findAliasProblem(doc, lineCounter);
  if (aliasProblem) throw new ConfigError(source, [aliasProblem]);
  const locate = locatorFor(doc, lineCounter);
  const tree: unknown = doc.toJS({ maxAliasCount: -1 }) ?? {};
  const reserved = reservedKeys(tree, []).map((path) =>
    issueAt(path, `"${path[path.length - 1]}" cannot be used as a key (it names a built-in of JavaScript objects)`, locate),
  );
  if (reserved.length > 0) throw new ConfigError(source, reserved);
  const substitutionIssues: ConfigIssue[] = [];
  const parsed = substituteEnvDeep(tree, env, (path, message) => substitutionIssues.push(issueAt(path, message, locate)));
  const issues: ConfigIssue[] = [];

  const top = validateSection(GatewayConfigFileDto, parsed, [], locate);
  issues.push(...top.issues);
  const file = (top.value ?? {}) as GatewayConfigFileDto;

  // A section that is not a mapping was reported by the top-level check; an empty one
  // (`server:` with every key commented out) means "all defaults".
  const server = isObject(file.server) ? validateSection(ServerConfigDto, file.server, ['server'], locate) : undefined;
  if (server) issues.push(...server.issues);
  const routing = isObject(file.routing) ? validateSection(RoutingConfigDto, file.routing, ['routing'], locate) : undefined;
  if (routing) issues.push(...routing.issues);
  const auth = isObject(file.auth) ? validateSection(AuthConfigDto, file.auth, ['auth'], locate) : undefined;
  if (auth) issues.push(...auth.issues);
  const admin = isObject(file.admin) ? validateSection(AdminConfigDto, file.admin, ['admin'], locate) : undefined;
  if (admin) issues.push(...admin.issues);
  const usage = isObject(file.usage) ? validateSection(UsageConfigDto, file.usage, ['usage'], locate) : undefined;
  if (usage) issues.push(...usage.issues);
  const metrics = isObject(file.metrics) ? validateSection(MetricsConfigDto, file.metrics, ['metrics'], locate) : undefined;
  if (metrics) issues.push(...metrics.issues);
  // Present, even empty (`amp:` with every key commented out): ampcode.com with the client's key.
  const amp = file.amp === null || isObject(file.amp) ? validateSection(AmpConfigDto, file.amp ?? {}, ['amp'], locate) : undefined;
  if (amp) issues.push(...amp.issues);
  const store = storeSettings(file.store, env, locate, issues);
  const redis = redisSettings(file.redis, env, locate, issues);

  const providers: ProviderInstanceConfig[] = [];
  const entries = isObject(file.providers) ? Object.entries(file.providers) : [];
  for (const [name, raw] of entries) {
    if (!INSTANCE_NAME.test(name)) {
      issues.push(
        issueAt(['providers', name], 'instance names may use letters, digits, ".", "_" and "-" (no "/")', locate),
      );
      continue;
    }
    // Plugins may take keys of their own; the registry checks those (and unknown keys) against
    // the plugin's schema. Here only the common keys are checked, so their errors come first.
    const rawEntry = inheritProxy(raw ?? {}, file.proxy_url);
    const instance = validateSection(ProviderInstanceConfigDto, pickCommonKeys(rawEntry), ['providers', name], locate);
    issues.push(...instance.issues);
    if (!instance.value) continue;
    providers.push({
      name,
      type: instance.value.type ?? name,
      enabled: instance.value.enabled ?? true,
      settings: instance.value,
      raw: rawEntry as Record<string, unknown>,
    });
  }

  // A field whose ${VAR} could not be resolved still holds the reference text; its type
  // errors would only repeat the substitution error, so they are left out.
  const unresolved = substitutionIssues.map((issue) => issue.path);
  const all = [
    ...substitutionIssues,
    ...issues.filter((issue) => !unresolved.some((path) => issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`))),
  ];
  if (all.length > 0) throw new ConfigError(source, all);
  const s = server?.value;
  return {
    source,
    server: {
      host: s?.host ?? DEFAULT_HOST,
      port: s?.port ?? DEFAULT_PORT,
      bodyLimit: s?.body_limit ?? DEFAULT_BODY_LIMIT,
      shutdownTimeoutMs: s?.drain_ms ?? s?.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
      drainGraceMs: s?.drain_grace_ms ?? DEFAULT_DRAIN_GRACE_MS,
      sseKeepaliveMs: s?.sse_keepalive_ms ?? DEFAULT_SSE_KEEPALIVE_MS,
    },
    access: { mode: auth?.value?.mode, keys: auth?.value?.keys ?? [] },
    // BYOKEY_ADMIN_KEY wins over the file, so a secret need not be written into it.
    admin: { key: nonEmpty(env.BYOKEY_ADMIN_KEY) ?? admin?.value?.key },
    usage: { retentionDays: usage?.value?.retention_days ?? DEFAULT_USAGE_RETENTION_DAYS },
    metrics: { public: metrics?.value?.public ?? false },
    store,
    ...(redis ? { redis } : {}),
    providers,
    ...(file.proxy_url ? { proxy: file.proxy_url } : {}),
    routing: routingSettings(routing?.value),
    ...(amp?.value ? { amp: ampSettings(amp.value) } : {}),
    locate,
  };
}

function routingSettings(routing: RoutingConfigDto | undefined): RoutingSettings {
  const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  const lists = (map: Record<string, string | string[]> | undefined) =>
    Object.fromEntries(Object.entries(map ?? {}).map(([name, value]) => [name, list(value)]));
  const payload = routing?.payload;
  return {
    strategy: routing?.strategy ?? 'round-robin',
    cooldownMs: routing?.cooldown_ms ?? DEFAULT_COOLDOWN_MS,
    maxAttempts: routing?.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
    deadlineMs: routing?.deadline_ms ?? DEFAULT_RETRY_DEADLINE_MS,
    aliases: lists(routing?.aliases),
    fallbacks: lists(routing?.fallbacks),
    payload: {
      default: (payload?.default ?? []).map((rule) => ({ models: rule.models, params: rule.params })),
      override: (payload?.override ?? []).map((rule) => ({ models: rule.models, params: rule.params })),
      filter: (payload?.filter ?? []).map((rule) => ({ models: rule.models, params: rule.params })),
    },
  };
}

function ampSettings(amp: AmpConfigDto): AmpSettings {
  // Without a trailing slash, so the request's path (which starts with one) is appended as is.
  const upstreamUrl = (amp.upstream_url ?? DEFAULT_AMP_UPSTREAM_URL).replace(/\/+$/, '');
  return { upstreamUrl, ...(amp.upstream_key ? { upstreamKey: amp.upstream_key } : {}) };
}

const COMMON_KEYS = new Set(knownKeys(ProviderInstanceConfigDto));

/**
 * Paths of keys such as `constructor` or `toString` anywhere in the file. The validators look
 * keys up in plain objects, so these find Object.prototype's members: `constructor` made
 * class-transformer throw, `toString` slipped past the unknown-key check, and `__proto__`
 * replaced an object's prototype when copied.
 */
function reservedKeys(node: unknown, path: (string | number)[]): (string | number)[][] {
  if (Array.isArray(node)) return node.flatMap((item, i) => reservedKeys(item, [...path, i]));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key in Object.prototype ? [[...path, key]] : reservedKeys(value, [...path, key]),
  );
}

/**
 * The entry with the top-level `proxy_url` laid in when it sets none of its own (or ""), so the
 * instance's settings carry the proxy it uses wherever they are validated again (the registry
 * checks `raw` against the plugin's schema).
 */
function inheritProxy(raw: unknown, proxy: string | undefined): unknown {
  if (proxy === undefined || !isObject(raw)) return raw;
  const own = raw.proxy_url;
  if (own !== undefined && own !== null && !(typeof own === 'string' && own.trim() === '')) return raw;
  return { ...raw, proxy_url: proxy };
}

/** Only the common keys, when the entry is a mapping; anything else is left for the validator to reject. */
function pickCommonKeys(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => COMMON_KEYS.has(key)));
}

function locatorFor(doc: Document, lineCounter: LineCounter): Locator {
  const position = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (!range) return undefined;
    const pos = lineCounter.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  };
  return (path) => {
    // Walk down as far as the path exists; point at a mapping entry's key (where the user
    // wrote the name), so a missing or misspelt field points at its own line or its parent's.
    let node: unknown = doc.contents;
    let found = position(node);
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
        if (!pair) break;
        found = position(pair.key) ?? found;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
        node = node.items[part];
        found = position(node) ?? found;
      } else {
        break;
      }
    }
    return found;
  };
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * `store:` — `sqlite`, a postgres:// URL or a mapping (url, schema). BYOKEY_DATABASE_URL wins over
 * the file, like every BYOKEY_* setting, so the password need not be written into it.
 */
function storeSettings(value: unknown, env: NodeJS.ProcessEnv, locate: Locator, issues: ConfigIssue[]): StoreSettings {
  const fromEnv = nonEmpty(env.BYOKEY_DATABASE_URL);
  let url: string | undefined;
  let schema = DEFAULT_POSTGRES_SCHEMA;
  if (isObject(value)) {
    const section = validateSection(StoreConfigDto, value, ['store'], locate);
    issues.push(...section.issues);
    url = section.value?.url;
    schema = section.value?.schema ?? schema;
  } else if (typeof value === 'string' && value.trim() !== 'sqlite') {
    if (POSTGRES_URL.test(value.trim())) url = value.trim();
    else issues.push(issueAt(['store'], `must be sqlite or a postgres:// URL (got ${JSON.stringify(value)})`, locate));
  } else if (value !== undefined && value !== null && typeof value !== 'string') {
    issues.push(issueAt(['store'], 'must be sqlite, a postgres:// URL or a mapping (url, schema)', locate));
  }
  if (fromEnv) {
    if (!POSTGRES_URL.test(fromEnv)) issues.push(issueAt([], `BYOKEY_DATABASE_URL must be a postgres:// URL`, locate));
    url = fromEnv;
  }
  return url ? { kind: 'postgres', url, schema } : { kind: 'sqlite' };
}

/** `redis:` — a redis:// URL or a mapping; BYOKEY_REDIS_URL wins over the file's URL. */
function redisSettings(value: unknown, env: NodeJS.ProcessEnv, locate: Locator, issues: ConfigIssue[]): RedisSettings | undefined {
  const fromEnv = nonEmpty(env.BYOKEY_REDIS_URL);
  let settings: RedisSettings | undefined;
  const defaults = { keyPrefix: DEFAULT_REDIS_KEY_PREFIX, limitsOnOutage: 'open' as const };
  if (isObject(value)) {
    const section = validateSection(RedisConfigDto, value, ['redis'], locate);
    issues.push(...section.issues);
    if (section.value) {
      settings = {
        url: section.value.url,
        keyPrefix: section.value.key_prefix ?? defaults.keyPrefix,
        limitsOnOutage: section.value.limits_on_outage ?? defaults.limitsOnOutage,
      };
    }
  } else if (typeof value === 'string' && value.trim() !== '') {
    if (/^rediss?:\/\//.test(value.trim())) settings = { url: value.trim(), ...defaults };
    else issues.push(issueAt(['redis'], `must be a redis:// URL or a mapping (url, key_prefix, limits_on_outage) (got ${JSON.stringify(value)})`, locate));
  } else if (value !== undefined && value !== null && typeof value !== 'string') {
    issues.push(issueAt(['redis'], 'must be a redis:// URL or a mapping (url, key_prefix, limits_on_outage)', locate));
  }
  if (fromEnv) {
    if (!/^rediss?:\/\//.test(fromEnv)) issues.push(issueAt([], 'BYOKEY_REDIS_URL must be a redis:// URL', locate));
    settings = { ...(settings ?? defaults), url: fromEnv };
  }
  return settings;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
