// Login-only instances: providers.yaml entries for a provider byokey can log in to (it has an
// OAuth definition) but has no request plugin for yet. Every login has its plugin today (gemini
// and antigravity were the last), so none occur; the rule stays for a login that lands first.
// They exist so one file serves both `byokey login <provider> --config F`, which reads their
// `oauth:` settings, and `byokey serve --config F`; they take only `type`, `enabled` and `oauth`,
// and serve no models.
import { oauthSettingsInstance } from '../auth/resolve-oauth-definition';
import type { ConfigIssue } from '../config/config-error';
import { LoginOnlyInstanceConfigDto, ProviderInstanceConfigDto } from '../config/config.schema';
import type { GatewayConfig, ProviderInstanceConfig } from '../config/gateway-config';
import { issueAt, knownKeys, validateSection, type Locator } from '../config/validate-section';

export interface LoginOnlyInstance {
  readonly name: string;
  /** The provider it logs in to, e.g. `gemini`. */
  readonly type: string;
}

const LOGIN_KEYS = new Set(knownKeys(LoginOnlyInstanceConfigDto));
/** Keys that only a request plugin reads (models, base_url, api_key, …). */
const SERVING_KEYS = new Set(knownKeys(ProviderInstanceConfigDto).filter((key) => !LOGIN_KEYS.has(key)));

/** Every problem with a login-only entry; an empty list when it is fine. */
export function checkLoginOnlyInstance(instance: ProviderInstanceConfig, locate: Locator): ConfigIssue[] {
  const path = ['providers', instance.name];
  const issues: ConfigIssue[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(instance.raw)) {
    if (!SERVING_KEYS.has(key)) {
      rest[key] = value;
      continue;
    }
    // A plain "unknown key" would leave the user wondering why `models` is unknown: say that the
    // provider cannot be served at all, so no serving setting can help.
    issues.push(
      issueAt(
        [...path, key],
        `byokey cannot serve requests for ${instance.type} yet, only log in (\`byokey login ${instance.type}\`); ` +
          'remove this key: this instance takes only type, enabled and oauth',
        locate,
      ),
    );
  }
  // The rest through the usual validator: bad values, and "did you mean" for typos such as `oath`.
  issues.push(...validateSection(LoginOnlyInstanceConfigDto, rest, path, locate).issues);
  return issues;
}

/** The startup line for a login-only instance: what it does and does not do. */
export function describeLoginOnly(instance: LoginOnlyInstance, config: Pick<GatewayConfig, 'providers'>): string {
  const login = `\`byokey login ${instance.type}\``;
  const hasOAuth = config.providers.find((i) => i.name === instance.name)?.settings.oauth !== undefined;
  // Login reads the first instance of the provider with `oauth:`; say whether that is this one.
  const reader = oauthSettingsInstance(instance.type, config);
  const use =
    reader?.name === instance.name
      ? `${login} uses its oauth: settings`
      : hasOAuth
        ? `${login} uses the oauth: settings of providers.${reader!.name}, the first with any, not these`
        : `it has no oauth: settings (${login} uses ${reader ? `those of providers.${reader.name}` : 'the built-in ones'})`;
  return `providers.${instance.name}: login only — byokey has no request plugin for ${instance.type}; ${use}`;
}
