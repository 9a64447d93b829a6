// CredentialPool: api_key then api_keys in round-robin, `none` when there is no key, and an
// empty api_key meaning "no key".
import type { ProviderInstanceConfigDto } from '../config/config.schema';
import { CredentialPool } from './credential-pool';

function takeN(pool: CredentialPool, n: number) {
  return Array.from({ length: n }, () => pool.take());
}

describe('CredentialPool', () => {
  it('hands out api_key, then each api_keys entry, then starts over', () => {
    const pool = new CredentialPool({
      api_key: 'sk-main',
      api_keys: [{ key: 'sk-1' }, { key: 'sk-2', base_url: 'https://eu.example.com/v1' }],
    });
    expect(pool.size).toBe(3);
    expect(takeN(pool, 7)).toStrictEqual([
      { kind: 'api-key', id: 'api_key', key: 'sk-main' },
      { kind: 'api-key', id: 'api_keys[0]', key: 'sk-1', baseUrl: undefined },
      { kind: 'api-key', id: 'api_keys[1]', key: 'sk-2', baseUrl: 'https://eu.example.com/v1' },
      { kind: 'api-key', id: 'api_key', key: 'sk-main' },
      { kind: 'api-key', id: 'api_keys[0]', key: 'sk-1', baseUrl: undefined },
      { kind: 'api-key', id: 'api_keys[1]', key: 'sk-2', baseUrl: 'https://eu.example.com/v1' },
      { kind: 'api-key', id: 'api_key', key: 'sk-main' },
    ]);
  });

  it('numbers api_keys from 0 when there is no api_key', () => {
    const pool = new CredentialPool({ api_keys: [{ key: 'a' }, { key: 'b' }] });
    expect(takeN(pool, 3).map((c) => (c.kind === 'api-key' ? `${c.id}=${c.key}` : c.kind))).toEqual([
      'api_keys[0]=a',
      'api_keys[1]=b',
      'api_keys[0]=a',
    ]);
  });

  it('always gives the single api_key', () => {
    const pool = new CredentialPool({ api_key: 'only' });
    expect(pool.size).toBe(1);
    expect(takeN(pool, 3)).toStrictEqual([
      { kind: 'api-key', id: 'api_key', key: 'only' },
      { kind: 'api-key', id: 'api_key', key: 'only' },
      { kind: 'api-key', id: 'api_key', key: 'only' },
    ]);
  });

  it.each<[string, ProviderInstanceConfigDto]>([
    ['no key at all', {}],
    ['an empty api_key (e.g. ${KEY:-} unset)', { api_key: '' }],
    ['an empty api_keys list', { api_keys: [] }],
    ['an empty api_key and an empty list', { api_key: '', api_keys: [] }],
  ])('gives `none` for %s', (_label, settings) => {
    const pool = new CredentialPool(settings);
    expect(pool.size).toBe(1);
    expect(takeN(pool, 2)).toStrictEqual([{ kind: 'none' }, { kind: 'none' }]);
  });

  it('skips an empty api_key but keeps api_keys', () => {
    const pool = new CredentialPool({ api_key: '', api_keys: [{ key: 'k' }] });
    expect(pool.size).toBe(1);
    expect(pool.take()).toMatchObject({ kind: 'api-key', id: 'api_keys[0]', key: 'k' });
  });

  it('keeps a separate turn per pool', () => {
    const settings = { api_keys: [{ key: 'a' }, { key: 'b' }] };
    const first = new CredentialPool(settings);
    const second = new CredentialPool(settings);
    first.take();
    expect(second.take()).toMatchObject({ key: 'a' });
    expect(first.take()).toMatchObject({ key: 'b' });
  });
});
