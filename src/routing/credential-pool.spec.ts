// CredentialPool: which credentials an instance has (keys, then accounts, default first), and
// the order each strategy tries the ready ones in — cooling ones skipped, near-limit ones last.
import type { Strategy } from '../config/gateway-config';
import type { Account } from '../store/account';
import { CredentialPool, type PoolCredential } from './credential-pool';
import { CredentialStates } from './credential-states';

const ids = (credentials: PoolCredential[]) => credentials.map((c) => c.id);

function account(accountId: string, overrides: Partial<Account> = {}): Account {
  return {
    provider: 'codex',
    accountId,
    isDefault: false,
    status: 'active',
    tokens: { accessToken: 't' },
    claims: {},
    createdAt: 0,
    updatedAt: 0,
    version: 1,
    ...overrides,
  };
}

type Settings = ConstructorParameters<typeof CredentialPool>[1];

function pool(strategy: Strategy, states = new CredentialStates(), settings: Settings = { api_key: 'k0', api_keys: [{ key: 'k1' }, { key: 'k2' }] }) {
  return new CredentialPool('inst', settings, strategy, states);
}

describe('CredentialPool', () => {
  it('lists api_key, then api_keys, then the selected active accounts with the default first', () => {
    const p = pool('fill-first', new CredentialStates(), { api_key: 'k0', api_keys: [{ key: 'k1' }, { key: 'k2' }], accounts: 'all' });
    p.setAccounts([account('work'), account('home', { isDefault: true }), account('old', { status: 'needs_relogin' }), account('off', { status: 'disabled' })]);
    expect(ids(p.all())).toEqual(['api_key', 'api_keys[0]', 'api_keys[1]', 'account:home', 'account:work']);
    expect(p.all()[3]).toEqual({ kind: 'account', id: 'account:home', provider: 'codex', accountId: 'home' });
  });

  it('uses accounts by default only when the instance has no API key', () => {
    const withKeys = pool('fill-first');
    withKeys.setAccounts([account('home', { isDefault: true })]);
    expect(ids(withKeys.all())).toEqual(['api_key', 'api_keys[0]', 'api_keys[1]']);
    const keyless = pool('fill-first', new CredentialStates(), {});
    keyless.setAccounts([account('home', { isDefault: true })]);
    expect(ids(keyless.all())).toEqual(['account:home']);
  });

  it('uses only the accounts an instance names', () => {
    const p = pool('fill-first', new CredentialStates(), { accounts: ['work'] });
    p.setAccounts([account('home', { isDefault: true }), account('work'), account('spare')]);
    expect(ids(p.all())).toEqual(['account:work']);
  });

  it('keys an account by provider and name, the same in every instance', () => {
    const a = new CredentialPool('one', { accounts: 'all' }, 'fill-first', new CredentialStates());
    const b = new CredentialPool('two', { accounts: 'all' }, 'fill-first', new CredentialStates());
    a.setAccounts([account('home')]);
    b.setAccounts([account('home')]);
    expect(a.key(a.all()[0])).toBe(b.key(b.all()[0]));
    expect(a.key({ kind: 'api-key', id: 'api_key', key: 'x' })).not.toBe(b.key({ kind: 'api-key', id: 'api_key', key: 'x' }));
  });

  it('treats an empty api_key as no key, and gives `none` when there is no credential at all', () => {
    const p = pool('round-robin', new CredentialStates(), { api_key: '', api_keys: [] } as never);
    expect(p.order()).toEqual([{ kind: 'none', id: 'none' }]);
  });

  it('round-robin starts one further along for each request', () => {
    const p = pool('round-robin');
    expect([ids(p.order()), ids(p.order()), ids(p.order()), ids(p.order())]).toEqual([
      ['api_key', 'api_keys[0]', 'api_keys[1]'],
      ['api_keys[0]', 'api_keys[1]', 'api_key'],
      ['api_keys[1]', 'api_key', 'api_keys[0]'],
      ['api_key', 'api_keys[0]', 'api_keys[1]'],
    ]);
  });

  it('fill-first always starts with the first ready credential', () => {
    const states = new CredentialStates();
    const p = pool('fill-first', states);
    expect(ids(p.order())).toEqual(['api_key', 'api_keys[0]', 'api_keys[1]']);
    states.coolDown(p.key(p.all()[0]), Date.now() + 60_000, '429');
    expect(ids(p.order())).toEqual(['api_keys[0]', 'api_keys[1]']);
  });

  it('least-busy prefers the credential with the fewest requests in flight', () => {
    const states = new CredentialStates();
    const p = pool('least-busy', states);
    const [k0, k1] = p.all();
    const end0 = states.begin(p.key(k0));
    states.begin(p.key(k0));
    states.begin(p.key(k1));
    expect(ids(p.order())).toEqual(['api_keys[1]', 'api_keys[0]', 'api_key']);
    end0();
    expect(ids(p.order())).toEqual(['api_keys[1]', 'api_key', 'api_keys[0]']);
  });

  it('skips credentials cooling down until their time has passed', () => {
    let now = 1_000;
    const states = new CredentialStates(() => now);
    const p = pool('fill-first', states);
    states.coolDown(p.key(p.all()[0]), 5_000, 'rate limited');
    states.coolDown(p.key(p.all()[1]), 9_000, 'rate limited');
    expect(ids(p.order())).toEqual(['api_keys[1]']);
    now = 5_000;
    expect(ids(p.order())).toEqual(['api_key', 'api_keys[1]']);
  });

  it('says when the first of all-cooling credentials is ready again', () => {
    const states = new CredentialStates(() => 0);
    const p = pool('fill-first', states);
    p.all().forEach((c, i) => states.coolDown(p.key(c), 10_000 + i * 1_000, '429'));
    expect(p.order()).toEqual([]);
    expect(p.readyAgainAt()).toBe(10_000);
  });

  it('moves credentials near their quota limit to the end, keeping the strategy order otherwise', () => {
    const p = pool('fill-first');
    const used: Record<string, number> = { api_key: 0.95, 'api_keys[0]': 0.2 };
    expect(ids(p.order((c) => used[c.id]))).toEqual(['api_keys[0]', 'api_keys[1]', 'api_key']);
  });

  it('never shortens a cooldown with an earlier one', () => {
    const states = new CredentialStates(() => 0);
    states.coolDown('k', 10_000, 'first');
    states.coolDown('k', 5_000, 'second');
    expect(states.cooldown('k')).toEqual({ until: 10_000, reason: 'first' });
  });
});
