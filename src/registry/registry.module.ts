// The plugin registry; imports every provider plugin module so discovery can see them.
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PROVIDER_PLUGIN_MODULES } from '../providers';
import { ConfigReloader } from './config-reloader.service';
import { PluginRegistry } from './plugin-registry.service';

@Global()
@Module({
  imports: [DiscoveryModule, ...PROVIDER_PLUGIN_MODULES],
  providers: [PluginRegistry, ConfigReloader],
  exports: [PluginRegistry, ConfigReloader],
})
export class RegistryModule {}
