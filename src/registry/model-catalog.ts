// Which instance serves a model name. Order of precedence, first match wins:
//   1. an instance's explicit `models:` list;
//   2. an `instance/model` prefix (any model, sent to that instance with the prefix removed);
//   3. the plugins' built-in catalogs (exact ids) — except that an implicit instance's catalog
//      (a login with no providers.yaml entry) comes after the lists of the instances the file names;
//   4. the upstreams' own model lists, as last fetched (exact ids; live-model-lists.ts);
//   5. the plugins' model patterns (claude: any `claude-*`; codex: OpenAI-shaped ids), so a model
//      released after this build still reaches the upstream, whose own "no such model" comes
//      back if it is not real. Only ids without "/" (those are for step 2).
// Within each step the first instance in providers.yaml wins. Disabled instances serve nothing,
// and an instance serves none of its `excluded_models`, by any step. An instance with its own
// `models:` has no pattern and no fetched list: its list is the whole truth. Login-only instances
// serve nothing; they are kept only to say so when a request names one. An instance with no usable
// credential (instance-readiness.ts) lists nothing — GET /v1/models shows only what something can
// serve — and yields a model name to any instance that can serve it by any step (the default
// file's `openai` lists gpt-4.1; with OPENAI_API_KEY unset, a logged-in Copilot serves gpt-4.1).
// Only when nothing ready serves the name does it still route there, and the request gets a 503
// that says what to run. An `instance/model` name always goes to that instance.
import { matchesAny } from '../common/model-glob';
import type { ModelListEntry } from '../protocol/openai-chat';
import type { LoginOnlyInstance } from './login-only-instance';
import type { LiveModel, WireProtocol } from '../contract/provider-executor';
import type { ProviderInstance } from './provider-instance';

export interface ModelResolution {
  instance: ProviderInstance;
  /** The id to send upstream: the requested name, or the part after `instance/`. */
  upstreamModel: string;
  via: 'models' | 'prefix' | 'catalog' | 'live' | 'pattern';
}

/** An upstream's model list as last fetched. */
export interface LiveModelList {
  readonly models: readonly LiveModel[];
  readonly ids: ReadonlySet<string>;
  /** The models listed with a protocol of their own (LiveModel.protocol), by id. */
  readonly protocols?: ReadonlyMap<string, WireProtocol>;
}

/** Where the catalog reads the fetched lists; they change while the catalog lives. */
export interface LiveModelSource {
  /** What the instance's upstream listed at the last good fetch; undefined before one. */
  listOf(instance: ProviderInstance): LiveModelList | undefined;
}

/** One model a listing shows: the id that reaches it, its instance, and what the upstream said of it. */
export interface CatalogEntry {
  id: string;
  owner: string;
  displayName?: string;
  /** Unix seconds, where the upstream said. */
  created?: number;
}

const NO_LIVE_LISTS: LiveModelSource = { listOf: () => undefined };

/** Whether an instance can serve requests now (it has a usable credential); read at each listing. */
export type ReadinessSource = (instance: ProviderInstance) => boolean;

export class ModelCatalog {
  /** Each model's instances by step 1 and step 3, in config order (the first ready one wins). */
  private readonly listed = new Map<string, ProviderInstance[]>();
  private readonly cataloged = new Map<string, ProviderInstance[]>();
  private readonly byName = new Map<string, ProviderInstance>();
  private readonly disabled = new Map<string, string>();
  /** Enabled instances that take models beyond their `models` (a fetched list or a pattern), in config order. */
  private readonly open: ProviderInstance[] = [];

  constructor(
    readonly instances: readonly ProviderInstance[],
    readonly loginOnly: readonly LoginOnlyInstance[] = [],
    private readonly live: LiveModelSource = NO_LIVE_LISTS,
    private readonly isReady: ReadinessSource = () => true,
  ) {
    for (const instance of instances) {
      if (!instance.config.enabled) {
        for (const model of instance.models) if (!this.disabled.has(model)) this.disabled.set(model, instance.name);
        continue;
      }
      this.byName.set(instance.name, instance);
      const index = instance.listsOwnModels ? this.listed : this.cataloged;
      for (const model of instance.models) {
        if (excludes(instance, model)) continue;
        const owners = index.get(model);
        if (!owners) index.set(model, [instance]);
        else if (!owners.includes(instance)) owners.push(instance);
      }
      if (instance.fetchesModels || instance.modelPattern) this.open.push(instance);
    }
  }

  resolve(model: string): ModelResolution | undefined {
    const slash = model.indexOf('/');
    if (slash > 0 && slash < model.length - 1) {
      const listed = this.listed.get(model)?.[0];
      if (listed) return { instance: listed, upstreamModel: model, via: 'models' };
      const instance = this.byName.get(model.slice(0, slash));
      const upstreamModel = model.slice(slash + 1);
      if (instance && !excludes(instance, upstreamModel)) return { instance, upstreamModel, via: 'prefix' };
    }
    // First among the instances that can serve now; only if none can, among all (for the 503).
    return this.resolveAmong(model, (i) => this.isReady(i)) ?? this.resolveAmong(model, () => true);
  }

  /** resolve()'s steps 1, 3, 4 and 5 over the instances `accept` lets through (no arrays built: it runs per request). */
  private resolveAmong(model: string, accept: (instance: ProviderInstance) => boolean): ModelResolution | undefined {
    const listed = this.listed.get(model)?.find(accept);
    if (listed) return { instance: listed, upstreamModel: model, via: 'models' };
    const owners = this.cataloged.get(model);
    const named = owners?.find((i) => !i.config.implicit && accept(i));
    if (named) return { instance: named, upstreamModel: model, via: 'catalog' };
    const implicit = owners?.find(accept);
    // An implicit instance (a login with no providers.yaml entry) never takes a model from an
    // instance the file names: an explicit upstream's own list still wins over its catalog.
    if (implicit) {
      const live = this.open.find((i) => !i.config.implicit && accept(i) && this.liveHas(i, model) && !excludes(i, model));
      return live ? { instance: live, upstreamModel: model, via: 'live' } : { instance: implicit, upstreamModel: model, via: 'catalog' };
    }
    const live = this.open.find((i) => accept(i) && this.liveHas(i, model) && !excludes(i, model));
    if (live) return { instance: live, upstreamModel: model, via: 'live' };
    const patterned = this.open.find((i) => accept(i) && matchesPattern(i, model) && !excludes(i, model));
    if (patterned) return { instance: patterned, upstreamModel: model, via: 'pattern' };
    return undefined;
  }

  /** The instance that would have served this model but excludes it, to say so in the error. */
  excludingOwnerOf(model: string): string | undefined {
    const slash = model.indexOf('/');
    const named = slash > 0 ? this.byName.get(model.slice(0, slash)) : undefined;
    if (named && excludes(named, model.slice(slash + 1))) return named.name;
    const serves = (i: ProviderInstance) => i.models.includes(model) || this.liveHas(i, model) || matchesPattern(i, model);
    return this.instances.find((i) => i.config.enabled && serves(i) && excludes(i, model))?.name;
  }

  /**
   * The protocol the instance serves this model over: the one its upstream's list names for it
   * (an executor that speaks several, LiveModel.protocol), else its executor's. Before the list
   * is fetched, or for a model it does not name, the executor's.
   */
  protocolOf(instance: ProviderInstance, model: string): WireProtocol {
    const own = instance.fetchesModels ? this.live.listOf(instance)?.protocols?.get(model) : undefined;
    return own ?? instance.executor.protocol;
  }

  /** The disabled instance that would have served this model, to say so in the error. */
  disabledOwnerOf(model: string): string | undefined {
    const slash = model.indexOf('/');
    if (slash > 0) {
      const named = this.instances.find((i) => i.name === model.slice(0, slash));
      if (named && !named.config.enabled) return named.name;
    }
    return this.disabled.get(model) ?? this.instances.find((i) => !i.config.enabled && matchesPattern(i, model))?.name;
  }

  /** The login-only instance a model was sent to (`gemini/gemini-2.5-pro`), to say so in the error. */
  loginOnlyOwnerOf(model: string): LoginOnlyInstance | undefined {
    const slash = model.indexOf('/');
    return slash > 0 ? this.loginOnly.find((i) => i.name === model.slice(0, slash)) : undefined;
  }

  /** Whether the instance can serve requests now: enabled, with a usable credential. */
  ready(instance: ProviderInstance): boolean {
    return instance.config.enabled && this.isReady(instance);
  }

  /** The instances that can serve requests now, in config order. */
  readyInstances(): ProviderInstance[] {
    return this.instances.filter((i) => this.ready(i));
  }

  /**
   * Every model of every instance that can serve requests now (ready()), in config order: its `models` (or catalog), then the
   * ids its upstream listed that those lack. A model served by an earlier instance appears again
   * as `instance/model`, the name that reaches this one.
   */
  entries(): CatalogEntry[] {
    const out: CatalogEntry[] = [];
    const seen = new Set<string>();
    for (const instance of this.instances) {
      if (!this.ready(instance)) continue;
      const fetched = (instance.fetchesModels && this.live.listOf(instance)?.models) || [];
      const own = new Set(instance.models);
      const described = new Map(fetched.map((m) => [m.id, m]));
      const models: LiveModel[] = [...instance.models.map((id) => described.get(id) ?? { id }), ...fetched.filter((m) => !own.has(m.id))];
      for (const model of models) {
        if (excludes(instance, model.id)) continue;
        const owner = this.resolve(model.id)?.instance;
        const id = owner === instance && !seen.has(model.id) ? model.id : `${instance.name}/${model.id}`;
        // Never advertise a name that would reach another instance (a prefixed id that some
        // instance lists literally wins over the prefix).
        if (seen.has(id) || this.resolve(id)?.instance !== instance) continue;
        seen.add(id);
        out.push({ id, owner: instance.name, displayName: model.displayName, created: model.created });
      }
    }
    return out;
  }

  /** entries() in OpenAI's list shape; `created` stands in where the upstream gave no date. */
  list(created: number): ModelListEntry[] {
    return this.entries().map((e) => ({ id: e.id, object: 'model', created: e.created ?? created, owned_by: e.owner }));
  }

  private liveHas(instance: ProviderInstance, model: string): boolean {
    return instance.fetchesModels === true && this.live.listOf(instance)?.ids.has(model) === true;
  }
}

/**
 * Patterns match plain ids only: an `x/model` that reached no instance names a disabled,
 * login-only or unknown instance, and must not slip to whichever plugin's pattern fits.
 */
function matchesPattern(instance: ProviderInstance, model: string): boolean {
  return instance.modelPattern !== undefined && !model.includes('/') && instance.modelPattern.test(model);
}

function excludes(instance: ProviderInstance, model: string): boolean {
  return instance.excluded.length > 0 && matchesAny(instance.excluded, model);
}
