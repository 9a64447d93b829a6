// Decides, per request, which provider instance and which of its credentials serve it, and what
// happens when one fails (issue #6): the route plan (aliases, suffixes, fallbacks), each
// instance's credential pool in its strategy's order, and failover before the first byte —
// the next credential, then the next target — bounded by attempts and a deadline. A 429 rests
// its credential until the upstream's announced reset. After any retry, the error a client
// finally gets says `x-should-retry: false`, so SDKs do not multiply the attempts.
import { Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error';
import { redactSecrets } from '../common/redact-secrets';
import type { GatewayConfig, RoutingSettings } from '../config/gateway-config';
import type { ProviderInstance } from '../registry/provider-instance';
import type { SseEvent } from '../protocol/sse';
import type { CallAffinity, Credential, UpstreamResult } from '../contract/provider-executor';
import type { ClientProtocol, WireProtocol } from '../protocol/wire-protocol';
import type { Bridge } from '../translate/bridges/bridge';
import { ProtocolTable } from '../translate/protocol-table';
import { needsCredential, noCredentials } from '../registry/instance-readiness';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { AccountStore } from '../store/account-store';
import { RateLimitSnapshots } from '../store/rate-limit-snapshots';
import { ChangeNotices } from '../store/shared/change-notices';
import { CooldownChannel } from '../store/shared/cooldown-channel';
import { UpstreamError } from '../upstream/upstream-error';
import { CredentialPool, type PoolCredential } from './credential-pool';
import { CredentialStates } from './credential-states';
import { LastFailures } from './last-failures';
import { cooldownUntil, isRetryable } from './failover-policy';
import { applyPayloadRules } from './payload-rules';
import { primeStream } from './prime-stream';
import { quotaUsed } from './quota';
import { planRoute, type RoutePlan, type RouteTarget } from './route-plan';

export type { RoutePlan, RouteTarget } from './route-plan';

/** How long a pool trusts its list of accounts before reading the store again. */
const ACCOUNTS_TTL_MS = 2_000;

export interface RoutedResult {
  target: RouteTarget;
  result: UpstreamResult;
  /** Upstream attempts made, this one included. */
  attempts: number;
}

/** A forwarded request's answer, with the bridge that turns it into the client's protocol. */
export interface ForwardedResult extends RoutedResult {
  bridge: Bridge<object, object>;
  /** The body as translated for the target that answered (before its payload rules). */
  sent: object;
}

/**
 * Watches a request's way through routing, for usage accounting: which target and credential
 * each attempt used, and the answer that served it. Called synchronously; must not throw.
 */
export interface ForwardWatcher {
  /** An attempt starts (1 for the first) on this target with the credential of this label. */
  attempt(target: RouteTarget, credentialId: string, attempt: number): void;
  /**
   * The executor answered (before a stream is primed): a JSON answer is whole here; for a stream,
   * the returned function (if any) is handed each event as it is read, on the same tick, its
   * `json` already parsed by the upstream reader.
   */
  answer(protocol: WireProtocol, result: UpstreamResult): ((event: SseEvent) => void) | undefined;
  /**
   * The attempt failed before it served: its status (an upstream's or the gateway's, when it has
   * one), the failure's text (already redacted), and whether it rested its credential.
   */
  failed(status: number | undefined, message: string, cooledDown: boolean): void;
}

/** One client request to forward, in the client's protocol, and its context. */
export interface ForwardRequest {
  /** The protocol the client speaks: each target's bridge comes from the protocol table. */
  client: ClientProtocol;
  /** The client's request body, validated. */
  body: object;
  stream: boolean;
  /** The client's signal. */
  signal: AbortSignal;
  requestId: string;
  clientHeaders?: Record<string, string>;
  /** How long to wait for a stream's first event before starting the response anyway. */
  primeWaitMs: number;
  /** One of several requests on a client connection that should stay on one upstream. */
  affinity?: CallAffinity;
  watch?: ForwardWatcher;
}

export interface ExecuteOptions {
  /** The client's signal: when it aborts, no further attempt starts. */
  signal: AbortSignal;
  /** The client request's id, for the lines logged about its attempts. */
  requestId: string;
  /** How long to wait for a stream's first event before starting the response anyway. */
  primeWaitMs: number;
  /** When set, the target and credential that served its last call are tried first. */
  affinity?: CallAffinity;
  watch?: ForwardWatcher;
}

@Injectable()
export class RequestRouter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RequestRouter.name);
  /**
   * Survives config reloads: a credential keeps its cooldown while its instance keeps its name.
   * Cooldowns are shared with other instances through the channel (with `redis:`).
   */
  readonly states: CredentialStates;
  /** Each instance's (and credential's) last failed attempt, for the admin API. */
  readonly failures = new LastFailures();
  private readonly pools = new WeakMap<ProviderInstance, { pool: CredentialPool; accountsReadAt: number; accountsEpoch: number }>();
  /** Bumped when accounts change (the admin API here, or a notice from another instance), so pools read them again at once. */
  private accountsEpoch = 0;
  private unsubscribe?: () => void;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly store: AccountStore,
    private readonly rateLimits: RateLimitSnapshots,
    private readonly protocols: ProtocolTable,
    @Optional() cooldowns?: CooldownChannel,
    @Optional() private readonly notices?: ChangeNotices,
  ) {
    this.states = new CredentialStates(Date.now, cooldowns);
  }

  async onModuleInit(): Promise<void> {
    // Another instance's logins, logouts, defaults and statuses: read at the next request (the
    // registry hears the notice too, for its implicit instances).
    this.unsubscribe = this.notices?.subscribe('accounts', () => this.accountsEpoch++);
    // The cooldowns other instances are resting credentials for, before the first request.
    await this.states.connect();
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  /** The targets for a model name; throws a 404 GatewayError when nothing serves it. */
  plan(model: string): RoutePlan {
    return planRoute(model, this.registry.catalog, this.routing);
  }

  /**
   * Forwards a request along the plan. The body is translated once per upstream protocol by that
   * protocol's bridge (the first target's before any attempt, so a request its bridge refuses is
   * a 400 and no upstream's failure), then each target's payload rules apply to it.
   */
  async forward(plan: RoutePlan, request: ForwardRequest): Promise<ForwardedResult> {
    const bodies = new Map<WireProtocol, object>();
    const bodyFor = (protocol: WireProtocol): object => {
      let body = bodies.get(protocol);
      if (body === undefined) {
        body = this.protocols.bridge(request.client, protocol).request(request.body as never, { stream: request.stream, thinking: plan.thinking });
        bodies.set(protocol, body);
      }
      return body;
    };
    bodyFor(plan.targets[0].protocol);
    const routed = await this.execute(
      plan,
      (target, credential, signal) => {
        const executor = target.instance.executor;
        return executor.execute({
          instance: target.instance.config,
          credential,
          model: target.upstreamModel,
          body: applyPayloadRules(bodyFor(target.protocol) as Record<string, unknown>, target.upstreamModel, this.routing.payload),
          protocol: target.protocol,
          stream: request.stream,
          signal,
          requestId: request.requestId,
          clientHeaders: request.clientHeaders,
          affinity: request.affinity,
        });
      },
      { signal: request.signal, requestId: request.requestId, primeWaitMs: request.primeWaitMs, affinity: request.affinity, watch: request.watch },
    );
    return { ...routed, bridge: this.protocols.bridge(request.client, routed.target.protocol) as Bridge<object, object>, sent: bodyFor(routed.target.protocol) };
  }

  /**
   * Runs `attempt` for the plan's targets and their credentials until one answers (for a stream:
   * until its first event arrived, or the wait for it ran out). A failure another credential or
   * target may not have is retried; others go to the client at once.
   */
  async execute(
    plan: RoutePlan,
    attempt: (target: RouteTarget, credential: Credential, signal: AbortSignal) => Promise<UpstreamResult>,
    options: ExecuteOptions,
  ): Promise<RoutedResult> {
    const routing = this.routing;
    const deadline = Date.now() + routing.deadlineMs;
    let attempts = 0;
    let lastError: unknown;
    let readyAgainAt: number | undefined;

    const last = options.affinity?.last;
    for (const target of preferLast(plan.targets, last)) {
      const pool = await this.poolFor(target.instance);
      if (pool.size === 0 && needsCredential(target.instance)) {
        // Nothing to send it with: a 503 that says what to run (the next target may have one).
        lastError = this.noCredentialsFor(target.instance);
        continue;
      }
      const candidates = pool.order((credential) => this.quotaOf(target.instance, credential));
      // The credential that served this connection's last call first: its upstream holds the context.
      if (last?.instance === target.instance.name) candidates.sort((a, b) => Number(pool.key(b) === last.credentialKey) - Number(pool.key(a) === last.credentialKey));
      if (candidates.length === 0) readyAgainAt = earliest(readyAgainAt, pool.readyAgainAt());
      for (const credential of candidates) {
        if (attempts >= routing.maxAttempts || Date.now() > deadline || options.signal.aborted) break;
        if (lastError !== undefined) {
          this.logger.warn(
            { reqId: options.requestId },
            `retrying ${plan.requested} on ${target.instance.name} (${credential.id}) after: ${failureText(lastError)}`,
          );
        }
        attempts++;
        options.watch?.attempt(target, credential.id, attempts);
        const key = pool.key(credential);
        const done = this.states.begin(key);
        // The instance's total time bounds this attempt, stream included; the client's leaving too.
        const totalMs = target.instance.config.settings.timeouts?.total_ms;
        const signal = totalMs ? AbortSignal.any([options.signal, AbortSignal.timeout(totalMs)]) : options.signal;
        try {
          // The credential's in-flight count is released when the answer is finished with.
          const answer = await attempt(target, credential, signal);
          const observe = options.watch?.answer(target.protocol, answer);
          const { result } = await primeStream(answer, options.primeWaitMs, done, observe);
          this.states.clearCooldown(key);
          if (options.affinity) options.affinity.last = { instance: target.instance.name, credentialKey: key };
          return { target, result, attempts };
        } catch (error) {
          done();
          if (options.signal.aborted) throw error;
          lastError = error;
          const status = error instanceof UpstreamError || error instanceof GatewayError ? error.status : undefined;
          const message = failureText(error);
          this.failures.record(target.instance.name, { at: Date.now(), credential: credential.id, status, message });
          const rest = cooldownUntil(error, Date.now(), target.instance.config.settings.cooldown_ms ?? routing.cooldownMs);
          options.watch?.failed(status, message, rest !== undefined);
          if (rest) {
            this.states.coolDown(key, rest.until, rest.reason);
            this.logger.warn(
              { reqId: options.requestId },
              `${target.instance.name} ${credential.id} rests until ${new Date(rest.until).toISOString()} (${rest.reason})`,
            );
          }
          if (!isRetryable(error)) throw withRetryHint(error, attempts);
        }
      }
      if (attempts >= routing.maxAttempts || Date.now() > deadline) break;
    }
    if (lastError !== undefined) throw withRetryHint(lastError, attempts);
    throw allCooling(plan, readyAgainAt);
  }

  /** The instance's pool, with its accounts re-read when stale. */
  private async poolFor(instance: ProviderInstance): Promise<CredentialPool> {
    let entry = this.pools.get(instance);
    if (!entry) {
      const settings = instance.config.settings;
      const pool = new CredentialPool(
        instance.name,
        settings,
        settings.strategy ?? this.routing.strategy,
        this.states,
        instance.accountsProvider,
        instance.config.runtimeKeys,
      );
      entry = { pool, accountsReadAt: 0, accountsEpoch: this.accountsEpoch };
      this.pools.set(instance, entry);
    }
    const stale = Date.now() - entry.accountsReadAt > ACCOUNTS_TTL_MS || entry.accountsEpoch !== this.accountsEpoch;
    if (instance.accountsProvider && stale) {
      entry.accountsEpoch = this.accountsEpoch;
      entry.pool.setAccounts(await this.store.list(instance.accountsProvider));
      entry.accountsReadAt = Date.now();
    }
    return entry.pool;
  }

  private noCredentialsFor(instance: ProviderInstance): GatewayError {
    const readiness = this.registry.readiness(instance);
    const provider = instance.accountsProvider;
    // The registry's accounts may be a few seconds older than the pool's: then a plain "no account".
    const detail = !readiness.serves
      ? `${readiness.problem}: ${readiness.fix}`
      : provider
        ? `no active account for ${provider}: run \`byokey login ${provider}\``
        : 'its api_key is empty';
    return noCredentials(instance.name, detail);
  }

  /**
   * Accounts were added, removed or changed (a login over the admin API, here or on another
   * instance): the next request reads them from the store instead of trusting its copy for up to 2 s.
   */
  accountsChanged(): void {
    this.accountsEpoch++;
    // A first login for a provider brings its implicit instance now, not at the registry's next poll.
    void this.registry.refreshAccounts();
  }

  private quotaOf(instance: ProviderInstance, credential: PoolCredential): number | undefined {
    if (credential.kind !== 'account') return undefined;
    const snapshot = this.rateLimits.get(credential.provider, credential.accountId);
    return snapshot ? quotaUsed(snapshot) : undefined;
  }

  private get routing(): RoutingSettings {
    return this.registry.config.routing;
  }
}

/** After a retry, the client is told not to retry on its own (openai and Anthropic SDKs obey). */
function withRetryHint(error: unknown, attempts: number): unknown {
  if (attempts > 1 && (error instanceof UpstreamError || error instanceof GatewayError)) error.headers['x-should-retry'] = 'false';
  return error;
}

/**
 * A failure for a log line. Upstream and gateway errors were redacted where they were built;
 * anything else (a bug's TypeError quoting what it choked on) is redacted here.
 */
function failureText(error: unknown): string {
  if (error instanceof UpstreamError || error instanceof GatewayError) return error.message;
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

function allCooling(plan: RoutePlan, readyAgainAt: number | undefined): GatewayError {
  const wait = readyAgainAt === undefined ? undefined : Math.max(1, Math.ceil((readyAgainAt - Date.now()) / 1000));
  const names = [...new Set(plan.targets.map((t) => t.instance.name))].join(', ');
  return new GatewayError(
    429,
    `Every credential that serves \`${plan.requested}\` (${names}) is resting after a rate limit${wait ? `; the first is ready again in ${wait} s` : ''}.`,
    { type: 'rate_limit_error', code: 'credentials_cooling_down', headers: wait ? { 'retry-after': String(wait) } : {} },
  );
}

/** The plan's targets with the one on `last`'s instance moved to the front (a stable order otherwise). */
function preferLast(targets: RouteTarget[], last: CallAffinity['last']): RouteTarget[] {
  if (!last) return targets;
  const index = targets.findIndex((t) => t.instance.name === last.instance);
  return index <= 0 ? targets : [targets[index], ...targets.slice(0, index), ...targets.slice(index + 1)];
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

export type { GatewayConfig };
