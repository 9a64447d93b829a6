// ModelCatalog: precedence (models > prefix > catalog > fetched lists > patterns), config order,
// disabled instances, prefix edge cases, and list() — its shape and its agreement with resolve().
import { ModelCatalog, type LiveModelList, type LiveModelSource } from './model-catalog';
import type { LiveModel, ProviderExecutor } from '../contract/provider-executor';
import type { ProviderInstance } from './provider-instance';

const executor: ProviderExecutor = {
  protocol: 'openai-chat',
  execute: () => Promise.reject(new Error('not called in these tests')),
};

interface Spec {
  /** The instance's own `models:` list. */
  models?: string[];
  /** The plugin catalog, used when `models` is absent. */
  catalog?: string[];
  enabled?: boolean;
  /** `excluded_models` globs. */
  excluded?: string[];
  /** The plugin's model pattern (dropped, as the registry drops it, when `models` is given). */
  pattern?: RegExp;
  /** Whether the upstream's list is fetched (never with `models`). */
  fetches?: boolean;
}

function instance(name: string, spec: Spec = {}): ProviderInstance {
  const enabled = spec.enabled ?? true;
  return {
    name,
    config: { name, type: 'openai-compatible', enabled, settings: spec.models ? { models: spec.models } : {}, raw: {} },
    executor,
    models: spec.models ?? spec.catalog ?? [],
    listsOwnModels: spec.models !== undefined,
    excluded: spec.excluded ?? [],
    modelPattern: spec.models ? undefined : spec.pattern,
    fetchesModels: spec.models ? false : spec.fetches,
  };
}

/** Fetched lists by instance name, changeable while a catalog uses them (as the real ones change). */
class FakeLiveLists implements LiveModelSource {
  readonly lists = new Map<string, LiveModelList>();
  set(name: string, models: Array<string | LiveModel>): this {
    const list = models.map((m) => (typeof m === 'string' ? { id: m } : m));
    this.lists.set(name, { models: list, ids: new Set(list.map((m) => m.id)) });
    return this;
  }
  listOf(instance: ProviderInstance): LiveModelList | undefined {
    return this.lists.get(instance.name);
  }
}

/** resolve() reduced to comparable values. */
function route(catalog: ModelCatalog, model: string) {
  const r = catalog.resolve(model);
  return r && { instance: r.instance.name, upstreamModel: r.upstreamModel, via: r.via };
}

describe('ModelCatalog.resolve', () => {
  const catalog = new ModelCatalog([
    instance('openai', { catalog: ['gpt-4o', 'gpt-4o-mini', 'shared-model'] }),
    instance('local', { models: ['llama-3.1-8b', 'shared-model', 'meta-llama/llama-3.1-8b'] }),
    instance('second', { models: ['llama-3.1-8b', 'only-second'] }),
    instance('meta-llama', { catalog: ['llama-3.1-8b', 'llama-3.1-70b'] }),
    instance('groq', { catalog: ['gpt-4o'] }),
  ]);

  it.each<[string, string, ReturnType<typeof route>]>([
    ['a listed model', 'only-second', { instance: 'second', upstreamModel: 'only-second', via: 'models' }],
    ['a catalog model', 'gpt-4o-mini', { instance: 'openai', upstreamModel: 'gpt-4o-mini', via: 'catalog' }],
    [
      'a listed model over an earlier catalog',
      'shared-model',
      { instance: 'local', upstreamModel: 'shared-model', via: 'models' },
    ],
    [
      'the first of two instances listing a model',
      'llama-3.1-8b',
      { instance: 'local', upstreamModel: 'llama-3.1-8b', via: 'models' },
    ],
    ['the first of two catalogs', 'gpt-4o', { instance: 'openai', upstreamModel: 'gpt-4o', via: 'catalog' }],
    [
      'an `instance/model` prefix, stripped upstream',
      'second/llama-3.1-8b',
      { instance: 'second', upstreamModel: 'llama-3.1-8b', via: 'prefix' },
    ],
    [
      'a prefix reaching a model the instance does not list',
      'groq/mixtral-8x7b',
      { instance: 'groq', upstreamModel: 'mixtral-8x7b', via: 'prefix' },
    ],
    [
      'a prefix whose rest contains "/" (only the first one splits)',
      'local/org/model-x',
      { instance: 'local', upstreamModel: 'org/model-x', via: 'prefix' },
    ],
    [
      'a listed id containing "/" over a prefix naming an instance',
      'meta-llama/llama-3.1-8b',
      { instance: 'local', upstreamModel: 'meta-llama/llama-3.1-8b', via: 'models' },
    ],
    [
      'a prefix over a catalog listing the prefixed id',
      'meta-llama/llama-3.1-70b',
      { instance: 'meta-llama', upstreamModel: 'llama-3.1-70b', via: 'prefix' },
    ],
  ])('resolves %s', (_label, model, expected) => {
    expect(route(catalog, model)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['an unknown model', 'claude-opus-4'],
    ['a trailing slash with nothing after it', 'local/'],
    ['a leading slash', '/gpt-4o'],
    ['a lone slash', '/'],
    ['an unknown prefix', 'nobody/gpt-4o'],
    ['a bare instance name', 'local'],
    ['a different-case model id', 'GPT-4O'],
  ])('resolves nothing for %s', (_label, model) => {
    expect(catalog.resolve(model)).toBeUndefined();
  });

  it('prefers the catalog over a prefix that names no instance', () => {
    const c = new ModelCatalog([instance('openrouter', { catalog: ['anthropic/claude-sonnet-4'] })]);
    expect(route(c, 'anthropic/claude-sonnet-4')).toEqual({
      instance: 'openrouter',
      upstreamModel: 'anthropic/claude-sonnet-4',
      via: 'catalog',
    });
  });

  it('returns the very instance object, with its executor', () => {
    const only = instance('solo', { models: ['m'] });
    const c = new ModelCatalog([only]);
    expect(c.resolve('m')?.instance).toBe(only);
    expect(c.resolve('solo/x')?.instance).toBe(only);
  });

  it('serves nothing with an empty catalog and no models, except through the prefix', () => {
    const c = new ModelCatalog([instance('vllm')]);
    expect(c.resolve('anything')).toBeUndefined();
    expect(route(c, 'vllm/anything')).toEqual({ instance: 'vllm', upstreamModel: 'anything', via: 'prefix' });
  });
});

describe('ModelCatalog with disabled instances', () => {
  const catalog = new ModelCatalog([
    instance('off', { models: ['m1', 'shared'], enabled: false }),
    instance('on', { models: ['shared'] }),
    instance('off-catalog', { catalog: ['c1'], enabled: false }),
    instance('off-too', { models: ['m1', 'm2'], enabled: false }),
  ]);

  it.each<[string, string]>([
    ['its listed model', 'm1'],
    ['its catalog model', 'c1'],
    ['its prefix', 'off/m1'],
    ['its prefix with an unlisted model', 'off/anything'],
  ])('serves nothing for %s', (_label, model) => {
    expect(catalog.resolve(model)).toBeUndefined();
  });

  it('lets a later enabled instance serve a model a disabled one lists first', () => {
    expect(route(catalog, 'shared')).toEqual({ instance: 'on', upstreamModel: 'shared', via: 'models' });
  });

  it.each<[string, string, string | undefined]>([
    ['a listed model: the first disabled owner', 'm1', 'off'],
    ['a model only the second disabled instance lists', 'm2', 'off-too'],
    ['a catalog model', 'c1', 'off-catalog'],
    ['a `disabled/model` prefix', 'off/whatever', 'off'],
    ['a `disabled/model` prefix of a catalog instance', 'off-catalog/c1', 'off-catalog'],
    ['an unknown model', 'nope', undefined],
    ['an enabled instance prefix', 'on/x', undefined],
    ['an unknown prefix', 'ghost/m9', undefined],
  ])('disabledOwnerOf names %s', (_label, model, owner) => {
    expect(catalog.disabledOwnerOf(model)).toBe(owner);
  });

  it('leaves disabled instances out of list()', () => {
    expect(catalog.list(1).map((e) => e.owned_by)).toEqual(['on']);
  });
});

describe('ModelCatalog.list', () => {
  const created = 1_732_500_000;

  it('lists every model of every enabled instance in config order, in the OpenAI shape', () => {
    const c = new ModelCatalog([
      instance('openai', { catalog: ['gpt-4o', 'gpt-4o-mini'] }),
      instance('local', { models: ['llama-3.1-8b', 'meta-llama/llama-3.1-8b'] }),
    ]);
    expect(c.list(created)).toStrictEqual([
      { id: 'gpt-4o', object: 'model', created, owned_by: 'openai' },
      { id: 'gpt-4o-mini', object: 'model', created, owned_by: 'openai' },
      { id: 'llama-3.1-8b', object: 'model', created, owned_by: 'local' },
      { id: 'meta-llama/llama-3.1-8b', object: 'model', created, owned_by: 'local' },
    ]);
  });

  it('lists a model served by an earlier instance again as `instance/model`', () => {
    const c = new ModelCatalog([
      instance('a', { models: ['m', 'x'] }),
      instance('b', { models: ['m'] }),
      instance('c', { catalog: ['m', 'x', 'own'] }),
    ]);
    expect(c.list(created).map((e) => [e.id, e.owned_by])).toEqual([
      ['m', 'a'],
      ['x', 'a'],
      ['b/m', 'b'],
      ['c/m', 'c'],
      ['c/x', 'c'],
      ['own', 'c'],
    ]);
  });

  it('lists a catalog model under its prefix when a later instance lists it (listed wins)', () => {
    const c = new ModelCatalog([instance('cat', { catalog: ['m'] }), instance('lister', { models: ['m'] })]);
    expect(c.list(created).map((e) => [e.id, e.owned_by])).toEqual([
      ['cat/m', 'cat'],
      ['m', 'lister'],
    ]);
  });

  it('lists nothing when no instance is enabled', () => {
    expect(new ModelCatalog([instance('x', { models: ['m'], enabled: false })]).list(created)).toEqual([]);
  });

  // Every id list() shows must reach the instance it names as owner, with the model it came from.
  it.each<[string, ProviderInstance[]]>([
    [
      'plain duplicates',
      [instance('a', { models: ['m'] }), instance('b', { catalog: ['m', 'n'] }), instance('c', { models: ['n', 'm'] })],
    ],
    [
      'ids containing "/"',
      [
        instance('groq', { models: ['openai/gpt-oss-120b', 'llama'] }),
        instance('openrouter', { models: ['openai/gpt-oss-120b', 'meta-llama/llama'] }),
        instance('openai', { catalog: ['gpt-oss-120b'] }),
      ],
    ],
    [
      // `openai/gpt-oss-120b` is both openai's prefixed name for its catalog model (which groq
      // serves) and a model openrouter lists explicitly; explicit lists win in resolve().
      'a prefixed id that another instance lists literally',
      [
        instance('groq', { models: ['gpt-oss-120b'] }),
        instance('openai', { catalog: ['gpt-oss-120b'] }),
        instance('openrouter', { models: ['openai/gpt-oss-120b'] }),
      ],
    ],
  ])('agrees with resolve(): %s', (_label, instances) => {
    const c = new ModelCatalog(instances);
    const listed = c.list(created);
    expect(new Set(listed.map((e) => e.id)).size).toBe(listed.length);
    for (const entry of listed) {
      const resolved = c.resolve(entry.id);
      expect({ id: entry.id, owner: resolved?.instance.name }).toEqual({ id: entry.id, owner: entry.owned_by });
      expect(instances.find((i) => i.name === entry.owned_by)?.models).toContain(resolved?.upstreamModel);
    }
  });
});

describe('ModelCatalog with excluded_models', () => {
  const catalog = new ModelCatalog([
    instance('codex', { catalog: ['gpt-5.1-codex', 'gpt-5.1-codex-mini', 'gpt-5'], excluded: ['*-mini'] }),
    instance('backup', { catalog: ['gpt-5.1-codex-mini'] }),
  ]);

  it('does not serve an excluded model, neither by name nor by prefix', () => {
    expect(route(catalog, 'gpt-5.1-codex')).toEqual({ instance: 'codex', upstreamModel: 'gpt-5.1-codex', via: 'catalog' });
    expect(route(catalog, 'codex/gpt-5.1-codex-mini')).toBeUndefined();
    expect(catalog.excludingOwnerOf('codex/gpt-5.1-codex-mini')).toBe('codex');
  });

  it('lets another instance serve what one excludes', () => {
    expect(route(catalog, 'gpt-5.1-codex-mini')).toEqual({ instance: 'backup', upstreamModel: 'gpt-5.1-codex-mini', via: 'catalog' });
  });

  it('hides excluded models from the list', () => {
    expect(catalog.list(0).map((m) => `${m.owned_by}:${m.id}`)).toEqual(['codex:gpt-5.1-codex', 'codex:gpt-5', 'backup:gpt-5.1-codex-mini']);
  });
});

describe('ModelCatalog with login-only instances', () => {
  const catalog = new ModelCatalog([instance('local', { models: ['m1'] })], [{ name: 'copilot', type: 'copilot' }]);

  it('serves nothing through them, not even by prefix, and lists nothing of theirs', () => {
    expect(route(catalog, 'copilot/gpt-4o')).toBeUndefined();
    expect(catalog.list(0).map((m) => m.owned_by)).toEqual(['local']);
  });

  it('names the login-only instance a prefixed model was sent to, and only then', () => {
    expect(catalog.loginOnlyOwnerOf('copilot/gpt-4o')).toEqual({ name: 'copilot', type: 'copilot' });
    expect(catalog.loginOnlyOwnerOf('copilot')).toBeUndefined();
    expect(catalog.loginOnlyOwnerOf('local/copilot')).toBeUndefined();
  });
});

describe('ModelCatalog with model patterns and fetched lists', () => {
  const CLAUDE = /^claude-/;
  const OPENAI_SHAPED = /^(?:gpt-|chatgpt-|codex-|o\d)/;

  it.each<[string, string, ReturnType<typeof route>]>([
    ['a new claude id by pattern', 'claude-opus-5-5', { instance: 'claude', upstreamModel: 'claude-opus-5-5', via: 'pattern' }],
    ['a new OpenAI-shaped id by pattern', 'gpt-6.2-sol', { instance: 'codex', upstreamModel: 'gpt-6.2-sol', via: 'pattern' }],
    ['an o-series id by pattern', 'o5-mini', { instance: 'codex', upstreamModel: 'o5-mini', via: 'pattern' }],
    ['a catalog id before any pattern', 'claude-sonnet-5-5', { instance: 'claude', upstreamModel: 'claude-sonnet-5-5', via: 'catalog' }],
    ['an id a later instance lists explicitly, over an earlier pattern', 'claude-local', { instance: 'local', upstreamModel: 'claude-local', via: 'models' }],
    ['a fetched id over an earlier pattern', 'gpt-oss-120b', { instance: 'vllm', upstreamModel: 'gpt-oss-120b', via: 'live' }],
    ['a fetched id no pattern covers', 'llama-4-scout', { instance: 'vllm', upstreamModel: 'llama-4-scout', via: 'live' }],
    ['`instance/anything` on a patterned instance, shape or not', 'codex/llama-3', { instance: 'codex', upstreamModel: 'llama-3', via: 'prefix' }],
  ])('resolves %s', (_label, model, expected) => {
    const live = new FakeLiveLists().set('vllm', ['gpt-oss-120b', 'llama-4-scout']);
    const catalog = new ModelCatalog(
      [
        instance('claude', { catalog: ['claude-sonnet-5-5'], pattern: CLAUDE, fetches: true }),
        instance('codex', { catalog: ['gpt-5.4'], pattern: OPENAI_SHAPED, fetches: true }),
        instance('vllm', { fetches: true }),
        instance('local', { models: ['claude-local'], pattern: CLAUDE }),
      ],
      [],
      live,
    );
    expect(route(catalog, model)).toEqual(expected);
  });

  it("gives an id an explicit instance's upstream lists to it, not to an implicit instance's catalog", () => {
    const implicit = instance('codex', { catalog: ['gpt-5.1', 'gpt-5.4'], fetches: true });
    implicit.config.implicit = true;
    const live = new FakeLiveLists().set('openai', ['gpt-5.1']);
    const catalog = new ModelCatalog([instance('openai', { fetches: true }), implicit], [], live);
    expect(route(catalog, 'gpt-5.1')).toEqual({ instance: 'openai', upstreamModel: 'gpt-5.1', via: 'live' });
    expect(route(catalog, 'gpt-5.4')).toEqual({ instance: 'codex', upstreamModel: 'gpt-5.4', via: 'catalog' });
  });

  it.each<[string, string]>([
    ['an id of no known shape', 'llama-3'],
    ['a claude-looking id with different case', 'Claude-opus-5-5'],
    ['an id that only contains a pattern', 'my-gpt-4o'],
    ['a matching id behind an unknown instance prefix', 'ghost/claude-opus-5-5'],
  ])('routes nothing for %s when no list names it', (_label, model) => {
    const catalog = new ModelCatalog([instance('claude', { pattern: CLAUDE }), instance('codex', { pattern: OPENAI_SHAPED })]);
    expect(catalog.resolve(model)).toBeUndefined();
  });

  it('gives an instance with its own `models:` no pattern', () => {
    const catalog = new ModelCatalog([instance('pinned', { models: ['claude-sonnet-5-5'], pattern: CLAUDE })]);
    expect(catalog.resolve('claude-opus-5-5')).toBeUndefined();
    expect(route(catalog, 'claude-sonnet-5-5')?.via).toBe('models');
  });

  it('takes the first instance in config order whose pattern matches', () => {
    const catalog = new ModelCatalog([instance('codex-a', { pattern: OPENAI_SHAPED }), instance('codex-b', { pattern: OPENAI_SHAPED })]);
    expect(route(catalog, 'gpt-7')?.instance).toBe('codex-a');
  });

  it('routes ids of a list fetched after the catalog was built, and stops when the list drops them', () => {
    const live = new FakeLiveLists();
    const catalog = new ModelCatalog([instance('vllm', { fetches: true })], [], live);
    expect(catalog.resolve('qwen3-coder')).toBeUndefined();
    live.set('vllm', ['qwen3-coder']);
    expect(route(catalog, 'qwen3-coder')).toEqual({ instance: 'vllm', upstreamModel: 'qwen3-coder', via: 'live' });
    live.set('vllm', []);
    expect(catalog.resolve('qwen3-coder')).toBeUndefined();
  });

  it('ignores a fetched list of an instance that does not fetch (its `models:` pins the list)', () => {
    const live = new FakeLiveLists().set('pinned', ['extra']);
    const catalog = new ModelCatalog([instance('pinned', { models: ['own'] })], [], live);
    expect(catalog.resolve('extra')).toBeUndefined();
    expect(catalog.list(0).map((e) => e.id)).toEqual(['own']);
  });

  it('serves no excluded model by pattern or fetched list, and names the excluding instance', () => {
    const live = new FakeLiveLists().set('codex', ['gpt-6-nano']);
    const catalog = new ModelCatalog(
      [instance('claude', { pattern: CLAUDE, excluded: ['claude-opus-*'] }), instance('codex', { pattern: OPENAI_SHAPED, fetches: true, excluded: ['*-nano'] })],
      [],
      live,
    );
    expect(catalog.resolve('claude-opus-5-5')).toBeUndefined();
    expect(catalog.excludingOwnerOf('claude-opus-5-5')).toBe('claude');
    expect(catalog.resolve('gpt-6-nano')).toBeUndefined();
    expect(catalog.excludingOwnerOf('gpt-6-nano')).toBe('codex');
    expect(catalog.list(0).map((e) => e.id)).toEqual([]);
    expect(route(catalog, 'claude-sonnet-5')?.via).toBe('pattern');
  });

  it('lets a later instance serve what an earlier one excludes by pattern', () => {
    const catalog = new ModelCatalog([instance('a', { pattern: CLAUDE, excluded: ['*-opus-*'] }), instance('b', { pattern: CLAUDE })]);
    expect(route(catalog, 'claude-opus-5-5')?.instance).toBe('b');
  });

  it('serves nothing by the pattern of a disabled instance, and names it', () => {
    const catalog = new ModelCatalog([instance('claude', { pattern: CLAUDE, enabled: false })]);
    expect(catalog.resolve('claude-opus-5-5')).toBeUndefined();
    expect(catalog.disabledOwnerOf('claude-opus-5-5')).toBe('claude');
    expect(catalog.disabledOwnerOf('gpt-6')).toBeUndefined();
  });

  it('lists built-in models, then fetched ones they lack, with what the upstream said of them', () => {
    const live = new FakeLiveLists()
      .set('claude', [{ id: 'claude-opus-5-5', displayName: 'Claude Opus 5.5', created: 1_790_000_000 }, { id: 'claude-sonnet-5-5', displayName: 'Claude Sonnet 4.5' }])
      .set('vllm', ['llama-4-scout']);
    const catalog = new ModelCatalog(
      [instance('claude', { catalog: ['claude-sonnet-5-5', 'claude-haiku-4-5'], pattern: CLAUDE, fetches: true }), instance('vllm', { fetches: true })],
      [],
      live,
    );
    expect(catalog.entries()).toEqual([
      { id: 'claude-sonnet-5-5', owner: 'claude', displayName: 'Claude Sonnet 4.5', created: undefined },
      { id: 'claude-haiku-4-5', owner: 'claude', displayName: undefined, created: undefined },
      { id: 'claude-opus-5-5', owner: 'claude', displayName: 'Claude Opus 5.5', created: 1_790_000_000 },
      { id: 'llama-4-scout', owner: 'vllm', displayName: undefined, created: undefined },
    ]);
    expect(catalog.list(7).map((e) => [e.id, e.created])).toEqual([
      ['claude-sonnet-5-5', 7],
      ['claude-haiku-4-5', 7],
      ['claude-opus-5-5', 1_790_000_000],
      ['llama-4-scout', 7],
    ]);
  });

  it('lists a fetched id that an earlier instance serves as `instance/id`, which reaches this one', () => {
    const live = new FakeLiveLists().set('second', ['m', 'n']).set('first', ['m']);
    const catalog = new ModelCatalog([instance('first', { fetches: true }), instance('second', { fetches: true })], [], live);
    const listed = catalog.list(0).map((e) => [e.id, e.owned_by]);
    expect(listed).toEqual([
      ['m', 'first'],
      ['second/m', 'second'],
      ['n', 'second'],
    ]);
    for (const [id, owner] of listed) expect(catalog.resolve(id)?.instance.name).toBe(owner);
  });
});

describe('ModelCatalog with instances that cannot serve now (no usable credential)', () => {
  // The default providers.yaml: `openai` lists gpt-4.1 with an api_key from an unset variable;
  // a logged-in Copilot account is an implicit instance whose catalog has gpt-4.1 too.
  function catalogWith(readyNames: Set<string>) {
    const copilot = instance('copilot', { catalog: ['gpt-4.1', 'claude-sonnet-4.5'] });
    copilot.config.implicit = true;
    const local = instance('local', { models: ['gpt-4.1', 'llama-3'] });
    return new ModelCatalog([instance('openai', { models: ['gpt-4.1', 'gpt-4o'] }), local, copilot], [], undefined, (i) => readyNames.has(i.name));
  }

  it('gives a model to the first instance that can serve it, by any step', () => {
    expect(route(catalogWith(new Set(['copilot'])), 'gpt-4.1')).toEqual({ instance: 'copilot', upstreamModel: 'gpt-4.1', via: 'catalog' });
    expect(route(catalogWith(new Set(['local', 'copilot'])), 'gpt-4.1')).toEqual({ instance: 'local', upstreamModel: 'gpt-4.1', via: 'models' });
    // Once openai has its key again, its explicit list rules.
    expect(route(catalogWith(new Set(['openai', 'local', 'copilot'])), 'gpt-4.1')).toEqual({ instance: 'openai', upstreamModel: 'gpt-4.1', via: 'models' });
  });

  it('still routes to an instance that cannot serve when nothing else serves the name (its 503 says what to run)', () => {
    expect(route(catalogWith(new Set(['copilot'])), 'gpt-4o')).toEqual({ instance: 'openai', upstreamModel: 'gpt-4o', via: 'models' });
    expect(route(catalogWith(new Set()), 'gpt-4.1')).toEqual({ instance: 'openai', upstreamModel: 'gpt-4.1', via: 'models' });
  });

  it('sends `instance/model` to that instance, ready or not', () => {
    expect(route(catalogWith(new Set(['copilot'])), 'openai/gpt-4.1')).toEqual({ instance: 'openai', upstreamModel: 'gpt-4.1', via: 'prefix' });
  });

  it('lists the model under the instance that will serve it, by its plain name', () => {
    const listed = catalogWith(new Set(['copilot'])).list(0).map((e) => [e.id, e.owned_by]);
    expect(listed).toEqual([
      ['gpt-4.1', 'copilot'],
      ['claude-sonnet-4.5', 'copilot'],
    ]);
  });
});
