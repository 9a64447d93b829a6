// The behaviour every ProviderOverridesStore backend must have, as one test suite written against
// the abstract class: the SQLite spec runs it, and the PostgreSQL backend runs it again.
import type { ProviderOverridesStore } from './provider-overrides-store';

export interface OverridesStoreHarness {
  store: ProviderOverridesStore;
  /** Closes and opens the same storage again (what a restart does); the old store is not used after. */
  reopen(): Promise<ProviderOverridesStore>;
  close(): Promise<void>;
}

export function describeProviderOverridesStoreContract(name: string, open: () => Promise<OverridesStoreHarness>): void {
  describe(`${name} (ProviderOverridesStore contract)`, () => {
    let harness: OverridesStoreHarness;
    let store: ProviderOverridesStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.close();
    });

    it('starts with no overrides', async () => {
      expect(await store.list()).toEqual([]);
    });

    it('sets, changes and clears an instance\'s enabled flag', async () => {
      await store.setEnabled('openai', false);
      expect(await store.list()).toEqual([{ instance: 'openai', enabled: false, keys: [] }]);
      await store.setEnabled('openai', true);
      expect(await store.list()).toEqual([{ instance: 'openai', enabled: true, keys: [] }]);
      await store.setEnabled('openai', undefined);
      expect(await store.list()).toEqual([]);
    });

    it('keeps added keys in the clear for the caller, in the order added, with their base URL', async () => {
      const first = await store.addKey('openai', { label: 'team-b', key: 'sk-upstream-b-1111' });
      const second = await store.addKey('openai', { label: 'team-a', key: 'sk-upstream-a-2222', baseUrl: 'https://eu.example.com/v1' });
      expect(first).toMatchObject({ label: 'team-b', key: 'sk-upstream-b-1111' });
      expect(second).toMatchObject({ label: 'team-a', key: 'sk-upstream-a-2222', baseUrl: 'https://eu.example.com/v1' });
      const [openai] = await store.list();
      expect(openai.instance).toBe('openai');
      expect(openai.enabled).toBeUndefined();
      expect(openai.keys.map((k) => [k.label, k.key, k.baseUrl])).toEqual([
        ['team-b', 'sk-upstream-b-1111', undefined],
        ['team-a', 'sk-upstream-a-2222', 'https://eu.example.com/v1'],
      ]);
      expect(typeof openai.keys[0].createdAt).toBe('number');
    });

    it('refuses a second key with the same label in one instance, keeping the first; other instances are separate', async () => {
      await store.addKey('openai', { label: 'main', key: 'sk-first-0000' });
      expect(await store.addKey('openai', { label: 'main', key: 'sk-second-0000' })).toBeUndefined();
      expect(await store.addKey('claude', { label: 'main', key: 'sk-claude-0000' })).toBeDefined();
      const all = await store.list();
      expect(all.map((o) => [o.instance, o.keys.map((k) => k.key)])).toEqual([
        ['claude', ['sk-claude-0000']],
        ['openai', ['sk-first-0000']],
      ]);
    });

    it('removes a key by label, and says when there was none', async () => {
      await store.addKey('openai', { label: 'a', key: 'sk-a-0000' });
      await store.addKey('openai', { label: 'b', key: 'sk-b-0000' });
      expect(await store.removeKey('openai', 'a')).toBe(true);
      expect(await store.removeKey('openai', 'a')).toBe(false);
      expect(await store.removeKey('claude', 'b')).toBe(false);
      expect((await store.list())[0].keys.map((k) => k.label)).toEqual(['b']);
      // A removed label may be used again.
      expect(await store.addKey('openai', { label: 'a', key: 'sk-a-1111' })).toBeDefined();
    });

    it('keeps everything across a reopen', async () => {
      await store.setEnabled('claude', false);
      await store.addKey('openai', { label: 'k1', key: 'sk-kept-9999', baseUrl: 'http://127.0.0.1:9/v1' });
      store = await harness.reopen();
      expect(await store.list()).toEqual([
        { instance: 'claude', enabled: false, keys: [] },
        { instance: 'openai', keys: [expect.objectContaining({ label: 'k1', key: 'sk-kept-9999', baseUrl: 'http://127.0.0.1:9/v1' })] },
      ]);
    });
  });
}
