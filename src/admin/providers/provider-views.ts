// The JSON shapes of the admin providers routes: what GET /admin/v1/providers says of each
// instance. Secrets never enter these shapes: keys appear masked (mask-secret.ts), accounts by
// name. snake_case like the rest of the wire.

export type CredentialState = 'ready' | 'cooling' | 'needs_login' | 'disabled';

export interface QuotaWindowView {
  window: string;
  used_percent?: number;
  window_minutes?: number;
  status?: string;
  resets_at?: string;
}

export interface CredentialView {
  /** The id routing, logs and usage records know it by: `api_key`, `api_keys[0]`, `runtime:team-a`, `account:work`. */
  id: string;
  kind: 'api-key' | 'account';
  /** Where it comes from: providers.yaml, the admin API (runtime, in the store), or a login (account store). */
  source: 'file' | 'runtime' | 'login';
  /** API keys: the key masked, `sk-…abcd`. */
  masked_key?: string;
  label?: string;
  base_url?: string;
  /** Accounts. */
  provider?: string;
  account_id?: string;
  is_default?: boolean;
  state: CredentialState;
  /** Cooling: until when (ISO 8601). */
  cooling_until?: string;
  /** Why it is cooling, needs a login, or is disabled. */
  reason?: string;
  added_at?: string;
  last_error?: LastErrorView;
  /** Accounts: the quota windows the upstream last reported. */
  quota?: { captured_at: string; windows: QuotaWindowView[] };
}

export interface LastErrorView {
  at: string;
  credential: string;
  status?: number;
  message: string;
}

export interface ProviderView {
  name: string;
  /** The plugin (`type:`) serving it. */
  plugin: string;
  /** A provider byokey can log in to but not yet serve: its accounts are listed, it serves nothing. */
  login_only: boolean;
  enabled: boolean;
  /** Which field comes from where: providers.yaml, or a runtime change over the admin API. */
  sources: { enabled: 'file' | 'runtime'; models: 'file' | 'plugin' | 'none' };
  /** providers.yaml's own `enabled`, shown when a runtime change overrides it. */
  file_enabled?: boolean;
  models: string[];
  /** Ids beyond `models` reach it too (a plugin's pattern, e.g. any claude-*). */
  model_pattern?: string;
  /** Model ids the upstream itself listed at the last fetch. */
  upstream_models?: string[];
  excluded_models?: string[];
  credentials: CredentialView[];
  /** What to do when the instance has no credential it could use. */
  hint?: string;
  last_error?: LastErrorView;
}
