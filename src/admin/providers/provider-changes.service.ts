// Runtime changes to provider instances over the admin API: switch one on or off, add or remove
// an upstream API key. Each is written to the ProviderOverridesStore (so it survives restarts)
// and then put in force at once by the registry, which lays the store's overrides over
// providers.yaml — here, and on the other gateway instances sharing the store, which a change
// notice tells to read it again. The file is never written: it stays the base.
import { Injectable, Logger } from '@nestjs/common';
import { GatewayError } from '../../common/gateway-error';
import type { ProviderInstanceConfig } from '../../config/gateway-config';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { ProviderOverridesStore } from '../../store/provider-overrides-store';
import { ChangeNotices } from '../../store/shared/change-notices';

export interface AddKeyRequest {
  key: string;
  label?: string;
  baseUrl?: string;
}

@Injectable()
export class ProviderChangesService {
  private readonly logger = new Logger('AdminProviders');

  constructor(
    private readonly registry: PluginRegistry,
    private readonly store: ProviderOverridesStore,
    private readonly notices: ChangeNotices,
  ) {}

  /** `enabled` true/false overrides the file; null goes back to it. */
  async setEnabled(name: string, enabled: boolean | null): Promise<void> {
    const instance = this.servingInstance(name);
    await this.store.setEnabled(instance.name, enabled ?? undefined);
    await this.applied(`${instance.name} ${enabled === null ? 'enabled as the file says' : enabled ? 'enabled' : 'disabled'}`);
    this.logger.log(`provider instance ${instance.name}: ${enabled === null ? 'enabled as providers.yaml says' : enabled ? 'enabled' : 'disabled'} (admin API)`);
  }

  /** Adds the key; returns its credential id (`runtime:<label>`). */
  async addKey(name: string, request: AddKeyRequest): Promise<string> {
    const instance = this.servingInstance(name);
    const settings = instance.settings;
    const existing = [settings.api_key, ...(settings.api_keys ?? []).map((k) => k.key), ...(instance.runtimeKeys ?? []).map((k) => k.key)];
    if (existing.includes(request.key)) {
      throw new GatewayError(409, `Provider instance \`${instance.name}\` already has this key; nothing was added.`, {
        type: 'invalid_request_error',
        code: 'key_exists',
        param: 'key',
      });
    }
    const labels = new Set((instance.runtimeKeys ?? []).map((k) => k.label));
    const label = request.label ?? nextLabel(labels);
    const added = await this.store.addKey(instance.name, { label, key: request.key, baseUrl: request.baseUrl });
    if (!added) {
      throw new GatewayError(409, `Provider instance \`${instance.name}\` already has a key labelled "${label}"; choose another label, or delete that key first.`, {
        type: 'invalid_request_error',
        code: 'label_taken',
        param: 'label',
      });
    }
    await this.applied(`${instance.name}: key runtime:${label} added`);
    this.logger.log(`provider instance ${instance.name}: upstream key runtime:${label} added (admin API)`);
    return `runtime:${label}`;
  }

  /**
   * Removes a runtime key named by its label (or `runtime:<label>`), or by its position among the
   * instance's runtime keys (0, 1, …). Keys from providers.yaml are refused: the file is the base.
   */
  async removeKey(name: string, ref: string): Promise<string> {
    const instance = this.servingInstance(name);
    const runtimeKeys = instance.runtimeKeys ?? [];
    const label = /^\d+$/.test(ref) ? runtimeKeys[Number(ref)]?.label : ref.replace(/^runtime:/, '');
    const found = label !== undefined && runtimeKeys.some((k) => k.label === label);
    if (!found) {
      const fileIds = fileKeyIds(instance);
      if (fileIds.includes(ref)) {
        throw new GatewayError(
          409,
          `The key ${ref} of \`${instance.name}\` comes from providers.yaml (${instance.name}.${ref}), which the admin API does not edit: remove it from the file, then POST /admin/v1/reload.`,
          { type: 'invalid_request_error', code: 'key_from_file' },
        );
      }
      const known = runtimeKeys.map((k, i) => `${i}: ${k.label}`).join(', ');
      throw new GatewayError(
        404,
        `Provider instance \`${instance.name}\` has no runtime key "${ref}" (${known ? `runtime keys: ${known}` : 'it has no runtime keys'}).`,
        { type: 'not_found_error', code: 'key_not_found' },
      );
    }
    await this.store.removeKey(instance.name, label!);
    await this.applied(`${instance.name}: key runtime:${label} removed`);
    this.logger.log(`provider instance ${instance.name}: upstream key runtime:${label} removed (admin API)`);
    return `runtime:${label}`;
  }

  /** Puts the stored change in force here, and tells the other instances to. */
  private async applied(detail: string): Promise<void> {
    await this.registry.applyStoredOverrides();
    await this.notices.publish('providers', detail);
  }

  /** The configured instance that serves requests, or the error that says why this one cannot be changed. */
  private servingInstance(name: string): ProviderInstanceConfig {
    const instance = this.registry.config.providers.find((p) => p.name === name);
    if (!instance) {
      const names = this.registry.config.providers.map((p) => p.name);
      throw new GatewayError(404, `No provider instance is named \`${name}\` (instances: ${names.length > 0 ? names.join(', ') : 'none'}).`, {
        type: 'not_found_error',
        code: 'instance_not_found',
      });
    }
    if (this.registry.catalog.loginOnly.some((i) => i.name === name)) {
      throw new GatewayError(409, `Provider instance \`${name}\` is login only: byokey has no request plugin for ${instance.type}, so it serves nothing to change.`, {
        type: 'invalid_request_error',
        code: 'login_only_instance',
      });
    }
    return instance;
  }
}

function nextLabel(taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) if (!taken.has(`key-${n}`)) return `key-${n}`;
}

function fileKeyIds(instance: ProviderInstanceConfig): string[] {
  const ids = instance.settings.api_key ? ['api_key'] : [];
  instance.settings.api_keys?.forEach((_, index) => ids.push(`api_keys[${index}]`));
  return ids;
}
