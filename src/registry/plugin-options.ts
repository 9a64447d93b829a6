// The plugins' decorator options read straight from their modules, without booting Nest: how the
// CLI checks providers.yaml exactly as `serve` does (plugin-binding.ts) and says which instance
// serves an account. The registry itself finds them through DiscoveryService.
import { MODULE_METADATA } from '@nestjs/common/constants';
import type { Type } from '@nestjs/common';
import { ProviderPlugin, type ProviderPluginOptions } from '../contract/provider-plugin.decorator';

/** Every @ProviderPlugin class among the modules' providers, by plugin id. */
export function pluginOptionsOf(modules: readonly Type[]): Map<string, ProviderPluginOptions> {
  const plugins = new Map<string, ProviderPluginOptions>();
  for (const module of modules) {
    const providers = (Reflect.getMetadata(MODULE_METADATA.PROVIDERS, module) ?? []) as unknown[];
    for (const provider of providers) {
      if (typeof provider !== 'function') continue;
      const options = Reflect.getMetadata(ProviderPlugin.KEY, provider) as ProviderPluginOptions | undefined;
      if (options) plugins.set(options.type, options);
    }
  }
  return plugins;
}
