// A configured provider instance at run time: its settings bound to its plugin's executor.
// The registry makes one per entry of providers.yaml's `providers:`.
import type { ProviderInstanceConfig } from '../config/gateway-config';
import type { ProviderExecutor } from '../contract/provider-executor';

export interface ProviderInstance {
  readonly name: string;
  readonly config: ProviderInstanceConfig;
  /**
   * The plugin's executor. Executors are singletons that keep per-instance state (pools,
   * sockets) keyed by instance name, and take the instance's settings with every call.
   */
  readonly executor: ProviderExecutor;
  /** Models served: the instance's `models` list, or else its plugin's catalog. */
  readonly models: readonly string[];
  /** True when `models` is the instance's own list rather than the plugin's catalog. */
  readonly listsOwnModels: boolean;
  /** Ids it serves beyond `models`: its plugin's pattern, unless it lists its own models. */
  readonly modelPattern?: RegExp;
  /**
   * Whether the upstream's own model list is fetched (merged into GET /v1/models, routing the
   * ids it names): the executor can list models and the instance does not pin its own.
   */
  readonly fetchesModels?: boolean;
  /** Globs of models it must not serve (`excluded_models`). */
  readonly excluded: readonly string[];
  /** The provider whose accounts it can use (its plugin's `accounts`). */
  readonly accountsProvider?: string;
  /** The environment variables its keys name in providers.yaml, for the "empty key" fix. */
  readonly keyVariables?: readonly string[];
}
