// Decides, per request, which provider instance and which of its credentials serve a model.
import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error';
import type { Credential } from '../registry/provider-executor';
import type { ProviderInstance } from '../registry/provider-instance';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { CredentialPool } from './credential-pool';

export interface RouteTarget {
  instance: ProviderInstance;
  upstreamModel: string;
  credential: Credential;
}

@Injectable()
export class RequestRouter {
  /** Keyed by the instance object, so a reloaded config starts fresh pools. */
  private readonly pools = new WeakMap<ProviderInstance, CredentialPool>();

  constructor(private readonly registry: PluginRegistry) {}

  route(model: string): RouteTarget {
    const catalog = this.registry.catalog;
    const resolved = catalog.resolve(model);
    if (!resolved) {
      const disabled = catalog.disabledOwnerOf(model);
      const message = disabled
        ? `The model \`${model}\` is served by provider instance \`${disabled}\`, which is disabled (enabled: false in providers.yaml).`
        : `The model \`${model}\` does not exist or is not served by any enabled provider. GET /v1/models lists the models this gateway serves; \`instance/model\` sends any model to a named instance.`;
      throw new GatewayError(404, message, { type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
    }
    const { instance, upstreamModel } = resolved;
    let pool = this.pools.get(instance);
    if (!pool) {
      pool = new CredentialPool(instance.config.settings);
      this.pools.set(instance, pool);
    }
    return { instance, upstreamModel, credential: pool.take() };
  }
}
