// The plugin registry. It imports no provider: the composition root (app.module.ts) hands it the
// plugin modules, which it imports so that discovery can see their executors.
import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigReloader } from './config-reloader.service';
import { PluginRegistry } from './plugin-registry.service';

@Global()
@Module({})
export class RegistryModule {
  static forPlugins(pluginModules: readonly Type[]): DynamicModule {
    return {
      module: RegistryModule,
      imports: [DiscoveryModule, ...pluginModules],
      providers: [PluginRegistry, ConfigReloader],
      exports: [PluginRegistry, ConfigReloader],
    };
  }
}
