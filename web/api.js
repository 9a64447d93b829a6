// The console's only way to the gateway: the admin REST API under /admin/v1 (see /openapi.json),
// with the admin key as a bearer token on each call. The key lives in sessionStorage (gone when
// the tab closes); no cookie is ever set, so no other site can make the browser call the API.

const STORAGE_KEY = 'byokey.adminKey';
const BASE = '/admin/v1';

/** An error answer of the admin API (OpenAI's shape: {error: {message, type, code, param}}). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {string | null} code
   */
  constructor(status, message, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** @returns {string | null} */
export function storedAdminKey() {
  return sessionStorage.getItem(STORAGE_KEY);
}

/** @param {string | null} key */
export function storeAdminKey(key) {
  if (key === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, key);
}

/**
 * One admin call. `key` defaults to the stored admin key; null sends none.
 * @template T
 * @param {string} method
 * @param {string} path under /admin/v1
 * @param {unknown} [body]
 * @param {string | null} [key]
 * @returns {Promise<T>}
 */
export async function call(method, path, body, key = storedAdminKey()) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  const text = await response.text();
  /** @type {any} */
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(response.status, `The gateway answered ${response.status} with something that is not JSON.`, null);
  }
  if (!response.ok) {
    const error = json && json.error;
    throw new ApiError(response.status, (error && error.message) || `The gateway answered ${response.status}.`, (error && error.code) || null);
  }
  return json;
}

/**
 * Whether this gateway has an admin API at all. Without an admin key it does not: its routes
 * answer 404 and the OpenAPI document (/openapi.json) lists none of them — asked here, so that
 * finding out costs no failed request.
 * @returns {Promise<boolean>}
 */
export async function hasAdminApi() {
  const response = await fetch('/openapi.json', { credentials: 'omit' });
  if (!response.ok) throw new ApiError(response.status, `The gateway answered ${response.status} for /openapi.json.`, null);
  const document = await response.json();
  return Object.keys(document.paths ?? {}).some((path) => path.startsWith(BASE + '/'));
}

/**
 * What the gateway says to a key: 'ok' (it is the admin key), 'wrong' (401), or 'no-admin' (the
 * admin API answers 404: no admin key is configured).
 * @param {string} key
 * @returns {Promise<'ok' | 'wrong' | 'no-admin'>}
 */
export async function probe(key) {
  try {
    await call('GET', '/keys', undefined, key);
    return 'ok';
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code === 'unknown_url') return 'no-admin';
    if (error instanceof ApiError && error.status === 401) return 'wrong';
    throw error;
  }
}

const enc = encodeURIComponent;

/**
 * The admin API's routes, one function each. Shapes are described in /openapi.json; the JSDoc
 * types below name the fields the console reads.
 */
export const admin = {
  /** @returns {Promise<{data: ProviderView[], source: string}>} */
  providers: () => call('GET', '/providers'),
  /** @param {string} instance @param {boolean | null} enabled */
  setEnabled: (instance, enabled) => call('PATCH', `/providers/${enc(instance)}`, { enabled }),
  /** @param {string} instance @param {{key: string, label?: string}} body */
  addUpstreamKey: (instance, body) => call('POST', `/providers/${enc(instance)}/keys`, body),
  /** @param {string} instance @param {string} key label */
  removeUpstreamKey: (instance, key) => call('DELETE', `/providers/${enc(instance)}/keys/${enc(key)}`),

  /** @returns {Promise<{data: AccountView[]}>} */
  accounts: () => call('GET', '/accounts'),
  /** @param {string} provider @param {string} account */
  removeAccount: (provider, account) => call('DELETE', `/accounts/${enc(provider)}/${enc(account)}`),
  /** @param {string} provider @param {string} account */
  makeDefault: (provider, account) => call('POST', `/accounts/${enc(provider)}/${enc(account)}/default`),
  /** @param {string} provider @param {string} [account] @returns {Promise<LoginView>} */
  startLogin: (provider, account) => call('POST', `/accounts/${enc(provider)}/login`, account ? { account } : {}),
  /** @param {string} id @returns {Promise<LoginView>} */
  login: (id) => call('GET', `/accounts/logins/${enc(id)}`),
  /** @param {string} id @param {string} redirectUrl @returns {Promise<LoginView>} */
  completeLogin: (id, redirectUrl) => call('POST', `/accounts/logins/${enc(id)}/complete`, { redirect_url: redirectUrl }),

  /** @returns {Promise<{data: KeyView[]}>} */
  keys: () => call('GET', '/keys'),
  /** @param {Record<string, unknown>} spec @returns {Promise<{key: KeyView, secret: string}>} */
  createKey: (spec) => call('POST', '/keys', spec),
  /** @param {string} id @returns {Promise<KeyView>} */
  revokeKey: (id) => call('DELETE', `/keys/${enc(id)}`),

  /** @param {'key' | 'model' | 'account' | 'instance'} by @param {string} since @returns {Promise<UsageAggregate>} */
  usage: (by, since) => call('GET', `/usage?by=${enc(by)}&since=${enc(since)}`),
  /** @param {number} limit @param {number | null} [before] @returns {Promise<{data: UsageRecord[], has_more: boolean, next_before: number | null}>} */
  records: (limit, before) => call('GET', `/usage/records?limit=${limit}${before ? `&before=${before}` : ''}`),
};

/**
 * @typedef {{window: string, used_percent?: number, window_minutes?: number, status?: string, resets_at?: string}} QuotaWindow
 * @typedef {{captured_at: string, windows: QuotaWindow[]}} Quota
 * @typedef {{id: string, kind: 'api-key' | 'account', source: 'file' | 'runtime' | 'login', masked_key?: string, label?: string,
 *   provider?: string, account_id?: string, is_default?: boolean, state: 'ready' | 'cooling' | 'needs_login' | 'disabled',
 *   cooling_until?: string, reason?: string, last_error?: {at: string, message: string, status?: number}, quota?: Quota}} CredentialView
 * @typedef {{name: string, plugin: string, login_only: boolean, enabled: boolean, sources: {enabled: string, models: string},
 *   file_enabled?: boolean, models: string[], model_pattern?: string, credentials: CredentialView[], hint?: string,
 *   last_error?: {at: string, message: string, status?: number}}} ProviderView
 * @typedef {{provider: string, account_id: string, label?: string, is_default: boolean, status: string, status_reason?: string,
 *   expires_at?: string, claims: Record<string, unknown>, created_at: string, refreshed_at?: string, quota?: Quota}} AccountView
 * @typedef {{id: string, provider: string, account_id: string, flow: 'device-code' | 'authorization-code', status: 'pending' | 'done' | 'failed',
 *   expires_at: string, user_code?: string, verification_uri?: string, verification_uri_complete?: string, authorize_url?: string,
 *   redirect_uri?: string, next: string, account?: AccountView, error?: {code: string, message: string}}} LoginView
 * @typedef {{id: string, name: string, prefix: string, status: string, models: string[], rpm: number | null, tpm: number | null,
 *   concurrency: number | null, budget: {tokens: number, per: string} | null, expires_at: string | null, created_at: string,
 *   revoked_at: string | null, last_used_at: string | null}} KeyView
 * @typedef {{input: number, output: number, cached: number, reasoning: number}} Tokens
 * @typedef {{group: string | null, key_name?: string, requests: number, errors: number, tokens: Tokens, p50_ttfb_ms: number | null,
 *   p50_duration_ms: number | null}} UsageGroup
 * @typedef {{by: string, since: string, until: string, data: UsageGroup[]}} UsageAggregate
 * @typedef {{id: number, at: string, key_name: string | null, model_requested: string | null, instance: string | null, status: number,
 *   tokens: Tokens, ttfb_ms: number | null, duration_ms: number}} UsageRecord
 */
