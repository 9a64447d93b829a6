// Turns the model a client asked for into the targets to try, in order (issue #6): a thinking
// suffix split off (`model(high)`), an alias expanded (one name → a model, or several tried in
// order), each name resolved to a provider instance (`models` lists, `instance/model`, catalogs;
// excluded models refused), then the configured fallbacks of those names appended.
import { GatewayError } from '../common/gateway-error';
import type { RoutingSettings } from '../config/gateway-config';
import type { WireProtocol } from '../protocol/wire-protocol';
import type { ModelCatalog } from '../registry/model-catalog';
import type { ProviderInstance } from '../registry/provider-instance';
import { parseThinkingSuffix, type ThinkingRequest } from './thinking-suffix';

export interface RouteTarget {
  instance: ProviderInstance;
  /** The id sent upstream (any `instance/` prefix removed). */
  upstreamModel: string;
  /** The name this target was reached by (after alias expansion), for logs and fallbacks. */
  model: string;
  /**
   * The protocol the instance serves this model over: its executor's, or the one its model list
   * names for the model (ModelCatalog.protocolOf). The bridge is picked from it.
   */
  protocol: WireProtocol;
}

export interface RoutePlan {
  /** What the client asked for. */
  requested: string;
  thinking?: ThinkingRequest;
  /** In the order to try: the model (or the alias's models), then fallbacks. */
  targets: RouteTarget[];
}

export function planRoute(requested: string, catalog: ModelCatalog, routing: RoutingSettings): RoutePlan {
  const { model, thinking } = parseThinkingSuffix(requested);
  const names = routing.aliases[model] ?? [model];
  const targets: RouteTarget[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    const resolved = catalog.resolve(name);
    if (!resolved) return;
    const key = `${resolved.instance.name}\u0000${resolved.upstreamModel}`;
    if (seen.has(key)) return;
    seen.add(key);
    const protocol = catalog.protocolOf(resolved.instance, resolved.upstreamModel);
    targets.push({ instance: resolved.instance, upstreamModel: resolved.upstreamModel, model: name, protocol });
  };
  for (const name of names) add(name);
  for (const name of names) for (const fallback of routing.fallbacks[name] ?? []) add(fallback);
  if (targets.length === 0) throw notServed(model, names, catalog);
  return { requested, thinking, targets };
}

function notServed(model: string, names: string[], catalog: ModelCatalog): GatewayError {
  const name = names[0] ?? model;
  const excluding = catalog.excludingOwnerOf(name);
  const disabled = catalog.disabledOwnerOf(name);
  const loginOnly = catalog.loginOnlyOwnerOf(name);
  const message = excluding
    ? `The model \`${name}\` is excluded on provider instance \`${excluding}\` (excluded_models in providers.yaml).`
    : disabled
      ? `The model \`${name}\` is served by provider instance \`${disabled}\`, which is disabled (enabled: false in providers.yaml).`
      : loginOnly
        ? `The model \`${name}\` cannot be served: provider instance \`${loginOnly.name}\` is login only (byokey has no request plugin for ${loginOnly.type} yet; the instance is there for \`byokey login ${loginOnly.type}\`).`
        : `The model \`${model}\` does not exist or is not served by any enabled provider. GET /v1/models lists the models this gateway serves; \`instance/model\` sends any model to a named instance.`;
  return new GatewayError(404, message, { type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
}
