// Finds every provider plugin (classes marked @ProviderPlugin) through Nest's DiscoveryService,
// binds each providers.yaml instance to its plugin, and answers "which instance serves this
// model?". An instance of a provider that has an OAuth login but no plugin is login-only: kept
// for `byokey login`, serving nothing. Fails startup on a duplicate plugin id, an instance whose
// `type` names neither, or an instance setting its plugin (or a login-only one) does not take.
// It also keeps the upstreams' own model lists (live-model-lists.ts), which the catalog reads,
// and lays the runtime changes made over the admin API over the file (provider-overrides.ts) at
// start, at every reload and after every such change.
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from '../auth/oauth-definitions.token';
import { ConfigError, type ConfigIssue } from '../config/config-error';
import { GATEWAY_CONFIG_KEY } from '../config/config.module';
import { ProviderInstanceConfigDto } from '../config/config.schema';
import type { GatewayConfig } from '../config/gateway-config';
import { nearestKey } from '../config/nearest-key';
import { issueAt, validateSection } from '../config/validate-section';
import { ProviderOverridesStore, type InstanceOverrides } from '../store/provider-overrides-store';
import { listingCredential } from './listing-credential';
import { LiveModelLists } from './live-model-lists';
import { checkLoginOnlyInstance, describeLoginOnly, type LoginOnlyInstance } from './login-only-instance';
import { ModelCatalog } from './model-catalog';
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
  ) {}

  async onModuleInit(): Promise<void> {
    this.discoverPlugins();
    this.currentFileConfig = this.configService.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY);
    // At start the store must answer: a gateway that silently forgot a runtime disable would
    // serve what an administrator switched off.
    this.currentOverrides = (await this.overridesStore?.list()) ?? [];
    this.currentConfig = applyProviderOverrides(this.currentFileConfig, this.currentOverrides);
    this.current = this.buildCatalog(this.currentConfig);
    if (this.currentConfig !== this.currentFileConfig) this.configService.set(GATEWAY_CONFIG_KEY, this.currentConfig);
    const enabled = this.current.instances.filter((i) => i.config.enabled).map((i) => `${i.name} (${i.config.type})`);
    this.logger.log(`provider instances: ${enabled.length > 0 ? enabled.join(', ') : 'none configured'}`);
    // A login-only instance serves nothing; say so once, so a missing model is not a mystery.
    for (const instance of this.current.loginOnly) this.logger.log(describeLoginOnly(instance, this.currentConfig));
  }

  onApplicationBootstrap(): void {
    this.primeLiveModels();
  }

  onApplicationShutdown(): void {
    this.liveModels.close();
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
    const config = applyProviderOverrides(fileConfig, overrides);
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
    this.liveModels.prime(this.current.instances.filter((i) => i.fetchesModels && !i.modelPattern));
  }

  pluginTypes(): string[] {
    return [...this.plugins.keys()].sort();
  }

  /** Providers byokey can log in to but has no request plugin for (copilot, gemini, …). */
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
    const issues: ConfigIssue[] = [];
    const instances: ProviderInstance[] = [];
    const loginOnly: LoginOnlyInstance[] = [];
    const loginOnlyTypes = this.loginOnlyTypes();
    for (const instanceConfig of config.providers) {
      const path = ['providers', instanceConfig.name];
      const plugin = this.plugins.get(instanceConfig.type);
      if (!plugin && loginOnlyTypes.includes(instanceConfig.type)) {
        const checked = checkLoginOnlyInstance(instanceConfig, config.locate);
        issues.push(...checked);
        if (checked.length === 0) loginOnly.push({ name: instanceConfig.name, type: instanceConfig.type });
        continue;
      }
      if (!plugin) {
        const plugins = this.pluginTypes();
        const guess = nearestKey(instanceConfig.type, [...plugins, ...loginOnlyTypes]);
        const field = instanceConfig.settings.type === undefined ? [...path] : [...path, 'type'];
        const because =
          instanceConfig.settings.type === undefined
            ? `the instance name "${instanceConfig.name}" is not a provider plugin, so it needs a type`
            : `no provider plugin is named "${instanceConfig.type}"`;
        const known = `plugins: ${plugins.join(', ')}${loginOnlyTypes.length > 0 ? `; login only: ${loginOnlyTypes.join(', ')}` : ''}`;
        issues.push(issueAt(field, `${because}${guess ? `; did you mean "${guess}"?` : ''} (${known})`, config.locate));
        continue;
      }
      // Check the whole entry against the plugin's schema: its own keys, and unknown keys.
      const schema = plugin.options.settings ?? ProviderInstanceConfigDto;
      const checked = validateSection(schema, instanceConfig.raw, path, config.locate);
      issues.push(...checked.issues);
      if (checked.issues.length > 0 || !checked.value) continue;
      const ownModels = instanceConfig.settings.models;
      instances.push({
        name: instanceConfig.name,
        config: { ...instanceConfig, settings: checked.value },
        executor: plugin.executor,
        models: ownModels ?? plugin.options.catalog ?? [],
        listsOwnModels: ownModels !== undefined,
        // An instance's own `models:` pins its list: no pattern, no fetched list.
        modelPattern: ownModels === undefined ? plugin.options.modelPattern : undefined,
        fetchesModels: ownModels === undefined && typeof plugin.executor.listModels === 'function',
        excluded: checked.value.excluded_models ?? [],
        accountsProvider: plugin.options.accounts,
      });
    }
    if (issues.length > 0) throw new ConfigError(config.source, issues);
    return new ModelCatalog(instances, loginOnly, this.liveModels);
  }
}
