// Whether a provider instance can serve requests, and if not why and what fixes it: disabled,
// login only, or no usable credential (no account logged in for a subscription provider, or an
// `api_key` that came out empty because its ${ENV} was unset). One rule for the startup warnings,
// GET /v1/models (which lists only what something can serve), the 503 a request gets, and
// `byokey status`.
import { GatewayError } from '../common/gateway-error';
import type { ProviderInstanceConfigDto } from '../config/config.schema';
import type { ProviderInstanceConfig, RuntimeKeyConfig } from '../config/gateway-config';
import type { Account } from '../store/account';

/** What readiness needs of an account (no tokens). */
export type AccountSummary = Pick<Account, 'provider' | 'accountId' | 'status' | 'isDefault'>;

/** What readiness needs of an instance: its configuration and the provider whose accounts it uses. */
export interface InstanceCredentialFacts {
  readonly name: string;
  readonly config: Pick<ProviderInstanceConfig, 'enabled' | 'settings' | 'raw' | 'runtimeKeys'>;
  readonly accountsProvider?: string;
  /** The environment variables its keys name in the file (key-variables.ts), to name in the fix. */
  readonly keyVariables?: readonly string[];
}

export type Readiness =
  | { serves: true; /** e.g. `2 api keys`, `account "work"`, `no key needed` */ credentials: string }
  | {
      serves: false;
      reason: 'disabled' | 'login-only' | 'no-credential';
      /** What is wrong, e.g. `no account for codex`. */
      problem: string;
      /** What to do about it, e.g. "run `byokey login codex`". */
      fix: string;
    };

/** The upstream keys an instance has that are not empty: `api_key`, `api_keys`, runtime keys. */
export function upstreamKeyCount(settings: ProviderInstanceConfigDto, runtimeKeys: readonly RuntimeKeyConfig[] = []): number {
  return (settings.api_key ? 1 : 0) + (settings.api_keys?.filter((k) => k.key).length ?? 0) + runtimeKeys.filter((k) => k.key).length;
}

/**
 * Whether the instance's `accounts:` setting (or its default) lets it use this account: by
 * default all of them when it has no API key, none when it has one — an instance configured with
 * keys does not start spending a subscription unless asked to.
 */
export function accountSelected(settings: ProviderInstanceConfigDto, hasKeys: boolean, accountId: string): boolean {
  const selection = settings.accounts ?? (hasKeys ? 'none' : 'all');
  return selection === 'all' || (Array.isArray(selection) && selection.includes(accountId));
}

/**
 * Whether requests to the instance need a credential it lacks when it has none: always for a
 * provider with accounts (subscriptions refuse anonymous calls); for a key-only plugin when the
 * file gave a key that came out empty (a keyless local server lists none, and needs none).
 */
export function needsCredential(instance: InstanceCredentialFacts): boolean {
  const raw = instance.config.raw;
  return instance.accountsProvider !== undefined || 'api_key' in raw || 'api_keys' in raw;
}

export function instanceReadiness(instance: InstanceCredentialFacts, accounts: readonly AccountSummary[]): Readiness {
  const { settings, runtimeKeys, enabled } = instance.config;
  if (!enabled) {
    return { serves: false, reason: 'disabled', problem: 'disabled', fix: `set enabled: true on providers.${instance.name} (or enable it over the admin API)` };
  }
  const keys = upstreamKeyCount(settings, runtimeKeys);
  const provider = instance.accountsProvider;
  const selected = provider ? accounts.filter((a) => a.provider === provider && accountSelected(settings, keys > 0, a.accountId)) : [];
  const active = selected.filter((a) => a.status === 'active').sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  if (keys > 0 || active.length > 0) {
    const parts = [];
    if (keys > 0) parts.push(`${keys} api key${keys > 1 ? 's' : ''}`);
    if (active.length > 0) parts.push(`${active.length > 1 ? 'accounts' : 'account'} ${active.map((a) => `"${a.accountId}"`).join(', ')}`);
    return { serves: true, credentials: parts.join(' + ') };
  }
  if (!needsCredential(instance)) return { serves: true, credentials: 'no key needed' };
  return { serves: false, reason: 'no-credential', ...missingCredential(instance, selected) };
}

/** The startup warning's and the 503's text: `providers.codex: no account for codex: run ...`. */
export function describeUnready(name: string, readiness: Readiness & { serves: false }): string {
  return `providers.${name}: ${readiness.problem}: ${readiness.fix}`;
}

function missingCredential(instance: InstanceCredentialFacts, selected: readonly AccountSummary[]): { problem: string; fix: string } {
  const provider = instance.accountsProvider;
  if (provider) {
    const stale = selected.find((a) => a.status === 'needs_relogin');
    if (stale) {
      return { problem: `the ${provider} account "${stale.accountId}" needs a new login`, fix: `run \`byokey login ${provider} --account ${stale.accountId}\`` };
    }
    const off = selected.find((a) => a.status === 'disabled');
    if (off) {
      return { problem: `the only ${provider} account it may use ("${off.accountId}") is disabled`, fix: `run \`byokey login ${provider}\`, or \`byokey accounts use ${provider} <another account>\`` };
    }
    const named = Array.isArray(instance.config.settings.accounts) ? ` named in its accounts: (${instance.config.settings.accounts.join(', ')})` : '';
    return { problem: `no account for ${provider}${named}`, fix: `run \`byokey login ${provider}\`` };
  }
  const names = instance.keyVariables ?? [];
  if (names.length > 0) {
    const which = names.join(', ');
    return {
      problem: `its api_key is empty (${which} ${names.length > 1 ? 'are' : 'is'} unset or empty)`,
      fix: `export ${names.map((n) => `${n}=...`).join(' ')} and restart (or reload) byokey, or remove api_key from providers.${instance.name} if the upstream needs no key`,
    };
  }
  return {
    problem: 'its api_key is empty (the environment variable it names is unset or empty)',
    fix: `set that variable and restart (or reload), or remove api_key from providers.${instance.name} if the upstream needs no key`,
  };
}

/**
 * What a request gets from an instance with no usable credential: a 503 with the fix (`detail`:
 * "no account for codex: run `byokey login codex`"), never a 401 `authentication_error`, which
 * SDKs show as "bad API key" although the client's key is fine. `x-should-retry: false`: retrying
 * cannot help until someone logs in (the SDKs obey it).
 */
export function noCredentials(instance: string, detail: string): GatewayError {
  return new GatewayError(503, `Provider instance \`${instance}\` has no usable credential: ${detail}.`, {
    type: 'server_error',
    code: 'no_credentials',
    headers: { 'x-should-retry': 'false' },
  });
}
