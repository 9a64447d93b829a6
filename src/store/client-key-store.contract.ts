// The behaviour every ClientKeyStore must have, written against the abstract class so each backend
// (sqlite/ here, postgres/ later) runs the same suite from its own spec:
//   describeClientKeyStoreContract('SqliteClientKeyStore', async () => ({ store, clock, close }));
// Jest globals only: this file is imported by specs, never by the app.
import type { NewClientKey } from './client-key';
import { hashSecret, mintSecret } from './client-key-secret';
import { ClientKeyNameTaken, type ClientKeyStore } from './client-key-store';

export interface ClientKeyStoreFixture {
  store: ClientKeyStore;
  /** Moves the store's clock (ms since epoch). */
  setNow(ms: number): void;
  /** A second store on the same data, as another process would open it (for revision checks). */
  reopen(): Promise<ClientKeyStore>;
  close(): Promise<void>;
}

export const CONTRACT_T0 = 1_760_000_000_000;

function newKey(name: string, extra: Partial<NewClientKey> = {}): NewClientKey & { secret: string } {
  const minted = mintSecret();
  return { name, prefix: minted.prefix, secretHash: minted.secretHash, secret: minted.secret, ...extra };
}

export function describeClientKeyStoreContract(backend: string, open: () => Promise<ClientKeyStoreFixture>): void {
  describe(`${backend} (ClientKeyStore contract)`, () => {
    let fixture: ClientKeyStoreFixture;
    let store: ClientKeyStore;

    beforeEach(async () => {
      fixture = await open();
      fixture.setNow(CONTRACT_T0);
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('creates a key with an id, its hash and prefix, its limits and its creation time', async () => {
      const input = newKey('team-a', {
        models: ['gpt-5*', 'claude-*'],
        rpm: 60,
        tpm: 100_000,
        concurrency: 4,
        budget: { tokens: 1_000_000, per: 'month' },
        expiresAt: CONTRACT_T0 + 86_400_000,
      });
      const key = await store.create(input);
      expect(key).toEqual({
        id: expect.stringMatching(/^key_[0-9a-f]{16}$/),
        name: 'team-a',
        prefix: input.prefix,
        secretHash: hashSecret(input.secret),
        models: ['gpt-5*', 'claude-*'],
        rpm: 60,
        tpm: 100_000,
        concurrency: 4,
        budget: { tokens: 1_000_000, per: 'month' },
        expiresAt: CONTRACT_T0 + 86_400_000,
        createdAt: CONTRACT_T0,
      });
      expect(await store.find(key.id)).toEqual(key);
      expect(await store.find('team-a')).toEqual(key);
    });

    it('keeps no limit that was not given, and every model by default', async () => {
      const key = await store.create(newKey('plain'));
      expect(key.models).toEqual([]);
      for (const field of ['rpm', 'tpm', 'concurrency', 'budget', 'expiresAt', 'revokedAt', 'lastUsedAt'] as const) {
        expect(key[field]).toBeUndefined();
      }
    });

    it('refuses a second active key with the same name, and gives each key its own id', async () => {
      const first = await store.create(newKey('team-a'));
      await expect(store.create(newKey('team-a'))).rejects.toBeInstanceOf(ClientKeyNameTaken);
      const other = await store.create(newKey('team-b'));
      expect(other.id).not.toBe(first.id);
      expect((await store.list()).map((k) => k.name)).toEqual(['team-a', 'team-b']);
    });

    it('lets a revoked key name be reused; find by name prefers the active key', async () => {
      const old = await store.create(newKey('team-a'));
      fixture.setNow(CONTRACT_T0 + 1000);
      await store.revoke('team-a');
      const replacement = await store.create(newKey('team-a'));
      expect((await store.find('team-a'))?.id).toBe(replacement.id);
      expect((await store.find(old.id))?.revokedAt).toBe(CONTRACT_T0 + 1000);
      expect((await store.list()).map((k) => k.id)).toEqual([old.id, replacement.id]);
    });

    it('revokes by name or id, once: a second revoke keeps the first time', async () => {
      const key = await store.create(newKey('team-a'));
      fixture.setNow(CONTRACT_T0 + 5000);
      expect((await store.revoke('team-a'))?.revokedAt).toBe(CONTRACT_T0 + 5000);
      fixture.setNow(CONTRACT_T0 + 9000);
      expect((await store.revoke(key.id))?.revokedAt).toBe(CONTRACT_T0 + 5000);
      expect(await store.revoke('nobody')).toBeUndefined();
    });

    it('updates only the limits given, and clears those set to null', async () => {
      const key = await store.create(newKey('team-a', { models: ['gpt-5*'], rpm: 10, tpm: 500, budget: { tokens: 10, per: 'day' } }));
      const updated = await store.update('team-a', { rpm: 20, tpm: null, budget: null, concurrency: 2, expiresAt: CONTRACT_T0 + 1 });
      expect(updated).toEqual({ ...key, rpm: 20, tpm: undefined, budget: undefined, concurrency: 2, expiresAt: CONTRACT_T0 + 1 });
      expect(updated).not.toHaveProperty('tpm');
      expect(await store.find(key.id)).toEqual(updated);
      expect((await store.update(key.id, { models: ['claude-*'] }))?.models).toEqual(['claude-*']);
      expect(await store.update('nobody', { rpm: 1 })).toBeUndefined();
    });

    it('records last use in batches, never moving it backwards, skipping unknown ids', async () => {
      const a = await store.create(newKey('a'));
      const b = await store.create(newKey('b'));
      await store.recordUse(new Map([[a.id, CONTRACT_T0 + 100], [b.id, CONTRACT_T0 + 200], ['key_unknown', CONTRACT_T0]]));
      await store.recordUse(new Map([[a.id, CONTRACT_T0 + 50]]));
      expect((await store.find(a.id))?.lastUsedAt).toBe(CONTRACT_T0 + 100);
      expect((await store.find(b.id))?.lastUsedAt).toBe(CONTRACT_T0 + 200);
    });

    it('moves the revision on create, update and revoke — seen by another opener — but not on use', async () => {
      const other = await fixture.reopen();
      const start = await other.revision();
      const key = await store.create(newKey('a'));
      const afterCreate = await other.revision();
      expect(afterCreate).not.toBe(start);
      await store.recordUse(new Map([[key.id, CONTRACT_T0 + 1]]));
      expect(await other.revision()).toBe(afterCreate);
      await store.update(key.id, { rpm: 5 });
      const afterUpdate = await other.revision();
      expect(afterUpdate).not.toBe(afterCreate);
      await store.revoke(key.id);
      expect(await other.revision()).not.toBe(afterUpdate);
      expect((await other.find(key.id))?.revokedAt).toBe(CONTRACT_T0);
    });
  });
}
