// Who gets in, against a real SQLite key store and the real key cache: the headers keys are read
// from, unknown and revoked keys told the same, expiry, static keys, open mode, model scope,
// the startup check for open gateways on the network, and revocation seen from another process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../common/gateway-error';
import { ConfigError } from '../config/config-error';
import type { AccessSettings, GatewayConfig } from '../config/gateway-config';
import type { PluginRegistry } from '../registry/plugin-registry.service';
import { SqliteAccountStore } from '../store/sqlite/sqlite-account-store';
import { SqliteClientKeyStore } from '../store/sqlite/sqlite-client-key-store';
import type { AccessClock } from './access-clock';
import { AccessControl } from './access-control.service';
import { ClientKeyCache } from './client-key-cache';
import { createClientKey, type KeySpec } from './client-key-specs';
import { KeyLimits } from './key-limits';
import { MemoryLimitCounters } from '../store/memory-limit-counters';

const T0 = Date.UTC(2026, 5, 1, 12);
const STATIC_KEY = 'static-team-key-0123456789';

describe('AccessControl', () => {
  let home: string;
  let accounts: SqliteAccountStore[];
  let store: SqliteClientKeyStore;
  let now: number;
  let config: GatewayConfig;
  let cache: ClientKeyCache;
  let access: AccessControl;

  function configure(access: Partial<AccessSettings>, host = '127.0.0.1'): void {
    config = { source: '/etc/byokey/providers.yaml', server: { host }, access: { keys: [], ...access } } as unknown as GatewayConfig;
  }

  function openStore(): SqliteClientKeyStore {
    const opened = SqliteAccountStore.open({ home, env: {} });
    accounts.push(opened);
    return new SqliteClientKeyStore(opened.connection, () => now);
  }

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'byokey-access-'));
    accounts = [];
    store = openStore();
    now = T0;
    configure({});
    const registry = { get config() { return config; } } as PluginRegistry;
    const clock: AccessClock = { now: () => now };
    cache = new ClientKeyCache(store, registry);
    access = new AccessControl(cache, new KeyLimits(new MemoryLimitCounters(), clock), clock, registry);
  });

  afterEach(async () => {
    await cache.onApplicationShutdown();
    for (const opened of accounts) await opened.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function newKey(name: string, spec: Omit<KeySpec, 'name'> = {}) {
    const created = await createClientKey(store, { name, ...spec });
    await cache.refresh();
    return created;
  }

  function refusal(run: () => unknown): GatewayError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      return error as GatewayError;
    }
    throw new Error('expected a refusal');
  }

  it('lets anyone in while no key exists and the file says nothing (open)', async () => {
    await cache.refresh();
    expect(access.authenticate({})).toBeUndefined();
    expect(access.authenticate({ authorization: 'Bearer whatever' })).toBeUndefined();
  });

  it.each([
    ['Authorization: Bearer', (s: string) => ({ authorization: `Bearer ${s}` })],
    ['x-api-key', (s: string) => ({ 'x-api-key': s })],
    ['x-goog-api-key', (s: string) => ({ 'x-goog-api-key': s })],
    ['x-api-key beside an unrelated bearer', (s: string) => ({ authorization: 'Bearer sk-not-ours', 'x-api-key': s })],
  ])('finds the key in %s', async (_where, headers) => {
    const { key, secret } = await newKey('team-a');
    expect(access.authenticate(headers(secret))).toMatchObject({ id: key.id, name: 'team-a' });
  });

  it('refuses a missing key with 401 invalid_api_key saying where to send one', async () => {
    await newKey('team-a');
    const error = refusal(() => access.authenticate({}));
    expect([error.status, error.type, error.code]).toEqual([401, 'authentication_error', 'invalid_api_key']);
    expect(error.message).toContain('Authorization: Bearer <key>');
  });

  it('answers an unknown key and a revoked key exactly alike', async () => {
    const { secret } = await newKey('team-a');
    const unknown = refusal(() => access.authenticate({ authorization: 'Bearer bk-not-a-real-key' }));
    await store.revoke('team-a');
    await cache.refresh();
    const revoked = refusal(() => access.authenticate({ authorization: `Bearer ${secret}` }));
    expect([revoked.status, revoked.type, revoked.code, revoked.message]).toEqual([unknown.status, unknown.type, unknown.code, unknown.message]);
    expect(revoked.status).toBe(401);
  });

  it('refuses an expired key with 401 naming when it expired', async () => {
    const { secret } = await newKey('team-a', { expiresAt: T0 + 1000 });
    expect(access.authenticate({ 'x-api-key': secret })).toBeDefined();
    now = T0 + 1000;
    const error = refusal(() => access.authenticate({ 'x-api-key': secret }));
    expect([error.status, error.code]).toEqual([401, 'invalid_api_key']);
    expect(error.message).toContain('"team-a" expired at 2026-06-01T12:00:01.000Z');
  });

  it('stays in keys mode after the last key is revoked', async () => {
    await newKey('team-a');
    await store.revoke('team-a');
    await cache.refresh();
    expect(refusal(() => access.authenticate({})).status).toBe(401);
  });

  it('takes static keys from auth.keys (keys mode, every model), following a reload of the file', async () => {
    configure({ keys: [STATIC_KEY] });
    await cache.refresh();
    expect(access.authenticate({ authorization: `Bearer ${STATIC_KEY}` })).toEqual({ id: 'static:0', name: 'auth.keys[0]', models: [] });
    expect(refusal(() => access.authenticate({})).status).toBe(401);
    configure({ keys: ['another-static-key-987654'] });
    expect(refusal(() => access.authenticate({ authorization: `Bearer ${STATIC_KEY}` })).status).toBe(401);
  });

  it('in explicit open mode lets anyone in, but a valid key keeps its identity', async () => {
    const { secret } = await newKey('team-a');
    configure({ mode: 'open' });
    expect(access.authenticate({})).toBeUndefined();
    expect(access.authenticate({ authorization: 'Bearer bk-unknown' })).toBeUndefined();
    expect(access.authenticate({ authorization: `Bearer ${secret}` })?.name).toBe('team-a');
  });

  it('refuses a model outside the key’s scope with 403 naming it; lets in-scope and instance-qualified models through', async () => {
    const { secret } = await newKey('team-a', { models: ['gpt-5*', 'claude-*'] });
    const key = access.authenticate({ authorization: `Bearer ${secret}` });
    await access.admit(key, 'gpt-5.1', true);
    await access.admit(key, 'openai/gpt-5', true);
    await access.admit(key, undefined, true);
    const error = await access.admit(key, 'llama-3.1-8b', true).then(
      () => undefined,
      (e: unknown) => e as GatewayError,
    );
    expect([error?.status, error?.type, error?.code, error?.param]).toEqual([403, 'permission_error', 'model_not_allowed', 'model']);
    expect(error?.message).toContain('`llama-3.1-8b`');
    expect(access.mayList(key, 'claude-sonnet-5-5')).toBe(true);
    expect(access.mayList(key, 'llama-3.1-8b')).toBe(false);
    expect(access.mayList(undefined, 'llama-3.1-8b')).toBe(true);
  });

  it('sees a key revoked by another process after the next poll', async () => {
    const { secret } = await newKey('team-a');
    await openStore().revoke('team-a');
    expect(access.authenticate({ authorization: `Bearer ${secret}` })).toBeDefined(); // not polled yet
    await cache.refresh(); // what the 500 ms poll does
    expect(refusal(() => access.authenticate({ authorization: `Bearer ${secret}` })).status).toBe(401);
  });

  it('records last use in a batch, not per request', async () => {
    const { key, secret } = await newKey('team-a');
    access.authenticate({ authorization: `Bearer ${secret}` });
    now += 5000;
    access.authenticate({ authorization: `Bearer ${secret}` });
    expect((await store.find(key.id))?.lastUsedAt).toBeUndefined();
    await cache.flushUse();
    expect((await store.find(key.id))?.lastUsedAt).toBe(T0 + 5000);
  });

  describe('at startup', () => {
    it('refuses an open gateway on a network address unless the file says open', async () => {
      configure({}, '0.0.0.0');
      await cache.refresh();
      const error = (() => {
        try {
          access.onApplicationBootstrap();
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('byokey would listen on 0.0.0.0 with no client key');
    });

    it.each([
      ['the file says open', { mode: 'open' as const }, '0.0.0.0'],
      ['a static key exists', { keys: [STATIC_KEY] }, '0.0.0.0'],
      ['it listens on loopback', {}, '127.0.0.1'],
      ['it listens on ::1', {}, '::1'],
      ['it listens on localhost', {}, 'localhost'],
    ])('starts when %s', async (_when, settings, host) => {
      configure(settings, host);
      await cache.refresh();
      expect(() => access.onApplicationBootstrap()).not.toThrow();
    });

    it('starts on a network address once a key is in the store', async () => {
      configure({}, '0.0.0.0');
      await newKey('team-a');
      expect(() => access.onApplicationBootstrap()).not.toThrow();
    });
  });
});
