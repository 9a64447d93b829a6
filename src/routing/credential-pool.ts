// The credentials of one provider instance — its `api_key` and `api_keys`, the upstream keys
// added at runtime over the admin API (`runtime:<label>`), then the logged-in
// accounts of its provider (default account first) — and the order to try them in for one
// request: ready ones only (not cooling down, not needing a login, not disabled), arranged by
// the instance's strategy, with those near a quota limit moved last.
import type { ProviderInstanceConfigDto } from '../config/config.schema';
import type { RuntimeKeyConfig, Strategy } from '../config/gateway-config';
import type { Credential } from '../contract/provider-executor';
import { accountSelected } from '../registry/instance-readiness';
import type { Account } from '../store/account';
import type { CredentialStates } from './credential-states';

/** A credential with the id routing knows it by (`api_key`, `api_keys[1]`, `account:work`). */
export type PoolCredential = Credential & { id: string };

export class CredentialPool {
  private keys: PoolCredential[];
  private accounts: PoolCredential[] = [];
  private turn = 0;
  private readonly accountSelection: ProviderInstanceConfigDto['accounts'];

  constructor(
    /** Instance name: credential state is keyed by it. */
    readonly instance: string,
    settings: ProviderInstanceConfigDto,
    private readonly strategy: Strategy,
    private readonly states: CredentialStates,
    /** The provider whose accounts this instance uses, if any. */
    readonly accountsProvider?: string,
    runtimeKeys: readonly RuntimeKeyConfig[] = [],
  ) {
    const keys: PoolCredential[] = [];
    // An empty api_key (e.g. `${OPENAI_API_KEY:-}` with the variable unset) means "no key".
    if (settings.api_key) keys.push({ kind: 'api-key', id: 'api_key', key: settings.api_key });
    settings.api_keys?.forEach((entry, index) =>
      keys.push({ kind: 'api-key', id: `api_keys[${index}]`, key: entry.key, baseUrl: entry.base_url }),
    );
    for (const entry of runtimeKeys) keys.push({ kind: 'api-key', id: `runtime:${entry.label}`, key: entry.key, baseUrl: entry.baseUrl });
    this.keys = keys;
    this.accountSelection = settings.accounts;
  }

  /**
   * Replaces the accounts (the store is the truth; the router refreshes this now and then),
   * keeping those the instance's `accounts:` selects: by default all of them when it has no API
   * key, none when it has one — an instance configured with keys does not start spending a
   * subscription unless asked to.
   */
  setAccounts(accounts: readonly Account[]): void {
    const usable = accounts.filter((a) => a.status === 'active' && this.selects(a));
    usable.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
    this.accounts = usable.map((a) => ({ kind: 'account', id: `account:${a.accountId}`, provider: a.provider, accountId: a.accountId }));
  }

  /** Whether the instance's `accounts:` setting (or its default) lets it use this account, whatever its status. */
  selects(account: Account): boolean {
    return accountSelected({ accounts: this.accountSelection }, this.keys.length > 0, account.accountId);
  }

  /** Every credential, in configuration order. */
  all(): PoolCredential[] {
    return [...this.keys, ...this.accounts];
  }

  /** How many credentials the pool has, ready or resting (read on every request: no copy). */
  get size(): number {
    return this.keys.length + this.accounts.length;
  }

  /**
   * The ready credentials in the order to try them. `usedFraction` tells how close a credential
   * is to its quota (0–1) where the upstream said so; those at 90 % or more come last.
   * An instance with no credential at all gets one `none` (keyless upstreams, or the error
   * that says to log in).
   */
  order(usedFraction: (credential: PoolCredential) => number | undefined = () => undefined): PoolCredential[] {
    const all = this.all();
    if (all.length === 0) return [{ kind: 'none', id: 'none' }];
    const ready = all.filter((c) => !this.states.cooldown(this.key(c)));
    let ordered: PoolCredential[];
    switch (this.strategy) {
      case 'fill-first':
        ordered = ready;
        break;
      case 'least-busy':
        // Array.sort is stable: equally busy credentials keep their configuration order.
        ordered = [...ready].sort((a, b) => this.states.busy(this.key(a)) - this.states.busy(this.key(b)));
        break;
      case 'round-robin': {
        // Each request starts one further along the list; the rest follow as fallbacks.
        const start = this.turn++ % Math.max(1, ready.length);
        ordered = [...ready.slice(start), ...ready.slice(0, start)];
        break;
      }
    }
    const nearLimit = (c: PoolCredential) => (usedFraction(c) ?? 0) >= 0.9;
    return [...ordered.filter((c) => !nearLimit(c)), ...ordered.filter(nearLimit)];
  }

  /** When the earliest cooling credential is ready again (for retry-after), if all are cooling. */
  readyAgainAt(): number | undefined {
    const all = this.all();
    if (all.length === 0) return undefined;
    const untils = all.map((c) => this.states.cooldown(this.key(c))?.until);
    if (untils.some((u) => u === undefined)) return undefined;
    return Math.min(...(untils as number[]));
  }

  /**
   * The credential's key in the shared state. An account is the same account whichever instance
   * uses it (its plan's limits are the account's), so its key names no instance; a key is the
   * instance's own.
   */
  key(credential: PoolCredential): string {
    return credential.kind === 'account' ? `account\u0000${credential.provider}\u0000${credential.accountId}` : `${this.instance}\u0000${credential.id}`;
  }
}
