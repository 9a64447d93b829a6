// The upstreams' own model lists, cached per provider instance (stale-while-revalidate): a list
// is fetched when first asked for, and a caller waits for that first fill only a short while
// (FIRST_FILL_WAIT_MS); afterwards it always gets the cached list at once, and a list older than
// the TTL is fetched again in the background. A failed fetch is logged once (until one succeeds
// again), retried no sooner than RETRY_AFTER_FAILURE_MS, and the last good list (or none: the
// built-in one) is served meanwhile. The fetch, the clock and the sleep are dependencies, so the
// cache is tested without sockets or real time.
import type { LiveModelList, LiveModelSource } from './model-catalog';
import type { LiveModel, WireProtocol } from '../contract/provider-executor';
import type { ProviderInstance } from './provider-instance';

export const LIVE_LIST_TTL_MS = 10 * 60_000;
/** The most a request waits for a list that was never fetched; then it goes on without it. */
export const FIRST_FILL_WAIT_MS = 2_000;
/** A failing upstream is asked again no sooner than this. */
export const RETRY_AFTER_FAILURE_MS = 60_000;
/** Models kept per instance: an upstream listing more does not grow the gateway without bound. */
export const MAX_MODELS_PER_INSTANCE = 2_000;

export interface LiveModelListsDeps {
  /** Fetches one instance's list from its upstream. */
  fetch(instance: ProviderInstance, signal: AbortSignal): Promise<LiveModel[]>;
  now(): number;
  /** Resolves after `ms`; rejects (or never resolves) once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  warn(message: string): void;
  log(message: string): void;
  ttlMs?: number;
  firstFillWaitMs?: number;
  retryAfterFailureMs?: number;
  maxModels?: number;
}

interface Entry {
  /** The configuration the list belongs to (a reload that changes it starts over). */
  key: string;
  list?: LiveModelList;
  fetchedAt?: number;
  failedAt?: number;
  /** A failure was logged and no fetch has succeeded since. */
  failing: boolean;
  inflight?: Promise<void>;
}

export class LiveModelLists implements LiveModelSource {
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new WeakMap<ProviderInstance, string>();
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  constructor(private readonly deps: LiveModelListsDeps) {}

  listOf(instance: ProviderInstance): LiveModelList | undefined {
    const entry = this.entries.get(instance.name);
    return entry && entry.key === this.keyOf(instance) ? entry.list : undefined;
  }

  /**
   * Brings the lists of these instances up to date: starts a fetch for each that is missing or
   * stale, and waits (at most the first-fill bound) for those that never had a list yet.
   */
  async refresh(instances: readonly ProviderInstance[]): Promise<void> {
    const firstFills: Promise<void>[] = [];
    for (const instance of instances) {
      const entry = this.update(instance);
      if (entry && !entry.list && entry.inflight) firstFills.push(entry.inflight);
    }
    if (firstFills.length === 0) return;
    const stop = new AbortController();
    const waited = this.deps.sleep(this.deps.firstFillWaitMs ?? FIRST_FILL_WAIT_MS, stop.signal).catch(() => undefined);
    await Promise.race([Promise.all(firstFills), waited]);
    stop.abort();
  }

  /** Starts fetching these instances' lists in the background; nobody waits. */
  prime(instances: readonly ProviderInstance[]): void {
    for (const instance of instances) this.update(instance);
  }

  /** Forgets the lists of instances no longer configured (after a reload). */
  retain(instances: readonly ProviderInstance[]): void {
    const names = new Set(instances.map((i) => i.name));
    for (const name of this.entries.keys()) if (!names.has(name)) this.entries.delete(name);
  }

  /** Aborts every fetch under way and starts no more (shutdown). */
  close(): void {
    this.closed = true;
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }

  /** The instance's entry, with a fetch started if its list is due; undefined if it has no list to fetch. */
  private update(instance: ProviderInstance): Entry | undefined {
    if (!instance.fetchesModels || !instance.config.enabled || this.closed) return undefined;
    const key = this.keyOf(instance);
    let entry = this.entries.get(instance.name);
    if (!entry || entry.key !== key) {
      entry = { key, failing: false };
      this.entries.set(instance.name, entry);
    }
    if (!entry.inflight && this.due(entry)) entry.inflight = this.fetch(instance, entry);
    return entry;
  }

  private due(entry: Entry): boolean {
    const now = this.deps.now();
    if (entry.failedAt !== undefined && now - entry.failedAt < (this.deps.retryAfterFailureMs ?? RETRY_AFTER_FAILURE_MS)) return false;
    return entry.fetchedAt === undefined || now - entry.fetchedAt >= (this.deps.ttlMs ?? LIVE_LIST_TTL_MS);
  }

  /** Starts the instance's fetch; the promise settles (never rejects) once the entry is updated. */
  private fetch(instance: ProviderInstance, entry: Entry): Promise<void> {
    const controller = new AbortController();
    this.controllers.add(controller);
    let fetched: Promise<LiveModel[]>;
    try {
      fetched = this.deps.fetch(instance, controller.signal);
    } catch (error) {
      fetched = Promise.reject(error);
    }
    return this.record(instance, entry, fetched).finally(() => {
      this.controllers.delete(controller);
      entry.inflight = undefined;
    });
  }

  private async record(instance: ProviderInstance, entry: Entry, fetched: Promise<LiveModel[]>): Promise<void> {
    try {
      const models = await fetched;
      entry.list = toList(models, this.deps.maxModels ?? MAX_MODELS_PER_INSTANCE);
      entry.fetchedAt = this.deps.now();
      entry.failedAt = undefined;
      if (entry.failing) this.deps.log(`providers.${instance.name}: fetched the upstream's model list again (${entry.list.models.length} models)`);
      entry.failing = false;
    } catch (error) {
      entry.failedAt = this.deps.now();
      if (!entry.failing && !this.closed) {
        const kept = entry.list ? `the list fetched before (${entry.list.models.length} models)` : 'the built-in model list';
        this.deps.warn(`providers.${instance.name}: could not fetch the upstream's model list (${(error as Error).message}); serving ${kept} meanwhile`);
      }
      entry.failing = true;
    }
  }

  private keyOf(instance: ProviderInstance): string {
    let key = this.keys.get(instance);
    if (key === undefined) {
      key = JSON.stringify([instance.config.type, instance.config.raw]);
      this.keys.set(instance, key);
    }
    return key;
  }
}

/** The fetched models, first of each id kept, at most `max`. */
function toList(models: readonly LiveModel[], max: number): LiveModelList {
  const ids = new Set<string>();
  const kept: LiveModel[] = [];
  const protocols = new Map<string, WireProtocol>();
  for (const model of models) {
    if (kept.length >= max) break;
    if (typeof model.id !== 'string' || model.id === '' || ids.has(model.id)) continue;
    ids.add(model.id);
    kept.push(model);
    if (model.protocol !== undefined) protocols.set(model.id, model.protocol);
  }
  return { models: kept, ids, protocols };
}
