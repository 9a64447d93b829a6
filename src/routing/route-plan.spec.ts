// planRoute: suffixes, aliases, fallbacks, and what a name that nothing serves is told.
import type { RoutingSettings } from '../config/gateway-config';
import { ModelCatalog } from '../registry/model-catalog';
import type { ProviderExecutor } from '../contract/provider-executor';
import type { ProviderInstance } from '../registry/provider-instance';
import { planRoute } from './route-plan';

const executor: ProviderExecutor = { protocol: 'openai-chat', execute: () => Promise.reject(new Error('unused')) };
const instance = (name: string, models: string[], extra: Partial<ProviderInstance> = {}, enabled = true): ProviderInstance => ({
  name,
  config: { name, type: 'openai-compatible', enabled, settings: { models }, raw: {} },
  executor,
  models,
  listsOwnModels: true,
  excluded: [],
  ...extra,
});

const catalog = new ModelCatalog(
  [instance('a', ['m1', 'm2', 'm1-mini'], { excluded: ['*-mini'] }), instance('b', ['m3']), instance('off', ['m9'], {}, false)],
  [{ name: 'corp-copilot', type: 'copilot' }],
);

const routing = (overrides: Partial<RoutingSettings> = {}): RoutingSettings => ({
  strategy: 'round-robin',
  cooldownMs: 60_000,
  maxAttempts: 3,
  deadlineMs: 120_000,
  aliases: {},
  fallbacks: {},
  payload: { default: [], override: [], filter: [] },
  ...overrides,
});

const names = (plan: ReturnType<typeof planRoute>) => plan.targets.map((t) => `${t.instance.name}:${t.upstreamModel}`);

describe('planRoute', () => {
  it('routes a model to its instance, a prefix to the named one', () => {
    expect(names(planRoute('m1', catalog, routing()))).toEqual(['a:m1']);
    expect(names(planRoute('b/anything', catalog, routing()))).toEqual(['b:anything']);
  });

  it('splits a thinking suffix off the name', () => {
    const plan = planRoute('m1(high)', catalog, routing());
    expect(names(plan)).toEqual(['a:m1']);
    expect(plan.thinking).toEqual({ kind: 'level', level: 'high' });
  });

  it('expands an alias to its models in order, then adds their fallbacks once each', () => {
    const plan = planRoute('best', catalog, routing({ aliases: { best: ['m3', 'm1'] }, fallbacks: { m3: ['m2', 'm1'], m1: ['m2'] } }));
    expect(names(plan)).toEqual(['b:m3', 'a:m1', 'a:m2']);
  });

  it('skips alias entries and fallbacks that nothing serves', () => {
    expect(names(planRoute('best', catalog, routing({ aliases: { best: ['nope', 'm2'] }, fallbacks: { m2: ['gone'] } })))).toEqual(['a:m2']);
  });

  it.each([
    ['unknown', /does not exist/],
    ['m1-mini', /excluded on provider instance `a`/],
    ['m9', /instance `off`, which is disabled/],
    ['corp-copilot/gpt-4o', /instance `corp-copilot` is login only \(byokey has no request plugin for copilot yet; the instance is there for `byokey login copilot`\)/],
  ])('answers %s with a 404 that says why', (model, message) => {
    expect(() => planRoute(model, catalog, routing())).toThrow(message);
  });

  it('answers a login-only instance with the usual 404 model_not_found', () => {
    let thrown: unknown;
    try {
      planRoute('corp-copilot/gpt-4o', catalog, routing());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error', param: 'model' });
  });
});
