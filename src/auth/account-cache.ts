// A short memory of the accounts requests use, so a busy gateway does not read SQLite and decrypt
// the tokens (AES-256-GCM) on every request. An entry lives ACCOUNT_CACHE_TTL_MS — the spirit of
// the router's ACCOUNTS_TTL_MS: long enough to spare the store under load, short enough that a
// login, logout or another process's refresh is seen within moments.
//
// It only says which account (and access token) to *use*. It never decides a refresh on its own:
// the TokenRefresher reads the store again under its lease before it spends a refresh token, so
// a stale entry cannot make this process reuse a refresh token that has already rotated.
import type { Account } from '../store/account';

export const ACCOUNT_CACHE_TTL_MS = 2_000;

interface Entry<T> {
  value: T;
  /** When it was read from (or written to) the store. */
  at: number;
}

export class AccountCache {
  /** Accounts by provider and account id. */
  private readonly accounts = new Map<string, Entry<Account>>();
  /** Which account is each provider's default, as last read. */
  private readonly defaults = new Map<string, Entry<string>>();

  constructor(
    private readonly ttlMs = ACCOUNT_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The account, if it was read or written within the TTL. */
  get(provider: string, accountId: string): Account | undefined {
    return this.fresh(this.accounts, key(provider, accountId));
  }

  /** The provider's default account, if both it and which account is the default are fresh. */
  getDefault(provider: string): Account | undefined {
    const accountId = this.fresh(this.defaults, provider);
    return accountId === undefined ? undefined : this.get(provider, accountId);
  }

  /**
   * Remembers an account just read from or written to the store (a refresh's result replaces
   * the entry, with a new TTL). `asDefault`: it was read as its provider's default account.
   */
  put(account: Account, options: { asDefault?: boolean } = {}): void {
    const at = this.now();
    this.accounts.set(key(account.provider, account.accountId), { value: account, at });
    if (options.asDefault) this.defaults.set(account.provider, { value: account.accountId, at });
  }

  /** Forgets an account (its refresh failed, it needs a new login): the next use reads the store. */
  delete(provider: string, accountId: string): void {
    this.accounts.delete(key(provider, accountId));
  }

  /** Forgets everything (accounts changed in this process: a login, a removal, a new default). */
  clear(): void {
    this.accounts.clear();
    this.defaults.clear();
  }

  private fresh<T>(map: Map<string, Entry<T>>, mapKey: string): T | undefined {
    const entry = map.get(mapKey);
    if (!entry) return undefined;
    const age = this.now() - entry.at;
    // A clock that went back does not keep an entry forever.
    if (age >= 0 && age < this.ttlMs) return entry.value;
    map.delete(mapKey);
    return undefined;
  }
}

/** NUL cannot occur in a provider id, so no two (provider, account) pairs share a key. */
function key(provider: string, accountId: string): string {
  return `${provider}\u0000${accountId}`;
}
