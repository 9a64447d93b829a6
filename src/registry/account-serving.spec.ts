// What `byokey login` / `accounts import` say about who serves the new account.
import { parseGatewayConfig } from '../config/config.loader';
import type { ProviderPluginOptions } from '../contract/provider-plugin.decorator';
import { PROVIDER_PLUGIN_MODULES } from '../providers';
import { pluginOptionsOf } from './plugin-options';
import { describeAccountServing } from './account-serving';

const PLUGINS = new Map<string, ProviderPluginOptions>([
  ['openai-compatible', { type: 'openai-compatible' }],
  ['codex', { type: 'codex', accounts: 'codex' }],
]);
const FILE = '/etc/byokey/providers.yaml';
const say = (yaml: string, provider = 'codex', accountId = 'work') =>
  describeAccountServing(parseGatewayConfig(yaml, FILE, {}), PLUGINS, [{ provider, accountId, status: 'active', isDefault: true }], { provider, accountId });

describe('describeAccountServing', () => {
  it('names the implicit instance when the file has none of the plugin', () => {
    expect(say('providers: {}\n')).toBe(`Provider instance codex (implicit: ${FILE} has no codex instance) serves it: a running \`byokey serve\` picks it up within seconds.`);
  });

  it('names the file\'s instance that uses it', () => {
    expect(say('providers:\n  chatgpt:\n    type: codex\n')).toBe(`Provider instance chatgpt (${FILE}) serves it: a running \`byokey serve\` picks it up within seconds.`);
  });

  it('gives the lines to add when the instance is disabled or does not select the account', () => {
    expect(say('providers:\n  codex:\n    enabled: false\n')).toBe(
      `Provider instance codex is disabled in ${FILE}, so nothing serves it. To serve it, set there:\n  providers:\n    codex:\n      enabled: true`,
    );
    expect(say('providers:\n  codex:\n    accounts: [home]\n')).toBe(
      `Provider instance codex does not use it (it has an API key, or its accounts: names others). To serve it, set in providers.codex of ${FILE}:\n      accounts: [home, work]    # or: accounts: all`,
    );
    expect(say('providers:\n  codex:\n    api_key: sk-1\n')).toContain('accounts: [work]    # or: accounts: all');
  });

  it('gives an instance to add when the plugin\'s name is taken by another type', () => {
    expect(say('providers:\n  codex:\n    type: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n    models: [m]\n')).toBe(
      `No provider instance serves it: providers.codex in ${FILE} is of type openai-compatible, so no implicit codex instance is added. ` +
        `To serve it, add to ${FILE}:\n  providers:\n    codex-login:\n      type: codex`,
    );
  });

  it('serves kimi and iflow logins with the real plugins: implicitly, or by the file\'s entry', () => {
    const plugins = pluginOptionsOf(PROVIDER_PLUGIN_MODULES);
    const real = (yaml: string, provider: string) =>
      describeAccountServing(parseGatewayConfig(yaml, FILE, {}), plugins, [], { provider, accountId: 'default' });
    for (const provider of ['kimi', 'iflow']) {
      expect(real('providers: {}\n', provider)).toBe(
        `Provider instance ${provider} (implicit: ${FILE} has no ${provider} instance) serves it: a running \`byokey serve\` picks it up within seconds.`,
      );
      expect(real(`providers:\n  mine:\n    type: ${provider}\n`, provider)).toContain(`Provider instance mine (${FILE}) serves it`);
    }
  });

  it('says a provider without a request plugin keeps the account for later', () => {
    expect(say('providers: {}\n', 'copilot', 'default')).toBe('byokey cannot serve copilot requests yet (no request plugin); the account is kept for when it can.');
  });
});
