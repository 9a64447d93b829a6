// Builds what GET /admin/v1/providers answers: every configured instance with its plugin, where
// each setting comes from (file or runtime), its models, and each credential with its state —
// ready, cooling until when and why (routing's CredentialStates), needs a login, disabled — its
// last error and the quota windows its upstream last reported. Reads the registry, the router's
// in-memory state and the account store; changes nothing.
import { Injectable } from '@nestjs/common';
import type { ProviderInstanceConfig } from '../../config/gateway-config';
import type { ProviderInstance } from '../../registry/provider-instance';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { CredentialPool, type PoolCredential } from '../../routing/credential-pool';
import type { FailureNote } from '../../routing/last-failures';
import { RequestRouter } from '../../routing/request-router.service';
import type { Account } from '../../store/account';
import { AccountStore } from '../../store/account-store';
import { RateLimitSnapshots } from '../../store/rate-limit-snapshots';
import { maskSecret } from '../mask-secret';
import { quotaWindows } from './quota-windows';
import type { CredentialView, LastErrorView, ProviderView, QuotaWindowView } from './provider-views';

@Injectable()
export class ProviderStatusService {
  constructor(
    private readonly registry: PluginRegistry,
    private readonly router: RequestRouter,
    private readonly accounts: AccountStore,
    private readonly rateLimits: RateLimitSnapshots,
  ) {}

  async all(): Promise<ProviderView[]> {
    const accounts = await this.accounts.list();
    return this.registry.config.providers.map((config) => this.describe(config, accounts));
  }

  async one(name: string): Promise<ProviderView | undefined> {
    const config = this.registry.config.providers.find((p) => p.name === name);
    return config && this.describe(config, await this.accounts.list());
  }

  private describe(config: ProviderInstanceConfig, accounts: readonly Account[]): ProviderView {
    const catalog = this.registry.catalog;
    const instance = catalog.instances.find((i) => i.name === config.name);
    const override = this.registry.overrides.find((o) => o.instance === config.name);
    const fileEnabled = this.registry.fileConfig.providers.find((p) => p.name === config.name)?.enabled ?? config.enabled;
    const enabledFromRuntime = override?.enabled !== undefined;
    const view: ProviderView = {
      name: config.name,
      plugin: config.type,
      login_only: instance === undefined,
      enabled: config.enabled,
      sources: {
        enabled: enabledFromRuntime ? 'runtime' : 'file',
        models: instance === undefined ? 'none' : instance.listsOwnModels ? 'file' : 'plugin',
      },
      models: instance ? [...instance.models] : [],
      credentials: [],
    };
    if (enabledFromRuntime) view.file_enabled = fileEnabled;
    if (!instance) {
      // Login only: the provider's accounts, which serve nothing here yet.
      view.credentials = accounts.filter((a) => a.provider === config.type).map((a) => this.accountView(a, undefined));
      return view;
    }
    if (instance.modelPattern) view.model_pattern = instance.modelPattern.source;
    const live = instance.fetchesModels ? this.registry.liveModels.listOf(instance) : undefined;
    if (live) view.upstream_models = live.models.map((m) => m.id);
    if (instance.excluded.length > 0) view.excluded_models = [...instance.excluded];
    view.credentials = this.credentials(instance, accounts);
    const failure = this.router.failures.ofInstance(instance.name);
    if (failure) view.last_error = errorView(failure);
    // The gateway's own rule (registry/instance-readiness.ts): an empty ${ENV} key is no key.
    const readiness = this.registry.readiness(instance);
    if (!readiness.serves && readiness.reason === 'no-credential') {
      view.hint = instance.accountsProvider
        ? `No usable credential (${readiness.problem}): log in with POST /admin/v1/accounts/${instance.accountsProvider}/login (or \`byokey login ${instance.accountsProvider}\`), or add an upstream key with POST /admin/v1/providers/${instance.name}/keys. Its models are not listed; requests for them answer 503.`
        : `No usable credential (${readiness.problem}): add a key with POST /admin/v1/providers/${instance.name}/keys, or ${readiness.fix}. Its models are not listed; requests for them answer 503.`;
    } else if (view.credentials.length === 0) {
      view.hint = 'No API key: requests go upstream without one (providers.yaml names none). Add one with POST /admin/v1/providers/' + `${instance.name}/keys if the upstream needs it.`;
    }
    return view;
  }

  private credentials(instance: ProviderInstance, accounts: readonly Account[]): CredentialView[] {
    const settings = instance.config.settings;
    // A pool of our own over the router's shared states: the same ids and state keys routing uses.
    const pool = new CredentialPool(instance.name, settings, 'fill-first', this.router.states, instance.accountsProvider, instance.config.runtimeKeys);
    const runtime = new Map((this.registry.overrides.find((o) => o.instance === instance.name)?.keys ?? []).map((k) => [`runtime:${k.label}`, k]));
    const keys = pool.all().map((credential) => this.keyView(instance, pool, credential, runtime.get(credential.id)?.createdAt));
    const own = instance.accountsProvider ? accounts.filter((a) => a.provider === instance.accountsProvider && pool.selects(a)) : [];
    return [...keys, ...own.map((account) => this.accountView(account, { instance, pool }))];
  }

  private keyView(instance: ProviderInstance, pool: CredentialPool, credential: PoolCredential, addedAt: number | undefined): CredentialView {
    const runtime = credential.id.startsWith('runtime:');
    const view: CredentialView = { id: credential.id, kind: 'api-key', source: runtime ? 'runtime' : 'file', state: 'ready' };
    if (credential.kind === 'api-key') {
      view.masked_key = maskSecret(credential.key);
      if (credential.baseUrl) view.base_url = credential.baseUrl;
    }
    if (runtime) view.label = credential.id.slice('runtime:'.length);
    if (addedAt !== undefined) view.added_at = iso(addedAt);
    this.addCooldown(view, pool, credential);
    const failure = this.router.failures.ofCredential(instance.name, credential.id);
    if (failure) view.last_error = errorView(failure);
    return view;
  }

  private accountView(account: Account, serving: { instance: ProviderInstance; pool: CredentialPool } | undefined): CredentialView {
    const id = `account:${account.accountId}`;
    const view: CredentialView = {
      id,
      kind: 'account',
      source: 'login',
      provider: account.provider,
      account_id: account.accountId,
      is_default: account.isDefault,
      state: 'ready',
    };
    if (account.label) view.label = account.label;
    if (account.status === 'needs_relogin') {
      view.state = 'needs_login';
      view.reason = `${account.statusReason ?? 'the provider refused to refresh the login'} — log in again with POST /admin/v1/accounts/${account.provider}/login {"account":"${account.accountId}"}`;
    } else if (account.status === 'disabled') {
      view.state = 'disabled';
      if (account.statusReason) view.reason = account.statusReason;
    } else if (serving) {
      this.addCooldown(view, serving.pool, { kind: 'account', id, provider: account.provider, accountId: account.accountId });
    }
    if (serving) {
      const failure = this.router.failures.ofCredential(serving.instance.name, id);
      if (failure) view.last_error = errorView(failure);
    }
    const snapshot = this.rateLimits.get(account.provider, account.accountId);
    if (snapshot) {
      const report = quotaWindows(snapshot);
      if (report.windows.length > 0) view.quota = { captured_at: iso(report.capturedAt), windows: report.windows.map(windowView) };
    }
    return view;
  }

  private addCooldown(view: CredentialView, pool: CredentialPool, credential: PoolCredential): void {
    const cooling = this.router.states.cooldown(pool.key(credential));
    if (!cooling) return;
    view.state = 'cooling';
    view.cooling_until = iso(cooling.until);
    view.reason = cooling.reason;
  }
}

function errorView(note: FailureNote): LastErrorView {
  const view: LastErrorView = { at: iso(note.at), credential: note.credential, message: note.message };
  if (note.status !== undefined) view.status = note.status;
  return view;
}

function windowView(window: ReturnType<typeof quotaWindows>['windows'][number]): QuotaWindowView {
  const view: QuotaWindowView = { window: window.window };
  if (window.usedPercent !== undefined) view.used_percent = window.usedPercent;
  if (window.windowMinutes !== undefined) view.window_minutes = window.windowMinutes;
  if (window.status !== undefined) view.status = window.status;
  if (window.resetsAt !== undefined) view.resets_at = iso(window.resetsAt);
  return view;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
