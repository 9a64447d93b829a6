// PluginRegistry in a real Nest testing module: discovery of @ProviderPlugin executors, binding
// providers.yaml instances to plugins, login-only instances (an OAuth login, no plugin), and the
// startup errors for unknown types, plugin-specific settings, unknown keys, duplicate plugin ids
// and non-singleton plugins.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Module, Scope, type LoggerService, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsIn, IsOptional } from 'class-validator';
import type { OAuthDefinition } from '../auth/oauth-definition';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from '../auth/oauth-definitions.token';
import { ConfigError } from '../config/config-error';
import { parseGatewayConfig } from '../config/config.loader';
import { GatewayConfigModule } from '../config/config.module';
import { ProviderInstanceConfigDto } from '../config/config.schema';
import { AccountStore } from '../store/account-store';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { PluginRegistry } from './plugin-registry.service';
import type { Credential, LiveModel, ModelListCall, ProviderExecutor, UpstreamResult } from '../contract/provider-executor';
import { ProviderPlugin } from '../contract/provider-plugin.decorator';

class FakeWsSettingsDto extends ProviderInstanceConfigDto {
  @IsOptional()
  @IsIn(['http', 'websocket'], { message: 'must be "http" or "websocket"' })
  transport?: 'http' | 'websocket';
}

const notCalled = (): Promise<UpstreamResult> => Promise.reject(new Error('not called in these tests'));

@ProviderPlugin({ type: 'fake-chat', catalog: ['fake-small', 'fake-large'] })
@Injectable()
class FakeChatExecutor implements ProviderExecutor {
  readonly protocol = 'openai-chat' as const;
  execute = notCalled;
}

@ProviderPlugin({ type: 'fake-ws', catalog: ['ws-model'], settings: FakeWsSettingsDto })
@Injectable()
class FakeWsExecutor implements ProviderExecutor {
  readonly protocol = 'openai-responses' as const;
  execute = notCalled;
}

/** A plugin whose upstream lists its models and names new ones (`fl-…`) all the time. */
@ProviderPlugin({ type: 'fake-list', catalog: ['fl-built-in'], modelPattern: /^fl-/ })
@Injectable()
class FakeListingExecutor implements ProviderExecutor {
  readonly protocol = 'openai-chat' as const;
  readonly listed: string[] = [];
  execute = notCalled;
  listModels(call: ModelListCall): Promise<LiveModel[]> {
    this.listed.push(call.instance.name);
    return Promise.resolve([{ id: `listed-by-${call.instance.name}` }]);
  }
}

/** A plugin like openai-compatible: no catalog, no pattern, only what its upstream lists. */
@ProviderPlugin({ type: 'fake-open' })
@Injectable()
class FakeOpenExecutor implements ProviderExecutor {
  readonly protocol = 'openai-chat' as const;
  readonly listed: Array<{ instance: string; credential: Credential }> = [];
  execute = notCalled;
  listModels(call: ModelListCall): Promise<LiveModel[]> {
    this.listed.push({ instance: call.instance.name, credential: call.credential });
    return Promise.resolve([{ id: `open-${call.instance.name}` }]);
  }
}

/** Claims an id another plugin already has. */
@ProviderPlugin({ type: 'fake-chat' })
@Injectable()
class ImpostorChatExecutor implements ProviderExecutor {
  readonly protocol = 'openai-chat' as const;
  execute = notCalled;
}

@ProviderPlugin({ type: 'fake-scoped' })
@Injectable({ scope: Scope.REQUEST })
class RequestScopedExecutor implements ProviderExecutor {
  readonly protocol = 'openai-chat' as const;
  execute = notCalled;
}

/** A provider without the decorator, which discovery must skip. */
@Injectable()
class NotAPlugin {
  readonly protocol = 'openai-chat' as const;
}

@Module({ providers: [FakeChatExecutor, NotAPlugin] })
class FakeChatModule {}

@Module({ providers: [FakeWsExecutor] })
class FakeWsModule {}

@Module({ providers: [FakeListingExecutor, FakeOpenExecutor] })
class FakeListingModule {}

@Module({ providers: [ImpostorChatExecutor] })
class ImpostorModule {}

@Module({ providers: [RequestScopedExecutor] })
class ScopedModule {}

/** A subscription plugin, like codex: its instances can use the accounts of `fake-sub`. */
@ProviderPlugin({ type: 'fake-sub', catalog: ['sub-model'], accounts: 'fake-sub' })
@Injectable()
class FakeSubscriptionExecutor implements ProviderExecutor {
  readonly protocol = 'openai-responses' as const;
  execute = notCalled;
}

@Module({ providers: [FakeSubscriptionExecutor] })
class FakeSubscriptionModule {}

/** Startup log lines (`log` level), for the login-only notices. */
const logged: string[] = [];
const silent: LoggerService = { log: (message: string) => void logged.push(message), error() {}, warn: (message: string) => void logged.push(message), debug() {}, verbose() {} };
beforeEach(() => {
  logged.length = 0;
});

const FILE = 'providers.yaml';

function oauthDefinition(provider: string): OAuthDefinition {
  return {
    provider,
    displayName: provider,
    flow: 'device-code',
    clientId: 'client',
    scopes: [],
    pkce: false,
    deviceCodeUrl: 'https://login.example/device',
    tokenUrl: 'https://login.example/token',
    exchangeEncoding: 'form',
    refreshEncoding: 'form',
    refreshable: false,
  };
}

/**
 * Logins as in production: one for a provider that has a plugin (as codex does), one for a
 * provider that has none (as copilot has none), which makes `fake-login` a login-only type.
 */
const DEFINITIONS: OAuthDefinitions = { 'fake-chat': oauthDefinition('fake-chat'), 'fake-login': oauthDefinition('fake-login') };

async function boot(yaml: string, plugins: Type[] = [FakeChatModule, FakeWsModule], accounts?: AccountStore): Promise<TestingModule> {
  const config = parseGatewayConfig(yaml, FILE, {});
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule, GatewayConfigModule.forRoot(config), ...plugins],
    providers: [PluginRegistry, { provide: OAUTH_DEFINITIONS, useValue: DEFINITIONS }, ...(accounts ? [{ provide: AccountStore, useValue: accounts }] : [])],
  })
    .setLogger(silent)
    .compile();
  try {
    await moduleRef.init();
  } catch (error) {
    await moduleRef.close().catch(() => undefined);
    throw error;
  }
  return moduleRef;
}

/** The error startup fails with; fails the test if startup succeeds. */
async function bootError(yaml: string, plugins?: Type[]): Promise<Error> {
  let moduleRef: TestingModule | undefined;
  try {
    moduleRef = await boot(yaml, plugins);
  } catch (error) {
    return error as Error;
  }
  await moduleRef.close();
  throw new Error('expected startup to fail, but it succeeded');
}

async function configIssues(yaml: string) {
  const error = await bootError(yaml);
  expect(error).toBeInstanceOf(ConfigError);
  return { error: error as ConfigError, issues: (error as ConfigError).issues };
}

describe('PluginRegistry', () => {
  describe('with valid configuration', () => {
    let moduleRef: TestingModule;
    let registry: PluginRegistry;

    beforeAll(async () => {
      moduleRef = await boot(
        [
          'providers:',
          '  fake-chat: {}', // type defaults to the name; no models: the plugin catalog
          '  mine:',
          '    type: fake-chat',
          '    models: [own-model]',
          '  ws-main:',
          '    type: fake-ws',
          '    transport: websocket',
          '  ws-off:',
          '    type: fake-ws',
          '    enabled: false',
          '    models: [off-model]',
        ].join('\n'),
      );
      registry = moduleRef.get(PluginRegistry);
    });
    afterAll(() => moduleRef.close());

    it('discovers every decorated provider and nothing else', () => {
      expect(registry.pluginTypes()).toEqual(['fake-chat', 'fake-ws']);
    });

    it('binds each instance, in config order, to its plugin executor singleton', () => {
      const bound = registry.catalog.instances.map((i) => [i.name, i.config.type, i.executor]);
      expect(bound).toEqual([
        ['fake-chat', 'fake-chat', moduleRef.get(FakeChatExecutor)],
        ['mine', 'fake-chat', moduleRef.get(FakeChatExecutor)],
        ['ws-main', 'fake-ws', moduleRef.get(FakeWsExecutor)],
        ['ws-off', 'fake-ws', moduleRef.get(FakeWsExecutor)],
      ]);
    });

    it('serves the plugin catalog for an instance that lists no models', () => {
      const fakeChat = registry.catalog.instances[0];
      expect([fakeChat.models, fakeChat.listsOwnModels]).toEqual([['fake-small', 'fake-large'], false]);
      const r = registry.catalog.resolve('fake-large');
      expect([r?.instance.name, r?.upstreamModel, r?.via]).toEqual(['fake-chat', 'fake-large', 'catalog']);
      expect(registry.catalog.resolve('ws-model')?.instance.name).toBe('ws-main');
    });

    it('serves only its own list for an instance that has one', () => {
      const mine = registry.catalog.instances[1];
      expect([mine.models, mine.listsOwnModels]).toEqual([['own-model'], true]);
      expect(registry.catalog.resolve('own-model')?.via).toBe('models');
      expect(registry.catalog.list(0).filter((e) => e.owned_by === 'mine').map((e) => e.id)).toEqual(['own-model']);
    });

    it("validates a plugin's own settings class and keeps its keys", () => {
      const settings = registry.catalog.instances[2].config.settings;
      expect(settings).toBeInstanceOf(FakeWsSettingsDto);
      expect((settings as FakeWsSettingsDto).transport).toBe('websocket');
    });

    it('keeps disabled instances out of service but names them', () => {
      expect(registry.catalog.resolve('off-model')).toBeUndefined();
      expect(registry.catalog.disabledOwnerOf('off-model')).toBe('ws-off');
      expect(registry.catalog.list(0).map((e) => e.owned_by)).not.toContain('ws-off');
    });
  });

  it('starts with no instances configured', async () => {
    const moduleRef = await boot('server:\n  port: 8018\n');
    expect(moduleRef.get(PluginRegistry).catalog.instances).toEqual([]);
    await moduleRef.close();
  });

  describe('an instance whose type names no plugin', () => {
    const yaml = ['server:', '  port: 8018', 'providers:', '  mine:', '    base_url: http://127.0.0.1:1/v1', '    type: fake-chta', ''].join('\n');

    it('fails startup with a ConfigError at providers.<name>.type and its line', async () => {
      const { issues } = await configIssues(yaml);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ path: 'providers.mine.type', line: 6, column: 5 });
    });

    it('suggests the nearest plugin id and lists the known plugins', async () => {
      const { error, issues } = await configIssues(yaml);
      expect(issues[0].message).toBe(
        'no provider plugin is named "fake-chta"; did you mean "fake-chat"? (plugins: fake-chat, fake-ws; login only: fake-login)',
      );
      expect(error.message).toContain(`${FILE}:6:5: providers.mine.type: no provider plugin is named "fake-chta"`);
    });

    it('suggests nothing when no plugin id is close', async () => {
      const { issues } = await configIssues('providers:\n  mine:\n    type: anthropic\n');
      expect(issues[0].message).toBe('no provider plugin is named "anthropic" (plugins: fake-chat, fake-ws; login only: fake-login)');
    });
  });

  it('says an instance named like no plugin, without `type`, needs a type', async () => {
    const { issues } = await configIssues('providers:\n  fake-chat: {}\n  my-llm:\n    models: [m]\n');
    expect(issues).toEqual([
      {
        path: 'providers.my-llm',
        line: 3,
        column: 3,
        message: 'the instance name "my-llm" is not a provider plugin, so it needs a type (plugins: fake-chat, fake-ws; login only: fake-login)',
      },
    ]);
  });

  it('suggests a plugin for a misspelt instance name used as its type', async () => {
    const { issues } = await configIssues('providers:\n  fake-caht: {}\n');
    expect(issues[0].message).toContain('needs a type; did you mean "fake-chat"?');
  });

  it('reports every bad instance at once', async () => {
    const { issues } = await configIssues(
      'providers:\n  a:\n    type: nope\n  b:\n    type: fake-ws\n    transport: smoke\n  c:\n    type: fake-chat\n    colour: red\n',
    );
    expect(issues.map((i) => i.path)).toEqual(['providers.a.type', 'providers.b.transport', 'providers.c.colour']);
  });

  describe("a plugin's own settings", () => {
    it.each<[string, string]>([
      ['http', 'http'],
      ['websocket', 'websocket'],
    ])('accepts transport: %s', async (value, expected) => {
      const moduleRef = await boot(`providers:\n  ws:\n    type: fake-ws\n    transport: ${value}\n`);
      const settings = moduleRef.get(PluginRegistry).catalog.instances[0].config.settings as FakeWsSettingsDto;
      expect(settings.transport).toBe(expected);
      await moduleRef.close();
    });

    it('rejects a bad value, naming the field, its line and the value', async () => {
      const { issues } = await configIssues('providers:\n  ws:\n    type: fake-ws\n    transport: carrier-pigeon\n');
      expect(issues).toEqual([
        {
          path: 'providers.ws.transport',
          line: 4,
          column: 5,
          message: 'must be "http" or "websocket" (got "carrier-pigeon")',
        },
      ]);
    });

    it('rejects an unknown key with a "did you mean" from the plugin schema', async () => {
      const { issues } = await configIssues('providers:\n  ws:\n    type: fake-ws\n    transprot: http\n');
      expect(issues).toEqual([
        { path: 'providers.ws.transprot', line: 4, column: 5, message: 'unknown key; did you mean "transport"?' },
      ]);
    });

    it('rejects an unknown common key with a "did you mean" too', async () => {
      const { issues } = await configIssues('providers:\n  ws:\n    type: fake-ws\n    bse_url: http://x\n');
      expect(issues).toEqual([
        { path: 'providers.ws.bse_url', line: 4, column: 5, message: 'unknown key; did you mean "base_url"?' },
      ]);
    });

    it('rejects the key for an instance of a plugin that does not take it', async () => {
      const { issues } = await configIssues('providers:\n  fake-chat:\n    transport: websocket\n');
      expect(issues).toEqual([{ path: 'providers.fake-chat.transport', line: 3, column: 5, message: 'unknown key' }]);
    });
  });

  describe('a login-only instance (its provider has an OAuth login but no plugin)', () => {
    const yaml = [
      'providers:',
      '  fake-chat: {}',
      '  fake-login:',
      '    oauth:',
      '      device_code_url: https://proxy.corp.example/login/device/code',
      '  corp:',
      '    type: fake-login',
      '    enabled: false',
      '  corp-2:',
      '    type: fake-login',
      '    oauth: {client_id: other}',
      '',
    ].join('\n');

    it('is accepted, enabled or not, and serves no models', async () => {
      const moduleRef = await boot(yaml);
      const catalog = moduleRef.get(PluginRegistry).catalog;
      // fake-chat has a login too, but also a plugin: an ordinary instance.
      expect(catalog.instances.map((i) => i.name)).toEqual(['fake-chat']);
      expect(catalog.loginOnly).toEqual([
        { name: 'fake-login', type: 'fake-login' },
        { name: 'corp', type: 'fake-login' },
        { name: 'corp-2', type: 'fake-login' },
      ]);
      expect(catalog.list(0).map((e) => e.id)).toEqual(['fake-small', 'fake-large']);
      expect(catalog.resolve('fake-login/any-model')).toBeUndefined();
      expect(catalog.loginOnlyOwnerOf('fake-login/any-model')?.name).toBe('fake-login');
      await moduleRef.close();
    });

    it('logs one line per login-only instance, saying whether `byokey login` reads its oauth:', async () => {
      await (await boot(yaml)).close();
      expect(logged.filter((line) => line.includes('login only'))).toEqual([
        'providers.fake-login: login only — byokey has no request plugin for fake-login; `byokey login fake-login` uses its oauth: settings',
        'providers.corp: login only — byokey has no request plugin for fake-login; it has no oauth: settings (`byokey login fake-login` uses those of providers.fake-login)',
        'providers.corp-2: login only — byokey has no request plugin for fake-login; `byokey login fake-login` uses the oauth: settings of providers.fake-login, the first with any, not these',
      ]);
    });

    it('says when login falls back to the built-in settings', async () => {
      await (await boot('providers:\n  fake-login: {}\n')).close();
      expect(logged).toContain(
        'providers.fake-login: login only — byokey has no request plugin for fake-login; it has no oauth: settings (`byokey login fake-login` uses the built-in ones)',
      );
    });

    it('refuses each serving key, saying byokey can only log in to this provider', async () => {
      const { issues } = await configIssues(
        [
          'providers:',
          '  fake-login:',
          '    oauth: {token_url: https://proxy.corp.example/token}',
          '    models: [gpt-4o]',
          '    base_url: https://api.example/v1',
          '    api_key: sk-secret',
          '',
        ].join('\n'),
      );
      const because =
        'byokey cannot serve requests for fake-login yet, only log in (`byokey login fake-login`); remove this key: this instance takes only type, enabled and oauth';
      expect(issues).toEqual([
        { path: 'providers.fake-login.models', line: 4, column: 5, message: because },
        { path: 'providers.fake-login.base_url', line: 5, column: 5, message: because },
        { path: 'providers.fake-login.api_key', line: 6, column: 5, message: because },
      ]);
    });

    it('refuses a misspelt key with "did you mean", and a plugin\'s own key as unknown', async () => {
      const { issues } = await configIssues(
        'providers:\n  corp:\n    type: fake-login\n    oath: {client_id: x}\n    transport: websocket\n',
      );
      expect(issues).toEqual([
        { path: 'providers.corp.oath', line: 4, column: 5, message: 'unknown key; did you mean "oauth"?' },
        { path: 'providers.corp.transport', line: 5, column: 5, message: 'unknown key' },
      ]);
    });

    it('is offered for a misspelt type, and listed with the plugins', async () => {
      const { issues } = await configIssues('providers:\n  corp:\n    type: fake-logn\n');
      expect(issues[0].message).toBe(
        'no provider plugin is named "fake-logn"; did you mean "fake-login"? (plugins: fake-chat, fake-ws; login only: fake-login)',
      );
    });

    it('is accepted on reload too, and a reload that adds a serving key to one is refused', async () => {
      const moduleRef = await boot('providers:\n  fake-chat: {}\n');
      const registry = moduleRef.get(PluginRegistry);
      registry.reload(parseGatewayConfig(yaml, FILE, {}));
      expect(registry.catalog.loginOnly.map((i) => i.name)).toEqual(['fake-login', 'corp', 'corp-2']);
      const bad = parseGatewayConfig('providers:\n  fake-login:\n    models: [m]\n', FILE, {});
      expect(() => registry.reload(bad)).toThrow(/providers\.fake-login\.models: byokey cannot serve requests for fake-login yet/);
      expect(registry.catalog.loginOnly.map((i) => i.name)).toEqual(['fake-login', 'corp', 'corp-2']);
      await moduleRef.close();
    });
  });

  it('fails startup when two plugins claim the same id', async () => {
    const error = await bootError('', [FakeChatModule, FakeWsModule, ImpostorModule]);
    expect(error).not.toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/two provider plugins claim the id "fake-chat": \w+ and \w+/);
    expect(error.message).toContain('FakeChatExecutor');
    expect(error.message).toContain('ImpostorChatExecutor');
  });

  it('fails startup on a plugin that is not a singleton', async () => {
    const error = await bootError('', [FakeChatModule, ScopedModule]);
    expect(error.message).toBe('provider plugin fake-scoped (RequestScopedExecutor) must be a singleton provider');
  });

  describe('model patterns and upstream lists', () => {
    const yaml = [
      'providers:',
      '  fake-list: {}',
      '  pinned:',
      '    type: fake-list',
      '    models: [fl-only-this]',
      '  open:',
      '    type: fake-open',
      '    api_key: sk-open',
      '  open-pinned:',
      '    type: fake-open',
      '    models: [m]',
      '  plain:',
      '    type: fake-chat',
      '',
    ].join('\n');
    let moduleRef: TestingModule;
    let registry: PluginRegistry;

    beforeAll(async () => {
      moduleRef = await boot(yaml, [FakeChatModule, FakeWsModule, FakeListingModule]);
      registry = moduleRef.get(PluginRegistry);
    });
    afterAll(() => moduleRef.close());

    it("gives an instance its plugin's pattern and list, unless its own `models:` pins the list", () => {
      const bound = registry.catalog.instances.map((i) => [i.name, String(i.modelPattern), i.fetchesModels]);
      expect(bound).toEqual([
        ['fake-list', '/^fl-/', true],
        ['pinned', 'undefined', false],
        ['open', 'undefined', true],
        ['open-pinned', 'undefined', false],
        ['plain', 'undefined', false],
      ]);
      expect(registry.catalog.resolve('fl-released-today')?.instance.name).toBe('fake-list');
      expect(registry.catalog.resolve('fl-built-in')?.via).toBe('catalog');
    });

    it('fetches at startup only the lists that routing depends on (no pattern), with the first API key', () => {
      expect(moduleRef.get(FakeListingExecutor).listed).toEqual([]);
      expect(moduleRef.get(FakeOpenExecutor).listed).toEqual([{ instance: 'open', credential: { kind: 'api-key', id: 'api_key', key: 'sk-open' } }]);
      expect(registry.catalog.resolve('open-open')).toMatchObject({ upstreamModel: 'open-open', via: 'live' });
      expect(registry.catalog.resolve('open-open')?.instance.name).toBe('open');
    });

    it('fetches the others when asked, and lists what they fetched', async () => {
      await registry.liveModels.refresh(registry.catalog.instances);
      expect(moduleRef.get(FakeListingExecutor).listed).toEqual(['fake-list']);
      expect(registry.catalog.list(0).map((e) => `${e.owned_by}:${e.id}`)).toEqual([
        'fake-list:fl-built-in',
        'fake-list:listed-by-fake-list',
        'pinned:fl-only-this',
        'open:open-open',
        'open-pinned:m',
        'plain:fake-small',
        'plain:fake-large',
      ]);
    });

    it('keeps fetched lists of unchanged instances across a reload, and fetches for a new one', async () => {
      registry.reload(parseGatewayConfig(`${yaml}  open-2:\n    type: fake-open\n`, FILE, {}));
      expect(registry.catalog.resolve('open-open')?.via).toBe('live');
      expect(moduleRef.get(FakeOpenExecutor).listed.map((l) => l.instance)).toEqual(['open', 'open-2']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(registry.catalog.resolve('open-open-2')?.instance.name).toBe('open-2');
    });
  });

  describe('implicit instances (a logged-in account, no instance of its plugin in the file)', () => {
    let home: string;
    let store: SqliteAccountStore;
    const PLUGINS = [FakeChatModule, FakeSubscriptionModule];
    const FILE_WITHOUT_SUB = 'providers:\n  plain:\n    type: fake-chat\n';
    const login = (accountId = 'default') => store.save({ provider: 'fake-sub', accountId, tokens: { accessToken: `at-${accountId}` } });

    beforeEach(() => {
      home = mkdtempSync(join(tmpdir(), 'byokey-registry-'));
      store = SqliteAccountStore.open({ home });
    });
    afterEach(() => {
      store.close();
      rmSync(home, { recursive: true, force: true });
    });

    it('serves a provider that has an account with an instance named after its plugin, and lists its models', async () => {
      await login();
      const moduleRef = await boot(FILE_WITHOUT_SUB, PLUGINS, store);
      const registry = moduleRef.get(PluginRegistry);
      expect(registry.catalog.resolve('sub-model')?.instance.name).toBe('fake-sub');
      expect(registry.catalog.list(0).map((e) => `${e.owned_by}:${e.id}`)).toEqual(['plain:fake-small', 'plain:fake-large', 'fake-sub:sub-model']);
      expect(registry.config.providers.find((p) => p.name === 'fake-sub')?.implicit).toBe(true);
      expect(logged).toContain('provider instances: plain (fake-chat), fake-sub (fake-sub, implicit: a logged-in account)');
      await moduleRef.close();
    });

    it('adds it when the first account appears while running, and keeps an explicit disabled entry off', async () => {
      const moduleRef = await boot(FILE_WITHOUT_SUB, PLUGINS, store);
      const registry = moduleRef.get(PluginRegistry);
      expect(registry.catalog.resolve('sub-model')).toBeUndefined();
      await login('work');
      await registry.refreshAccounts();
      expect(registry.catalog.resolve('sub-model')?.instance.name).toBe('fake-sub');
      expect(logged).toContain('providers.fake-sub: serving the fake-sub account (implicit instance: providers.yaml has none of type fake-sub)');
      await moduleRef.close();

      const off = await boot('providers:\n  fake-sub:\n    enabled: false\n', PLUGINS, store);
      expect(off.get(PluginRegistry).catalog.resolve('sub-model')).toBeUndefined();
      expect(off.get(PluginRegistry).catalog.disabledOwnerOf('sub-model')).toBe('fake-sub');
      await off.close();
    });

    it('warns at start about an explicit instance with no account, and lists none of its models', async () => {
      const moduleRef = await boot('providers:\n  sub:\n    type: fake-sub\n', PLUGINS, store);
      const registry = moduleRef.get(PluginRegistry);
      expect(logged).toContain('providers.sub: no account for fake-sub: run `byokey login fake-sub` (its models are not listed; requests for them answer 503)');
      expect(registry.catalog.list(0)).toEqual([]);
      // It still routes, so a request gets the 503 that says what to run rather than a 404.
      expect(registry.catalog.resolve('sub-model')?.instance.name).toBe('sub');
      await login();
      await registry.refreshAccounts();
      expect(registry.catalog.list(0).map((e) => e.id)).toEqual(['sub-model']);
      await moduleRef.close();
    });
  });
});
