// Finds every provider plugin (classes marked @ProviderPlugin) through Nest's DiscoveryService,
// binds each providers.yaml instance to its plugin (plugin-binding.ts), and answers "which
// instance serves this model?". An instance of a provider that has an OAuth login but no plugin
// is login-only: kept for `byokey login`, serving nothing. Fails startup on a duplicate plugin
// id, an instance whose `type` names neither, or an instance setting its plugin (or a login-only
// one) does not take.
// A provider with a logged-in account and no instance of its plugin in the file gets an implicit
// one (implicit-instances.ts); the accounts are read at start, at every reload, when another
// gateway says they changed, and every few seconds (a `byokey login` in another terminal tells
// nobody), so a login starts being served without a restart.
// It also keeps the upstreams' own model lists (live-model-lists.ts), which the catalog reads,
// and lays the runtime changes made over the admin API over the file (provider-overrides.ts) at
// start, at every reload and after every such change.
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from '../auth/oauth-definitions.token';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import { AccountStore } from '../store/account-store';
import { ProviderOverridesStore, type InstanceOverrides } from '../store/provider-overrides-store';
import { ChangeNotices } from '../store/shared/change-notices';
import { withImplicitInstances } from './implicit-instances';
import { describeUnready, instanceReadiness, type AccountSummary, type Readiness } from './instance-readiness';
import { keyVariablesOf } from './key-variables';
import { listingCredential } from './listing-credential';
import { LiveModelLists } from './live-model-lists';
import { describeLoginOnly } from './login-only-instance';
import { ModelCatalog } from './model-catalog';
import { bindInstances } from './plugin-binding';
import type { ProviderExecutor } from '../contract/provider-executor';
import type { ProviderInstance } from './provider-instance';
import { ProviderPlugin, type ProviderPluginOptions } from '../contract/provider-plugin.decorator';
import { applyProviderOverrides } from './provider-overrides';

export interface DiscoveredPlugin {
  options: ProviderPluginOptions;
  executor: ProviderExecutor;
}

/** A list fetch that takes longer than this is given up (the built-in list is served). */
const LIST_FETCH_TIMEOUT_MS = 15_000;

/** How often the accounts are read again, for logins no change notice announces (the CLI's). */
const ACCOUNTS_POLL_MS = 5_000;

@Injectable()
export class PluginRegistry implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PluginRegistry.name);
  private readonly plugins = new Map<string, DiscoveredPlugin>();
  private current!: ModelCatalog;
  /** The configuration in force: the file's with the runtime overrides laid over it. */
  private currentConfig!: GatewayConfig;
  /** The configuration as loaded from providers.yaml. */
  private currentFileConfig!: GatewayConfig;
  /** The runtime overrides in force (from the store). */
  private currentOverrides: readonly InstanceOverrides[] = [];
  /** Every stored account, as last read (no tokens): implicit instances and readiness follow them. */
  private accountSummaries: readonly AccountSummary[] = [];
  /** isReady()'s answers for the accounts above (reset whenever they are read again). */
  private readyByInstance = new WeakMap<ProviderInstance, boolean>();
  private accountsTimer?: NodeJS.Timeout;
  private stopNotices?: () => void;
  /** The upstreams' own model lists, kept across reloads for instances whose settings stay. */
  readonly liveModels = new LiveModelLists({
    fetch: (instance, signal) =>
      instance.executor.listModels!({
        instance: instance.config,
        credential: listingCredential(instance.config.settings, instance.accountsProvider, instance.config.runtimeKeys),
        signal: AbortSignal.any([signal, AbortSignal.timeout(LIST_FETCH_TIMEOUT_MS)]),
      }),
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      }),
    warn: (message) => this.logger.warn(message),
    log: (message) => this.logger.log(message),
  });

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly configService: ConfigService,
    /** Provider id → OAuth login; a provider here without a plugin can be configured login-only. */
    @Inject(OAUTH_DEFINITIONS) private readonly oauthDefinitions: OAuthDefinitions,
    /** Runtime changes made over the admin API; absent in tests that need none. */
    @Optional() private readonly overridesStore?: ProviderOverridesStore,
    /** The logged-in accounts (implicit instances, readiness); absent in tests that need none. */
    @Optional() private readonly accountStore?: AccountStore,
    @Optional() private readonly notices?: ChangeNotices,
  ) {}

  async onModuleInit(): Promise<void> {
    this.discoverPlugins();
    this.currentFileConfig = this.configService.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY);
    // At start the store must answer: a gateway that silently forgot a runtime disable would
    // serve what an administrator switched off.
    this.currentOverrides = (await this.overridesStore?.list()) ?? [];
    this.accountSummaries = (await this.readAccounts()) ?? [];
    this.readyByInstance = new WeakMap();
    this.currentConfig = this.effectiveConfig(this.currentFileConfig, this.currentOverrides);
    this.current = this.buildCatalog(this.currentConfig);
    if (this.currentConfig !== this.currentFileConfig) this.configService.set(GATEWAY_CONFIG_KEY, this.currentConfig);
    const enabled = this.current.instances
      .filter((i) => i.config.enabled)
      .map((i) => `${i.name} (${i.config.type}${i.config.implicit ? ', implicit: a logged-in account' : ''})`);
    this.logger.log(`provider instances: ${enabled.length > 0 ? enabled.join(', ') : 'none configured'}`);
    this.warnUnready();
  }

  onApplicationBootstrap(): void {
    this.primeLiveModels();
    this.stopNotices = this.notices?.subscribe('accounts', () => void this.refreshAccounts());
    if (this.accountStore) {
      this.accountsTimer = setInterval(() => void this.refreshAccounts(), ACCOUNTS_POLL_MS);
      this.accountsTimer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.accountsTimer);
    this.stopNotices?.();
    this.liveModels.close();
  }

  /** Whether the instance can serve requests, and if not why and what fixes it. */
  readiness(instance: ProviderInstance): Readiness {
    return instanceReadiness(instance, this.accountSummaries);
  }

  /**
   * readiness().serves, asked by the catalog on every request (which instance serves a model).
   * Worked out once per instance until the accounts change: an instance's own settings never
   * change (a new configuration builds new instances), so nothing else can change the answer.
   */
  private isReady(instance: ProviderInstance): boolean {
    let ready = this.readyByInstance.get(instance);
    if (ready === undefined) {
      ready = this.readiness(instance).serves;
      this.readyByInstance.set(instance, ready);
    }
    return ready;
  }

  /**
   * Reads the accounts again (a login, logout or status change, here or elsewhere); when a
   * provider gained its first account or lost its last, the implicit instances change with it.
   * Never throws (runs from a timer and a notice).
   */
  async refreshAccounts(): Promise<void> {
    const accounts = await this.readAccounts();
    if (!accounts) return;
    const before = providersOf(this.accountSummaries);
    this.accountSummaries = accounts;
    this.readyByInstance = new WeakMap();
    const after = providersOf(accounts);
    if (before.size === after.size && [...after].every((p) => before.has(p))) return;
    const implicitBefore = new Set(this.current.instances.filter((i) => i.config.implicit).map((i) => i.name));
    try {
      this.reload(this.currentFileConfig, this.currentOverrides);
    } catch (error) {
      this.logger.error(`could not put the implicit instances of the changed accounts in force: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const instance of this.current.instances) {
      if (instance.config.implicit && !implicitBefore.has(instance.name)) {
        this.logger.log(`providers.${instance.name}: serving the ${instance.accountsProvider} account (implicit instance: providers.yaml has none of type ${instance.config.type})`);
      }
    }
  }

  /** The stored accounts without their tokens; undefined (with a warning) when the store fails. */
  private async readAccounts(): Promise<AccountSummary[] | undefined> {
    if (!this.accountStore) return [];
    try {
      return (await this.accountStore.list()).map(({ provider, accountId, status, isDefault }) => ({ provider, accountId, status, isDefault }));
    } catch (error) {
      this.logger.warn(`could not read the accounts (${error instanceof Error ? error.message : String(error)}); keeping those last read`);
      return undefined;
    }
  }

  /** The file's configuration with the implicit instances added and the runtime overrides laid over. */
  private effectiveConfig(fileConfig: GatewayConfig, overrides: readonly InstanceOverrides[]): GatewayConfig {
    const plugins = [...this.plugins.values()].map((p) => p.options);
    return applyProviderOverrides(withImplicitInstances(fileConfig, plugins, providersOf(this.accountSummaries)), overrides);
  }

  /**
   * One warning per enabled instance that will fail every request, with the fix; a login-only
   * instance serves nothing either, so a missing model is not a mystery. At start and after a
   * reload of the file.
   */
  warnUnready(): void {
    for (const instance of this.current.instances) {
      if (!instance.config.enabled) continue;
      const readiness = this.readiness(instance);
      if (!readiness.serves) this.logger.warn(`${describeUnready(instance.name, readiness)} (its models are not listed; requests for them answer 503)`);
    }
    for (const instance of this.current.loginOnly) this.logger.warn(describeLoginOnly(instance, this.currentConfig));
  }

  /** The catalog in force. Callers keep the object they got for the whole request. */
  get catalog(): ModelCatalog {
    return this.current;
  }

  /** The configuration in force (changes on reload and with runtime overrides). */
  get config(): GatewayConfig {
    return this.currentConfig;
  }

  /** The configuration as providers.yaml says it, without the runtime overrides. */
  get fileConfig(): GatewayConfig {
    return this.currentFileConfig;
  }

  /** The runtime overrides in force. */
  get overrides(): readonly InstanceOverrides[] {
    return this.currentOverrides;
  }

  /**
   * Puts a new configuration (as loaded from the file) in force, with the given runtime overrides
   * laid over it (default: those in force): checked in full first (a ConfigError leaves the old
   * one in force), then swapped in one step. Requests in flight keep the instances they started with.
   */
  reload(fileConfig: GatewayConfig, overrides: readonly InstanceOverrides[] = this.currentOverrides): void {
    const config = this.effectiveConfig(fileConfig, overrides);
    const catalog = this.buildCatalog(config);
    this.currentFileConfig = fileConfig;
    this.currentOverrides = overrides;
    this.currentConfig = config;
    this.current = catalog;
    this.configService.set(GATEWAY_CONFIG_KEY, config);
    this.liveModels.retain(catalog.instances);
    this.primeLiveModels();
  }

  /** Puts the store's current overrides in force over the file in force (after an admin change). */
  async applyStoredOverrides(): Promise<void> {
    this.reload(this.currentFileConfig, await this.readOverrides());
  }

  /**
   * The store's overrides; on a store failure the ones in force, with a warning (a reload must
   * not fail, nor drop a runtime change, because the store is briefly unreachable).
   */
  async readOverrides(): Promise<readonly InstanceOverrides[]> {
    if (!this.overridesStore) return this.currentOverrides;
    try {
      return await this.overridesStore.list();
    } catch (error) {
      this.logger.warn(`could not read the runtime provider changes (${(error as Error).message}); keeping those in force`);
      return this.currentOverrides;
    }
  }

  /**
   * Starts fetching the lists of instances whose models only their upstream knows (no `models:`,
   * no pattern: openai-compatible), so its ids route without a client asking GET /v1/models
   * first. The others are fetched when GET /v1/models asks: their patterns route new ids already.
   */
  private primeLiveModels(): void {
    this.liveModels.prime(this.current.readyInstances().filter((i) => i.fetchesModels && !i.modelPattern));
  }

  pluginTypes(): string[] {
    return [...this.plugins.keys()].sort();
  }

  /** Providers byokey can log in to but has no request plugin for (gemini, kimi, …). */
  loginOnlyTypes(): string[] {
    return Object.keys(this.oauthDefinitions)
      .filter((type) => !this.plugins.has(type))
      .sort();
  }

  private discoverPlugins(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: ProviderPlugin.KEY })) {
      const options = this.discovery.getMetadataByDecorator(ProviderPlugin, wrapper);
      if (!options) continue;
      const executor = wrapper.instance as ProviderExecutor | undefined;
      if (!executor || !wrapper.isDependencyTreeStatic()) {
        throw new Error(`provider plugin ${options.type} (${wrapper.name}) must be a singleton provider`);
      }
      const existing = this.plugins.get(options.type);
      if (existing) {
        throw new Error(
          `two provider plugins claim the id "${options.type}": ${existing.executor.constructor.name} and ${wrapper.name}`,
        );
      }
      this.plugins.set(options.type, { options, executor });
    }
  }

  /** Binds every configured instance to its plugin; throws ConfigError listing every problem. */
  buildCatalog(config: GatewayConfig): ModelCatalog {
    const options = new Map([...this.plugins].map(([type, plugin]) => [type, plugin.options]));
    const { bound, loginOnly } = bindInstances(config, options, this.loginOnlyTypes());
    const variables = keyVariablesOf(config.source);
    const instances: ProviderInstance[] = bound.map(({ config: instanceConfig, plugin }) => {
      const ownModels = instanceConfig.settings.models;
      const executor = this.plugins.get(plugin.type)!.executor;
      return {
        name: instanceConfig.name,
        config: instanceConfig,
        executor,
        models: ownModels ?? plugin.catalog ?? [],
        listsOwnModels: ownModels !== undefined,
        // An instance's own `models:` pins its list: no pattern, no fetched list.
        modelPattern: ownModels === undefined ? plugin.modelPattern : undefined,
        fetchesModels: ownModels === undefined && typeof executor.listModels === 'function',
        excluded: instanceConfig.settings.excluded_models ?? [],
        accountsProvider: plugin.accounts,
        keyVariables: variables.get(instanceConfig.name),
      };
    });
    return new ModelCatalog(instances, loginOnly, this.liveModels, (instance) => this.isReady(instance));
  }
}

function providersOf(accounts: readonly AccountSummary[]): Set<string> {
  return new Set(accounts.map((a) => a.provider));
}
