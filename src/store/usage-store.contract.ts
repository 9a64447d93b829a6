// The behaviour every UsageStore must have, as a jest suite written against the abstract class:
// each backend's spec runs it with a factory for a fresh, empty store (sqlite/ now, postgres/
// later). Not a spec itself, and kept out of the build (tsconfig.build.json).
import type { UsageRecord } from './usage-record';
import type { UsageStore } from './usage-store';

export interface UsageStoreFixture {
  store: UsageStore;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** A successful streamed request; fields overridden per test. */
export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    at: T0,
    requestId: 'req-1',
    keyId: 'key-a',
    keyName: 'team-a',
    route: '/v1/chat/completions',
    modelRequested: 'fast',
    modelServed: 'gpt-5-mini',
    instance: 'openai',
    credential: 'api_keys[0]',
    status: 200,
    tokens: { input: 100, output: 20, cached: 60, reasoning: 5 },
    ttfbMs: 40,
    durationMs: 900,
    stream: true,
    attempts: 1,
    ...overrides,
  };
}

export function describeUsageStoreContract(name: string, open: () => Promise<UsageStoreFixture>): void {
  describe(`UsageStore contract: ${name}`, () => {
    let fixture: UsageStoreFixture;
    let store: UsageStore;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.close();
    });

    describe('insertBatch and recent', () => {
      it('gives back every field of a stored record, and leaves out the ones a record has not', async () => {
        const full = usageRecord({ errorType: 'rate_limit_error', status: 429, attempts: 3 });
        const bare: UsageRecord = {
          at: T0 + 1,
          requestId: 'req-2',
          route: '/v1/messages',
          status: 400,
          tokens: { input: 0, output: 0, cached: 0, reasoning: 0 },
          durationMs: 3,
          stream: false,
          attempts: 0,
        };
        await store.insertBatch([full, bare]);
        const page = await store.recent({ limit: 10 });
        expect(page.nextBefore).toBeUndefined();
        expect(page.records.map(({ id: _id, ...record }) => record)).toEqual([bare, full]);
        expect(page.records[0].id).toBeGreaterThan(page.records[1].id);
      });

      it('accepts an empty batch', async () => {
        await store.insertBatch([]);
        expect(await store.recent({ limit: 5 })).toEqual({ records: [] });
      });

      it('stores a batch whole or not at all', async () => {
        const broken = { ...usageRecord({ requestId: 'req-broken' }), route: undefined } as unknown as UsageRecord;
        // Compared by outcome: a driver's error class may come from another realm than jest's Error.
        const outcome = await store.insertBatch([usageRecord({ requestId: 'req-ok' }), broken]).then(() => 'stored', () => 'refused');
        expect(outcome).toBe('refused');
        expect((await store.recent({ limit: 5 })).records).toEqual([]);
      });

      it('pages newest first: each page hands on where the next starts, the last says nothing', async () => {
        await store.insertBatch([1, 2, 3].map((n) => usageRecord({ requestId: `req-${n}` })));
        await store.insertBatch([4, 5].map((n) => usageRecord({ requestId: `req-${n}` })));
        const first = await store.recent({ limit: 2 });
        expect(first.records.map((r) => r.requestId)).toEqual(['req-5', 'req-4']);
        const second = await store.recent({ limit: 2, before: first.nextBefore });
        expect(second.records.map((r) => r.requestId)).toEqual(['req-3', 'req-2']);
        const last = await store.recent({ limit: 2, before: second.nextBefore });
        expect(last.records.map((r) => r.requestId)).toEqual(['req-1']);
        expect(last.nextBefore).toBeUndefined();
      });
    });

    describe('aggregate', () => {
      const window = { since: T0, until: T0 + 60_000 };

      beforeEach(async () => {
        await store.insertBatch([
          usageRecord({ requestId: 'a1', ttfbMs: 10, durationMs: 100 }),
          usageRecord({ requestId: 'a2', ttfbMs: 30, durationMs: 300, at: T0 + 10 }),
          usageRecord({ requestId: 'a3', ttfbMs: 20, durationMs: 200, status: 502, errorType: 'api_error', tokens: { input: 7, output: 0, cached: 0, reasoning: 0 } }),
          // An error inside a stream that had started: status 200, error type set.
          usageRecord({
            requestId: 'b1',
            keyId: 'key-b',
            keyName: 'team-b',
            modelServed: 'claude-sonnet-5-5',
            instance: 'claude',
            credential: 'account:me',
            errorType: 'overloaded_error',
            ttfbMs: undefined,
            durationMs: 50,
          }),
          // Refused before routing: no model served, no instance, no credential, no key.
          usageRecord({
            requestId: 'c1',
            keyId: undefined,
            keyName: undefined,
            modelServed: undefined,
            modelRequested: 'nope',
            instance: undefined,
            credential: undefined,
            status: 404,
            errorType: 'not_found_error',
            tokens: { input: 0, output: 0, cached: 0, reasoning: 0 },
            ttfbMs: 1,
            durationMs: 1,
          }),
          // Outside the window on both sides.
          usageRecord({ requestId: 'early', at: T0 - 1 }),
          usageRecord({ requestId: 'late', at: T0 + 60_000 }),
        ]);
      });

      it('by model: the model served (else the one asked for), busiest first, with tokens, errors and medians', async () => {
        expect(await store.aggregate(window, 'model')).toEqual([
          {
            group: 'gpt-5-mini',
            requests: 3,
            errors: 1,
            tokens: { input: 207, output: 40, cached: 120, reasoning: 10 },
            p50TtfbMs: 20,
            p50DurationMs: 200,
          },
          { group: 'claude-sonnet-5-5', requests: 1, errors: 1, tokens: { input: 100, output: 20, cached: 60, reasoning: 5 }, p50DurationMs: 50 },
          { group: 'nope', requests: 1, errors: 1, tokens: { input: 0, output: 0, cached: 0, reasoning: 0 }, p50TtfbMs: 1, p50DurationMs: 1 },
        ]);
      });

      it('by key: the key id with its name, and a group (last among equals) for requests without a key', async () => {
        const groups = await store.aggregate(window, 'key');
        expect(groups.map((g) => [g.group, g.name, g.requests, g.errors])).toEqual([
          ['key-a', 'team-a', 3, 1],
          ['key-b', 'team-b', 1, 1],
          [null, undefined, 1, 1],
        ]);
      });

      it('by account: the credential within its instance', async () => {
        const groups = await store.aggregate(window, 'account');
        expect(groups.map((g) => [g.group, g.requests])).toEqual([
          ['openai/api_keys[0]', 3],
          ['claude/account:me', 1],
          [null, 1],
        ]);
      });

      it('by instance, and nothing for a window without requests', async () => {
        const groups = await store.aggregate(window, 'instance');
        expect(groups.map((g) => [g.group, g.requests, g.tokens.input])).toEqual([
          ['openai', 3, 207],
          ['claude', 1, 100],
          [null, 1, 0],
        ]);
        expect(await store.aggregate({ since: T0 + 120_000, until: T0 + 180_000 }, 'instance')).toEqual([]);
      });

      it('takes the lower median of an even count', async () => {
        const groups = await store.aggregate({ since: T0, until: T0 + 1 }, 'key');
        // key-a at T0 (a2 came later): a1 and a3, ttfb 10 and 20 → 10.
        expect(groups.find((g) => g.group === 'key-a')).toMatchObject({ requests: 2, p50TtfbMs: 10, p50DurationMs: 100 });
      });
    });

    describe('prune', () => {
      it('deletes the records of requests that arrived before the cut, and counts them', async () => {
        await store.insertBatch([
          usageRecord({ requestId: 'old-1', at: T0 - 2 }),
          usageRecord({ requestId: 'old-2', at: T0 - 1 }),
          usageRecord({ requestId: 'kept', at: T0 }),
        ]);
        expect(await store.prune(T0)).toBe(2);
        expect((await store.recent({ limit: 10 })).records.map((r) => r.requestId)).toEqual(['kept']);
        expect(await store.prune(T0)).toBe(0);
      });
    });
  });
}
