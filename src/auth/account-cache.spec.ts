// AccountCache with a hand-driven clock: entries live for the TTL and no longer, a default
// account needs both it and "which is the default" fresh, a put replaces, a delete forgets, and
// no two providers' or accounts' entries ever mix.
import type { Account } from '../store/account';
import { ACCOUNT_CACHE_TTL_MS, AccountCache } from './account-cache';

function account(provider: string, accountId: string, accessToken = `${provider}-${accountId}`, version = 1): Account {
  return {
    provider,
    accountId,
    isDefault: accountId === 'default',
    status: 'active',
    tokens: { accessToken },
    claims: {},
    createdAt: 0,
    updatedAt: 0,
    version,
  };
}

describe('AccountCache', () => {
  let now: number;
  let cache: AccountCache;

  beforeEach(() => {
    now = 1_000_000;
    cache = new AccountCache(2_000, () => now);
  });

  it('keeps about two seconds by default', () => {
    expect(ACCOUNT_CACHE_TTL_MS).toBe(2_000);
  });

  it('answers from memory within the TTL and forgets at its end', () => {
    const a = account('codex', 'work');
    cache.put(a);
    now += 1_999;
    expect(cache.get('codex', 'work')).toBe(a);
    now += 1;
    expect(cache.get('codex', 'work')).toBeUndefined();
    // Expired means gone, even if the clock were to agree again.
    now -= 1;
    expect(cache.get('codex', 'work')).toBeUndefined();
  });

  it('does not trust an entry from the future (a clock that went back)', () => {
    cache.put(account('codex', 'work'));
    now -= 10_000;
    expect(cache.get('codex', 'work')).toBeUndefined();
  });

  it('knows the default account only when it was read as the default', () => {
    const a = account('claude', 'main');
    cache.put(a);
    expect(cache.getDefault('claude')).toBeUndefined();
    cache.put(a, { asDefault: true });
    expect(cache.getDefault('claude')).toBe(a);
    expect(cache.get('claude', 'main')).toBe(a);
  });

  it('lets the default expire with the TTL', () => {
    cache.put(account('claude', 'main'), { asDefault: true });
    now += 2_000;
    expect(cache.getDefault('claude')).toBeUndefined();
  });

  it('gives the default the account that replaced it after a refresh, with a new TTL', () => {
    cache.put(account('qwen', 'default', 'old', 1), { asDefault: true });
    now += 1_500;
    const refreshed = account('qwen', 'default', 'new', 2);
    cache.put(refreshed);
    expect(cache.getDefault('qwen')).toBe(refreshed);
    expect(cache.get('qwen', 'default')).toBe(refreshed);
    // The account entry is fresh again; which account is the default was read 2 s ago, so that is re-read.
    now += 1_000;
    expect(cache.get('qwen', 'default')).toBe(refreshed);
    expect(cache.getDefault('qwen')).toBeUndefined();
  });

  it('forgets an account on delete, its default with it', () => {
    cache.put(account('qwen', 'default'), { asDefault: true });
    cache.delete('qwen', 'default');
    expect(cache.get('qwen', 'default')).toBeUndefined();
    expect(cache.getDefault('qwen')).toBeUndefined();
  });

  it('never mixes providers or accounts', () => {
    const codexDefault = account('codex', 'default');
    const claudeDefault = account('claude', 'default');
    const codexWork = account('codex', 'work');
    cache.put(codexDefault, { asDefault: true });
    cache.put(claudeDefault, { asDefault: true });
    cache.put(codexWork);
    expect(cache.getDefault('codex')).toBe(codexDefault);
    expect(cache.getDefault('claude')).toBe(claudeDefault);
    expect(cache.get('codex', 'work')).toBe(codexWork);
    expect(cache.get('claude', 'work')).toBeUndefined();
    expect(cache.getDefault('qwen')).toBeUndefined();
    cache.delete('codex', 'default');
    expect(cache.getDefault('claude')).toBe(claudeDefault);
    // Keys that would collide if simply concatenated stay apart.
    const ab = account('a', 'b:c');
    const abc = account('a:b', 'c');
    cache.put(ab);
    cache.put(abc);
    expect(cache.get('a', 'b:c')).toBe(ab);
    expect(cache.get('a:b', 'c')).toBe(abc);
  });
});
