// LiveModelLists on a fake clock and a scripted fetch: the first fill waited for only so long, the
// cached list served at once afterwards, a background refresh after the TTL, failures logged once
// with the last good list (or none) kept, retries spaced, bounded lists, reloads, shutdown.
import { FakeTime } from '../../test/fakes/fake-time';
import {
  FIRST_FILL_WAIT_MS,
  LIVE_LIST_TTL_MS,
  LiveModelLists,
  MAX_MODELS_PER_INSTANCE,
  RETRY_AFTER_FAILURE_MS,
} from './live-model-lists';
import type { LiveModel, ProviderExecutor } from '../contract/provider-executor';
import type { ProviderInstance } from './provider-instance';

const executor: ProviderExecutor = { protocol: 'openai-chat', execute: () => Promise.reject(new Error('not called')) };

function instance(name: string, raw: Record<string, unknown> = {}, extra: Partial<ProviderInstance> = {}): ProviderInstance {
  return {
    name,
    config: { name, type: 'openai-compatible', enabled: true, settings: {}, raw },
    executor,
    models: [],
    listsOwnModels: false,
    excluded: [],
    fetchesModels: true,
    ...extra,
  };
}

/** A fetch the test answers by hand, one call at a time. */
class ScriptedFetch {
  readonly calls: Array<{ name: string; signal: AbortSignal; resolve(models: LiveModel[]): void; reject(error: Error): void }> = [];
  readonly fetch = (target: ProviderInstance, signal: AbortSignal): Promise<LiveModel[]> =>
    new Promise((resolve, reject) => this.calls.push({ name: target.name, signal, resolve, reject }));
  get last() {
    const call = this.calls[this.calls.length - 1];
    if (!call) throw new Error('no fetch was made');
    return call;
  }
}

/** Lets settled promises run their continuations. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const time = new FakeTime('manual');
  const fetcher = new ScriptedFetch();
  const warnings: string[] = [];
  const notes: string[] = [];
  const lists = new LiveModelLists({
    fetch: fetcher.fetch,
    now: time.now,
    sleep: (ms, signal) => time.sleep(ms, signal),
    warn: (message) => warnings.push(message),
    log: (message) => notes.push(message),
  });
  const ids = (target: ProviderInstance) => lists.listOf(target)?.models.map((m) => m.id);
  return { time, fetcher, warnings, notes, lists, ids };
}

describe('LiveModelLists', () => {
  it('fetches a list on first refresh and waits for it when it comes in time', async () => {
    const { fetcher, lists, ids } = setup();
    const vllm = instance('vllm');
    let done = false;
    const refreshed = lists.refresh([vllm]).then(() => (done = true));
    await settle();
    expect(fetcher.calls.map((c) => c.name)).toEqual(['vllm']);
    expect(done).toBe(false);
    fetcher.last.resolve([{ id: 'llama-4' }, { id: 'qwen3' }]);
    await refreshed;
    expect(ids(vllm)).toEqual(['llama-4', 'qwen3']);
    expect(lists.listOf(vllm)?.ids.has('qwen3')).toBe(true);
  });

  it('waits no longer than the first-fill bound for a slow upstream, and fills the list when it answers', async () => {
    const { time, fetcher, lists, ids } = setup();
    const slow = instance('slow');
    let done = false;
    const refreshed = lists.refresh([slow]).then(() => (done = true));
    await settle();
    time.advance(FIRST_FILL_WAIT_MS - 1);
    await settle();
    expect(done).toBe(false);
    time.advance(1);
    await refreshed;
    expect(ids(slow)).toBeUndefined();
    fetcher.last.resolve([{ id: 'late' }]);
    await settle();
    expect(ids(slow)).toEqual(['late']);
  });

  it('answers at once from the cache, with no fetch, while the list is fresh', async () => {
    const { time, fetcher, lists, ids } = setup();
    const vllm = instance('vllm');
    const first = lists.refresh([vllm]);
    await settle();
    fetcher.last.resolve([{ id: 'a' }]);
    await first;
    time.advance(LIVE_LIST_TTL_MS - 1);
    await lists.refresh([vllm]);
    expect(fetcher.calls).toHaveLength(1);
    expect(ids(vllm)).toEqual(['a']);
  });

  it('refreshes a stale list in the background: the caller gets the old list at once, the next one the new', async () => {
    const { time, fetcher, lists, ids } = setup();
    const vllm = instance('vllm');
    const first = lists.refresh([vllm]);
    await settle();
    fetcher.last.resolve([{ id: 'old' }]);
    await first;
    time.advance(LIVE_LIST_TTL_MS);
    // Resolves without the fetch being answered: nobody waits on a refresh.
    await lists.refresh([vllm]);
    expect(fetcher.calls).toHaveLength(2);
    expect(ids(vllm)).toEqual(['old']);
    // A second caller during the refresh does not start another fetch.
    await lists.refresh([vllm]);
    expect(fetcher.calls).toHaveLength(2);
    fetcher.last.resolve([{ id: 'new' }]);
    await settle();
    expect(ids(vllm)).toEqual(['new']);
  });

  it('keeps the last good list when a refresh fails, logs the failure once, and says when it is back', async () => {
    const { time, fetcher, lists, ids, warnings, notes } = setup();
    const vllm = instance('vllm');
    const first = lists.refresh([vllm]);
    await settle();
    fetcher.last.resolve([{ id: 'kept' }]);
    await first;

    time.advance(LIVE_LIST_TTL_MS);
    await lists.refresh([vllm]);
    fetcher.last.reject(new Error('upstream vllm answered 503'));
    await settle();
    expect(ids(vllm)).toEqual(['kept']);
    expect(warnings).toEqual([
      "providers.vllm: could not fetch the upstream's model list (upstream vllm answered 503); serving the list fetched before (1 models) meanwhile",
    ]);

    // Not asked again before the retry delay; asked again after it, failing silently this time.
    await lists.refresh([vllm]);
    expect(fetcher.calls).toHaveLength(2);
    time.advance(RETRY_AFTER_FAILURE_MS);
    await lists.refresh([vllm]);
    expect(fetcher.calls).toHaveLength(3);
    fetcher.last.reject(new Error('upstream vllm answered 503'));
    await settle();
    expect(warnings).toHaveLength(1);

    time.advance(RETRY_AFTER_FAILURE_MS);
    await lists.refresh([vllm]);
    fetcher.last.resolve([{ id: 'kept' }, { id: 'added' }]);
    await settle();
    expect(ids(vllm)).toEqual(['kept', 'added']);
    expect(notes).toEqual(["providers.vllm: fetched the upstream's model list again (2 models)"]);
  });

  it('serves no list (the built-in one) when the first fetch fails, without waiting out the bound', async () => {
    const { fetcher, lists, ids, warnings } = setup();
    const down = instance('down');
    const refreshed = lists.refresh([down]);
    await settle();
    fetcher.last.reject(new Error('could not reach upstream down (ECONNREFUSED)'));
    await refreshed;
    expect(ids(down)).toBeUndefined();
    expect(warnings).toEqual([
      "providers.down: could not fetch the upstream's model list (could not reach upstream down (ECONNREFUSED)); serving the built-in model list meanwhile",
    ]);
  });

  it('survives a fetch that throws at once (the refresh still settles, nothing waits on a sleep)', async () => {
    const warnings: string[] = [];
    const broken = new LiveModelLists({
      fetch: () => {
        throw new Error('no account for provider codex');
      },
      now: () => 0,
      sleep: () => new Promise(() => undefined),
      warn: (message) => warnings.push(message),
      log: () => undefined,
    });
    await broken.refresh([instance('codex')]);
    expect(warnings).toEqual([
      "providers.codex: could not fetch the upstream's model list (no account for provider codex); serving the built-in model list meanwhile",
    ]);
  });

  it('fetches nothing for instances that do not fetch or are disabled', async () => {
    const { fetcher, lists } = setup();
    await lists.refresh([
      instance('pinned', {}, { fetchesModels: false }),
      { ...instance('off'), config: { ...instance('off').config, enabled: false } },
    ]);
    expect(fetcher.calls).toEqual([]);
  });

  it('waits for several first fills together, within one bound', async () => {
    const { time, fetcher, lists, ids } = setup();
    const a = instance('a');
    const b = instance('b');
    let done = false;
    const refreshed = lists.refresh([a, b]).then(() => (done = true));
    await settle();
    expect(fetcher.calls.map((c) => c.name)).toEqual(['a', 'b']);
    fetcher.calls[0].resolve([{ id: 'from-a' }]);
    await settle();
    expect(done).toBe(false);
    time.advance(FIRST_FILL_WAIT_MS);
    await refreshed;
    expect([ids(a), ids(b)]).toEqual([['from-a'], undefined]);
  });

  it('keeps at most the bound of models, each id once', async () => {
    const { fetcher, lists } = setup();
    const huge = instance('huge');
    const refreshed = lists.refresh([huge]);
    await settle();
    const models = Array.from({ length: MAX_MODELS_PER_INSTANCE + 500 }, (_, i) => ({ id: `m-${i % (MAX_MODELS_PER_INSTANCE + 100)}` }));
    fetcher.last.resolve([{ id: 'dup' }, { id: 'dup' }, { id: '' }, ...models]);
    await refreshed;
    const list = lists.listOf(huge)!;
    expect(list.models).toHaveLength(MAX_MODELS_PER_INSTANCE);
    expect(list.models.filter((m) => m.id === 'dup')).toHaveLength(1);
    expect(list.ids.size).toBe(MAX_MODELS_PER_INSTANCE);
  });

  it('starts over for an instance whose settings changed on reload, and keeps the list of one whose did not', async () => {
    const { fetcher, lists, ids } = setup();
    const before = instance('vllm', { base_url: 'http://a/v1' });
    const first = lists.refresh([before]);
    await settle();
    fetcher.last.resolve([{ id: 'from-a' }]);
    await first;

    const same = instance('vllm', { base_url: 'http://a/v1' });
    expect(ids(same)).toEqual(['from-a']);
    const moved = instance('vllm', { base_url: 'http://b/v1' });
    expect(ids(moved)).toBeUndefined();
    lists.prime([moved]);
    expect(fetcher.calls).toHaveLength(2);
  });

  it('forgets instances no longer configured', async () => {
    const { fetcher, lists, ids } = setup();
    const gone = instance('gone');
    const first = lists.refresh([gone]);
    await settle();
    fetcher.last.resolve([{ id: 'x' }]);
    await first;
    lists.retain([instance('other')]);
    expect(ids(gone)).toBeUndefined();
  });

  it('aborts fetches under way on close, says nothing of them, and starts no more', async () => {
    const { fetcher, lists, warnings } = setup();
    lists.prime([instance('vllm')]);
    const pending = fetcher.last;
    lists.close();
    expect(pending.signal.aborted).toBe(true);
    pending.reject(new Error('aborted'));
    await settle();
    expect(warnings).toEqual([]);
    lists.prime([instance('vllm2')]);
    expect(fetcher.calls).toHaveLength(1);
  });
});
