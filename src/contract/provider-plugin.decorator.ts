// Marks a provider executor class as a plugin, so the registry can find it through Nest's
// DiscoveryService without a hand-kept list of executors.
import { DiscoveryService } from '@nestjs/core';
import type { ProviderInstanceConfigDto } from '../config/config.schema';

export interface ProviderPluginOptions {
  /** The plugin id that providers.yaml's `type:` names. */
  type: string;
  /**
   * Models this plugin serves out of the box, for instances that list none. Empty for
   * plugins such as openai-compatible, whose models depend entirely on the upstream.
   */
  catalog?: readonly string[];
  /**
   * Model ids this plugin serves beyond its catalog, because its upstream names new models every
   * month (claude: `/^claude-/`). Used after every exact match (model-catalog.ts); an instance
   * with its own `models:` list has none. A request it lets through may still be refused by the
   * upstream, whose own "no such model" then reaches the client.
   */
  modelPattern?: RegExp;
  /**
   * The schema of an instance's settings when the plugin takes keys beyond the common ones
   * (a subclass of ProviderInstanceConfigDto). Unknown keys are rejected against it.
   */
  settings?: new () => ProviderInstanceConfigDto;
  /**
   * The provider whose logged-in accounts (byokey login <provider>) an instance can use as
   * credentials, besides its API keys.
   */
  accounts?: string;
}

export const ProviderPlugin = DiscoveryService.createDecorator<ProviderPluginOptions>();
