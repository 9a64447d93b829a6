// Which instance serves a model name. Order of precedence (issue #2): an instance's explicit
// `models` list, then an `instance/model` prefix, then the plugins' built-in catalogs; among
// instances, the first in providers.yaml wins. Disabled instances serve nothing, and an instance
// serves none of its `excluded_models`. Login-only instances serve nothing; they are kept only to
// say so when a request names one.
import { matchesAny } from '../common/model-glob';
import type { ModelListEntry } from '../protocol/openai-chat';
import type { LoginOnlyInstance } from './login-only-instance';
import type { ProviderInstance } from './provider-instance';

export interface ModelResolution {
  instance: ProviderInstance;
  /** The id to send upstream: the requested name, or the part after `instance/`. */
  upstreamModel: string;
  via: 'models' | 'prefix' | 'catalog';
}

export class ModelCatalog {
  private readonly listed = new Map<string, ProviderInstance>();
  private readonly cataloged = new Map<string, ProviderInstance>();
  private readonly byName = new Map<string, ProviderInstance>();
  private readonly disabled = new Map<string, string>();

  constructor(
    readonly instances: readonly ProviderInstance[],
    readonly loginOnly: readonly LoginOnlyInstance[] = [],
  ) {
    for (const instance of instances) {
      if (!instance.config.enabled) {
        for (const model of instance.models) if (!this.disabled.has(model)) this.disabled.set(model, instance.name);
        continue;
      }
      this.byName.set(instance.name, instance);
      const index = instance.listsOwnModels ? this.listed : this.cataloged;
      for (const model of instance.models) if (!index.has(model) && !excludes(instance, model)) index.set(model, instance);
    }
  }

  resolve(model: string): ModelResolution | undefined {
    const listed = this.listed.get(model);
    if (listed) return { instance: listed, upstreamModel: model, via: 'models' };
    const slash = model.indexOf('/');
    if (slash > 0 && slash < model.length - 1) {
      const instance = this.byName.get(model.slice(0, slash));
      const upstreamModel = model.slice(slash + 1);
      if (instance && !excludes(instance, upstreamModel)) return { instance, upstreamModel, via: 'prefix' };
    }
    const cataloged = this.cataloged.get(model);
    if (cataloged) return { instance: cataloged, upstreamModel: model, via: 'catalog' };
    return undefined;
  }

  /** The instance that would have served this model but excludes it, to say so in the error. */
  excludingOwnerOf(model: string): string | undefined {
    const slash = model.indexOf('/');
    const named = slash > 0 ? this.byName.get(model.slice(0, slash)) : undefined;
    if (named && excludes(named, model.slice(slash + 1))) return named.name;
    return this.instances.find((i) => i.config.enabled && i.models.includes(model) && excludes(i, model))?.name;
  }

  /** The disabled instance that would have served this model, to say so in the error. */
  disabledOwnerOf(model: string): string | undefined {
    const slash = model.indexOf('/');
    if (slash > 0) {
      const named = this.instances.find((i) => i.name === model.slice(0, slash));
      if (named && !named.config.enabled) return named.name;
    }
    return this.disabled.get(model);
  }

  /** The login-only instance a model was sent to (`copilot/gpt-4o`), to say so in the error. */
  loginOnlyOwnerOf(model: string): LoginOnlyInstance | undefined {
    const slash = model.indexOf('/');
    return slash > 0 ? this.loginOnly.find((i) => i.name === model.slice(0, slash)) : undefined;
  }

  /**
   * Every model of every enabled instance, in config order. A model served by an earlier
   * instance appears again as `instance/model`, the name that reaches this one.
   */
  list(created: number): ModelListEntry[] {
    const out: ModelListEntry[] = [];
    const seen = new Set<string>();
    for (const instance of this.instances) {
      if (!instance.config.enabled) continue;
      for (const model of instance.models) {
        if (excludes(instance, model)) continue;
        const owner = this.resolve(model)?.instance;
        const id = owner === instance && !seen.has(model) ? model : `${instance.name}/${model}`;
        // Never advertise a name that would reach another instance (a prefixed id that some
        // instance lists literally wins over the prefix).
        if (seen.has(id) || this.resolve(id)?.instance !== instance) continue;
        seen.add(id);
        out.push({ id, object: 'model', created, owned_by: instance.name });
      }
    }
    return out;
  }
}

function excludes(instance: ProviderInstance, model: string): boolean {
  return instance.excluded.length > 0 && matchesAny(instance.excluded, model);
}
