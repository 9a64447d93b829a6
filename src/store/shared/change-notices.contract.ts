// The behaviour every ChangeNotices must have, written against the abstract class so each backend
// (in-process instances on one hub, Redis) runs the same suite from its spec:
//   describeChangeNoticesContract('RedisChangeNotices', async () => ({ instances, close }));
// `instances` are three gateway instances that hear each other. Jest globals only: imported by
// specs, never by the app.
import { eventually } from '../../../test/support/redis-instances';
import type { ChangeKind, ChangeNotice, ChangeNotices } from './change-notices';

export interface ChangeNoticesFixture {
  instances: [ChangeNotices, ChangeNotices, ChangeNotices];
  close(): Promise<void>;
}

/** Every notice an instance hears, of the given kinds. */
export function hear(notices: ChangeNotices, kinds: ChangeKind[] = ['client-keys', 'accounts', 'providers', 'config-reload']): ChangeNotice[] {
  const heard: ChangeNotice[] = [];
  for (const kind of kinds) notices.subscribe(kind, (notice) => heard.push(notice));
  return heard;
}

/** A notice arrives in milliseconds (the README promises a second); 5 s is a loaded machine's room, never a lost notice's. */
const heardSoon = <T>(probe: () => T | undefined): Promise<T> => eventually(probe, 5000, 'the notice');

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeChangeNoticesContract(backend: string, open: () => Promise<ChangeNoticesFixture>): void {
  describe(`${backend} (ChangeNotices contract)`, () => {
    let fixture: ChangeNoticesFixture;
    let a: ChangeNotices;
    let b: ChangeNotices;
    let c: ChangeNotices;

    beforeEach(async () => {
      fixture = await open();
      [a, b, c] = fixture.instances;
    });
    afterEach(() => fixture.close());

    it('delivers a notice to every other instance within a second, never to its publisher', async () => {
      const [heardA, heardB, heardC] = [hear(a), hear(b), hear(c)];
      await a.publish('client-keys', 'revoked key_1');
      for (const heard of [heardB, heardC]) {
        expect(await heardSoon(() => heard[0])).toEqual({ kind: 'client-keys', from: a.instanceId, at: expect.any(Number), detail: 'revoked key_1' });
      }
      await pause(100);
      expect(heardA).toEqual([]);
      expect([heardB.length, heardC.length]).toEqual([1, 1]);
      expect(new Set([a.instanceId, b.instanceId, c.instanceId]).size).toBe(3);
    });

    it('delivers each kind to its own listeners only, and nothing after unsubscribing', async () => {
      const reloads = hear(b, ['config-reload']);
      const accounts: ChangeNotice[] = [];
      const stop = b.subscribe('accounts', (n) => accounts.push(n));

      await a.publish('providers');
      await a.publish('accounts', 'logged in codex/work');
      await a.publish('config-reload');
      await heardSoon(() => reloads[0]);
      await heardSoon(() => accounts[0]);
      stop();
      await a.publish('accounts', 'again');
      await a.publish('config-reload');
      await heardSoon(() => reloads[1]);

      expect(reloads.map((n) => n.kind)).toEqual(['config-reload', 'config-reload']);
      expect(accounts.map((n) => n.detail)).toEqual(['logged in codex/work']);
    });

    it('a listener that throws keeps the notice from nobody else', async () => {
      b.subscribe('providers', () => {
        throw new Error('listener bug');
      });
      const heard = hear(b, ['providers']);
      await c.publish('providers');
      expect(await heardSoon(() => heard[0])).toMatchObject({ kind: 'providers', from: c.instanceId });
    });
  });
}
