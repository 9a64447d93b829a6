// The behaviour every LoginRelay must have, written against the abstract class so each backend
// (in-process instances on one hub, Redis) runs the same suite from its spec:
//   describeLoginRelayContract('RedisLoginRelay', async () => ({ instances, close }));
// `instances` are two gateway instances that see each other. Jest globals only: imported by
// specs, never by the app.
import { eventually } from '../../../test/support/redis-instances';
import type { LoginRelay, RelayedLogin } from './login-relay';

export interface LoginRelayFixture {
  instances: [LoginRelay, LoginRelay];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** It takes milliseconds; 5 s is a loaded machine's room. */
const arrivesSoon = <T>(probe: () => T | undefined): Promise<T> => eventually(probe, 5000, 'the hand-over');

export function pendingLogin(owner: string, status = 'pending'): RelayedLogin {
  return {
    owner,
    aliveUntil: Date.now() + 30_000,
    view: { id: 'login_x', provider: 'codex', account_id: 'work', flow: 'authorization-code', status, authorize_url: 'https://auth.example/authorize?state=s' },
  };
}

export function describeLoginRelayContract(backend: string, open: () => Promise<LoginRelayFixture>): void {
  describe(`${backend} (LoginRelay contract)`, () => {
    let fixture: LoginRelayFixture;
    let a: LoginRelay;
    let b: LoginRelay;

    beforeEach(async () => {
      fixture = await open();
      [a, b] = fixture.instances;
    });
    afterEach(() => fixture.close());

    it('a login one instance shares is read by the other as shared, and each share replaces the last', async () => {
      expect(a.instanceId).not.toBe(b.instanceId);
      expect(await b.read('login_x')).toBeUndefined();

      const shared = pendingLogin(a.instanceId);
      await a.share('login_x', shared, 10_000);
      expect(await b.read('login_x')).toEqual(shared);
      expect((await b.read('login_x'))?.view).toMatchObject({ status: 'pending' });

      await a.share('login_x', pendingLogin(a.instanceId, 'done'), 10_000);
      expect((await b.read('login_x'))?.view).toMatchObject({ status: 'done' });
      expect(await b.read('login_y')).toBeUndefined();
    });

    it('a shared login is gone once its time is up, and one shared with no time left is not shared at all', async () => {
      // Long enough to be read back before it ends, however slow the machine.
      await a.share('login_short', pendingLogin(a.instanceId), 1000);
      expect(await b.read('login_short')).toBeDefined();
      await sleep(1100);
      expect(await b.read('login_short')).toBeUndefined();

      await a.share('login_none', pendingLogin(a.instanceId), 0);
      await a.share('login_past', pendingLogin(a.instanceId), -5);
      expect(await b.read('login_none')).toBeUndefined();
      expect(await b.read('login_past')).toBeUndefined();
    });

    it('what is handed over reaches the owner only, once, and nothing after it unsubscribes', async () => {
      const toA: Array<[string, string]> = [];
      const toB: Array<[string, string]> = [];
      a.onHandOver(() => {
        throw new Error('listener bug');
      });
      const stop = a.onHandOver((id, pasted) => toA.push([id, pasted]));
      b.onHandOver((id, pasted) => toB.push([id, pasted]));

      expect(await b.handOver(a.instanceId, 'login_x', 'http://localhost:1455/auth/callback?code=c1&state=s')).toBe(true);
      expect(await arrivesSoon(() => toA[0])).toEqual(['login_x', 'http://localhost:1455/auth/callback?code=c1&state=s']);
      await sleep(100);
      expect(toA).toHaveLength(1);
      expect(toB).toEqual([]);

      stop();
      await b.handOver(a.instanceId, 'login_x', 'again');
      await sleep(100);
      expect(toA).toHaveLength(1);
    });

    it('a hand-over to an instance that is not listening says so, though others are', async () => {
      const heard: string[] = [];
      a.onHandOver((id) => heard.push(id));
      b.onHandOver((id) => heard.push(id));
      // As a crashed owner leaves it: its last share still vouches for the login, nobody hears it.
      expect(await b.handOver('a-crashed-instance', 'login_x', 'http://localhost:1455/auth/callback?code=c1&state=s')).toBe(false);
      await sleep(100);
      expect(heard).toEqual([]);
    });

    it('tells an instance that listens for hand-overs from one that does not', async () => {
      a.onHandOver(() => undefined);
      expect(await b.isListening(a.instanceId)).toBe(true);
      expect(await b.isListening('a-crashed-instance')).toBe(false);
    });
  });
}
