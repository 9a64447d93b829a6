// The behaviour every AccountStore must have, as one jest suite written against the abstract class:
// the SQLite spec (sqlite/) and the PostgreSQL spec (postgres/) each run it with a harness that
// opens stores on fresh storage of their own. "Another store on the same storage" stands for
// another process: the CLI beside a server, or a second gateway. What only one backend has
// (files and modes, a schema's tables) stays in that backend's spec.
// Jest globals only: this file is imported by specs, never by the app (tsconfig.build.json).
import { randomBytes } from 'node:crypto';
import type { NewAccount } from './account';
import type { AccountStore } from './account-store';
import { SECRET_KEY_ENV } from './secret-key';
import { StoreError } from './store-error';

export interface AccountStoreHarness {
  /**
   * Opens a store on this test's storage: fresh the first time, the same data afterwards (as
   * another process would open it). `env` is where BYOKEY_SECRET_KEY is read (default: none, so
   * the key file in the harness's home). Every store reads the clock the harness was given.
   * Rejects with the StoreError when the storage refuses to open.
   */
  open(options?: { env?: NodeJS.ProcessEnv }): Promise<AccountStore>;
  /** Closes every store opened (closing one twice is harmless) and removes the storage. */
  close(): Promise<void>;
}

export const ACCESS = 'at-SECRET-access-token-7f3a9c';
export const REFRESH = 'rt-SECRET-refresh-token-1b2d4e';
export const ID_TOKEN = 'eyJhbGciOi.SECRET-id-token.5c6d';
/** Every token the fixtures hold, none of which may appear in a message or at rest. */
export const SECRETS = [ACCESS, REFRESH, ID_TOKEN];

export const ACCOUNT_T0 = 1_750_000_000_000;
const T0 = ACCOUNT_T0;

/** What a login of `accountId` (to codex, unless overridden) produces. */
export function login(accountId: string, overrides: Partial<NewAccount> = {}): NewAccount {
  return {
    provider: 'codex',
    accountId,
    label: `${accountId}@example.com`,
    tokens: { accessToken: `${ACCESS}-${accountId}`, refreshToken: `${REFRESH}-${accountId}`, idToken: ID_TOKEN },
    expiresAt: T0 + 3_600_000,
    claims: { chatgpt_account_id: `acct-${accountId}`, plan: 'plus' },
    ...overrides,
  };
}

export function describeAccountStoreContract(name: string, create: (now: () => number) => Promise<AccountStoreHarness>): void {
  describe(`${name} (AccountStore contract)`, () => {
    let harness: AccountStoreHarness;
    let clock: number;

    beforeEach(async () => {
      clock = T0;
      harness = await create(() => clock);
    });

    afterEach(async () => {
      await harness.close();
    });

    const open = (options?: { env?: NodeJS.ProcessEnv }) => harness.open(options);

    async function openError(options: { env?: NodeJS.ProcessEnv }): Promise<StoreError> {
      try {
        await open(options);
      } catch (error) {
        expect(error).toBeInstanceOf(StoreError);
        return error as StoreError;
      }
      throw new Error('expected the store to refuse to open');
    }

    describe('accounts', () => {
      it('saves an account and reads it back; the first of a provider is its default', async () => {
        const store = await open();
        const saved = await store.save(login('work'));
        expect(saved).toEqual({
          provider: 'codex',
          accountId: 'work',
          label: 'work@example.com',
          isDefault: true,
          status: 'active',
          tokens: { accessToken: `${ACCESS}-work`, refreshToken: `${REFRESH}-work`, idToken: ID_TOKEN },
          expiresAt: T0 + 3_600_000,
          claims: { chatgpt_account_id: 'acct-work', plan: 'plus' },
          createdAt: T0,
          updatedAt: T0,
          version: 1,
        });
        expect(await store.get('codex', 'work')).toEqual(saved);
        expect(await store.getDefault('codex')).toEqual(saved);
      });

      it('stores the optional fields as absent', async () => {
        const store = await open();
        const saved = await store.save({ provider: 'claude', accountId: 'default', tokens: { accessToken: 'a' } });
        expect(saved).toEqual({
          provider: 'claude',
          accountId: 'default',
          isDefault: true,
          status: 'active',
          tokens: { accessToken: 'a' },
          claims: {},
          createdAt: T0,
          updatedAt: T0,
          version: 1,
        });
      });

      it('does not make a second account the default; unknown names are undefined', async () => {
        const store = await open();
        await store.save(login('work'));
        clock += 1000;
        const home2 = await store.save(login('home'));
        expect(home2.isDefault).toBe(false);
        expect((await store.getDefault('codex'))?.accountId).toBe('work');
        expect(await store.get('codex', 'nobody')).toBeUndefined();
        expect(await store.get('claude', 'work')).toBeUndefined();
        expect(await store.getDefault('claude')).toBeUndefined();
      });

      it('treats a save of an existing name as a fresh login', async () => {
        const store = await open();
        await store.save(login('work'));
        await store.save(login('home'));
        await store.setStatus('codex', 'home', 'needs_relogin', 'invalid_grant');
        clock += 60_000;

        const again = await store.save({
          provider: 'codex',
          accountId: 'home',
          tokens: { accessToken: 'new-access' },
          expiresAt: T0 + 7_200_000,
        });
        expect(again).toEqual({
          provider: 'codex',
          accountId: 'home',
          label: 'home@example.com', // kept: the new login did not say
          isDefault: false, // kept
          status: 'active',
          tokens: { accessToken: 'new-access' }, // replaced whole: the old refresh token belongs to the old login
          expiresAt: T0 + 7_200_000,
          claims: { chatgpt_account_id: 'acct-home', plan: 'plus' }, // kept: the new login did not say
          createdAt: T0,
          updatedAt: T0 + 60_000,
          version: 2,
        });

        const relabelled = await store.save(login('work', { label: 'new@example.com', claims: { plan: 'pro' } }));
        expect(relabelled).toMatchObject({ label: 'new@example.com', claims: { plan: 'pro' }, isDefault: true, version: 2 });
        expect(await store.list('codex')).toHaveLength(2);
      });

      it('lists by provider, then the default first, then by account id', async () => {
        const store = await open();
        for (const [provider, accountId] of [
          ['codex', 'm'],
          ['claude', 'z'],
          ['codex', 'b'],
          ['codex', 'x'],
          ['claude', 'a'],
        ]) {
          await store.save(login(accountId, { provider }));
        }
        const ids = (accounts: { provider: string; accountId: string }[]) => accounts.map((a) => `${a.provider}/${a.accountId}`);
        expect(ids(await store.list())).toEqual(['claude/z', 'claude/a', 'codex/m', 'codex/b', 'codex/x']);
        expect(ids(await store.list('codex'))).toEqual(['codex/m', 'codex/b', 'codex/x']);
        await store.setDefault('codex', 'x');
        expect(ids(await store.list('codex'))).toEqual(['codex/x', 'codex/b', 'codex/m']);
        expect(await store.list('gemini')).toEqual([]);
      });

      describe('updateTokens', () => {
        it('writes new tokens, keeping what the update leaves out, and merges claims', async () => {
          const store = await open();
          await store.save(login('work'));
          await store.setStatus('codex', 'work', 'disabled');
          clock += 5000;

          const updated = await store.updateTokens('codex', 'work', { accessToken: 'access-2', claims: { plan: 'pro' } });
          expect(updated).toEqual({
            provider: 'codex',
            accountId: 'work',
            label: 'work@example.com',
            isDefault: true,
            status: 'disabled', // a refresh does not change the status
            tokens: { accessToken: 'access-2', refreshToken: `${REFRESH}-work`, idToken: ID_TOKEN },
            expiresAt: T0 + 3_600_000,
            claims: { chatgpt_account_id: 'acct-work', plan: 'pro' },
            createdAt: T0,
            refreshedAt: T0 + 5000,
            updatedAt: T0 + 5000,
            version: 2,
          });
          expect(await store.get('codex', 'work')).toEqual(updated);

          const rotated = await store.updateTokens('codex', 'work', {
            accessToken: 'access-3',
            refreshToken: 'refresh-3',
            idToken: 'id-3',
            expiresAt: T0 + 9_000_000,
          });
          expect(rotated?.tokens).toEqual({ accessToken: 'access-3', refreshToken: 'refresh-3', idToken: 'id-3' });
          expect(rotated?.expiresAt).toBe(T0 + 9_000_000);
          expect(rotated?.version).toBe(3);
        });

        it('is a compare-and-set with expectedVersion: a stale writer gets undefined and changes nothing', async () => {
          const store = await open();
          const read = await store.save(login('work'));

          const first = await store.updateTokens('codex', 'work', { accessToken: 'winner', refreshToken: 'r-winner' }, read.version);
          expect(first?.version).toBe(read.version + 1);

          const second = await store.updateTokens('codex', 'work', { accessToken: 'loser', refreshToken: 'r-loser' }, read.version);
          expect(second).toBeUndefined();
          const stored = await store.get('codex', 'work');
          expect(stored?.tokens).toMatchObject({ accessToken: 'winner', refreshToken: 'r-winner' });
          expect(stored?.version).toBe(read.version + 1);

          // A login between a refresher's read and its write wins too.
          await store.save(login('work'));
          expect(await store.updateTokens('codex', 'work', { accessToken: 'late' }, first?.version)).toBeUndefined();
          expect((await store.get('codex', 'work'))?.tokens.accessToken).toBe(`${ACCESS}-work`);
        });

        it('returns undefined for an unknown account', async () => {
          const store = await open();
          expect(await store.updateTokens('codex', 'nobody', { accessToken: 'x' })).toBeUndefined();
          expect(await store.list()).toEqual([]);
        });
      });

      describe('setProxy', () => {
        const PROXY = 'socks5h://egress-user:egress-SECRET-pass@egress.corp:1080';

        it('pins the account to a proxy and drops the pin, leaving the version alone; false for an unknown account', async () => {
          const store = await open();
          const saved = await store.save(login('work'));
          clock += 1000;
          expect(await store.setProxy('codex', 'work', PROXY)).toBe(true);
          const pinned = await store.get('codex', 'work');
          expect(pinned?.tokens).toEqual({ ...saved.tokens, proxyUrl: PROXY });
          expect(pinned?.version).toBe(saved.version);
          expect(pinned?.updatedAt).toBe(T0 + 1000);
          // Another process sees it.
          expect((await (await open()).get('codex', 'work'))?.tokens.proxyUrl).toBe(PROXY);

          expect(await store.setProxy('codex', 'work', 'none')).toBe(true);
          expect((await store.get('codex', 'work'))?.tokens.proxyUrl).toBe('none');
          expect(await store.setProxy('codex', 'work', undefined)).toBe(true);
          const dropped = await store.get('codex', 'work');
          expect(dropped?.tokens).toEqual(saved.tokens);
          expect('proxyUrl' in (dropped?.tokens ?? {})).toBe(false);

          expect(await store.setProxy('codex', 'nobody', PROXY)).toBe(false);
          expect(await store.get('codex', 'nobody')).toBeUndefined();
        });

        it('is kept by a refresh and by a new login that names no proxy, replaced by one that does', async () => {
          const store = await open();
          const saved = await store.save(login('work'));
          await store.setProxy('codex', 'work', PROXY);
          // A refresh that read the account before the pin still writes, and keeps the pin.
          const refreshed = await store.updateTokens('codex', 'work', { accessToken: 'access-2', refreshToken: 'refresh-2' }, saved.version);
          expect(refreshed?.tokens).toEqual({ accessToken: 'access-2', refreshToken: 'refresh-2', idToken: ID_TOKEN, proxyUrl: PROXY });

          const relogin = await store.save(login('work'));
          expect(relogin.tokens.proxyUrl).toBe(PROXY);
          const other = await store.save(login('work', { tokens: { accessToken: 'a', proxyUrl: 'http://other.corp:3128' } }));
          expect(other.tokens).toEqual({ accessToken: 'a', proxyUrl: 'http://other.corp:3128' });
        });
      });

      describe('mergeClaims', () => {
        it('merges facts over the claims, leaving tokens and version alone; kept by a refresh; false for an unknown account', async () => {
          const store = await open();
          const saved = await store.save(login('work'));
          clock += 1000;
          expect(await store.mergeClaims('codex', 'work', { project_id: 'proj-1' })).toBe(true);
          const merged = await store.get('codex', 'work');
          expect(merged?.claims).toEqual({ chatgpt_account_id: 'acct-work', plan: 'plus', project_id: 'proj-1' });
          expect(merged?.tokens).toEqual(saved.tokens);
          expect(merged?.version).toBe(saved.version);
          expect(merged?.updatedAt).toBe(T0 + 1000);
          // Another process sees it, and a second merge keeps the first one's keys.
          const other = await open();
          expect(await other.mergeClaims('codex', 'work', { tier: 'free-tier' })).toBe(true);
          expect((await store.get('codex', 'work'))?.claims).toEqual({ chatgpt_account_id: 'acct-work', plan: 'plus', project_id: 'proj-1', tier: 'free-tier' });
          // A refresh that read the account before the merge still writes, and keeps the merged claims.
          const refreshed = await store.updateTokens('codex', 'work', { accessToken: 'access-2' }, saved.version);
          expect(refreshed?.claims).toMatchObject({ project_id: 'proj-1', tier: 'free-tier' });

          expect(await store.mergeClaims('codex', 'nobody', { project_id: 'x' })).toBe(false);
          expect(await store.get('codex', 'nobody')).toBeUndefined();
        });
      });

      it('sets and clears the status and its reason', async () => {
        const store = await open();
        await store.save(login('work'));
        clock += 10;
        await store.setStatus('codex', 'work', 'needs_relogin', 'refresh refused: invalid_grant');
        expect(await store.get('codex', 'work')).toMatchObject({
          status: 'needs_relogin',
          statusReason: 'refresh refused: invalid_grant',
          updatedAt: T0 + 10,
          version: 1, // not a token write
        });
        await store.setStatus('codex', 'work', 'disabled');
        const disabled = await store.get('codex', 'work');
        expect(disabled?.status).toBe('disabled');
        expect(disabled).not.toHaveProperty('statusReason');

        await store.setStatus('codex', 'nobody', 'disabled');
        expect(await store.list()).toHaveLength(1);
      });

      it('with an expected version, sets the status only for the tokens it was about', async () => {
        const store = await open();
        const first = await store.save(login('work'));
        // A fresh login rewrites the tokens after a refresh of the old ones was refused...
        const relogin = await store.save(login('work'));
        expect(relogin.version).toBeGreaterThan(first.version);
        // ...so marking the old tokens' account as needing a login must not stick.
        expect(await store.setStatus('codex', 'work', 'needs_relogin', 'invalid_grant', first.version)).toBe(false);
        expect((await store.get('codex', 'work'))?.status).toBe('active');
        expect(await store.setStatus('codex', 'work', 'needs_relogin', 'invalid_grant', relogin.version)).toBe(true);
        expect((await store.get('codex', 'work'))?.status).toBe('needs_relogin');
      });

      it('moves the default within one provider only; false for an unknown account', async () => {
        const store = await open();
        await store.save(login('work'));
        await store.save(login('home'));
        await store.save(login('other', { provider: 'claude' }));

        expect(await store.setDefault('codex', 'home')).toBe(true);
        const codex = await store.list('codex');
        expect(codex.filter((a) => a.isDefault).map((a) => a.accountId)).toEqual(['home']);
        expect((await store.getDefault('claude'))?.accountId).toBe('other');

        expect(await store.setDefault('codex', 'nobody')).toBe(false);
        expect((await store.getDefault('codex'))?.accountId).toBe('home');
        expect(await store.setDefault('codex', 'home')).toBe(true);
        expect((await store.list('codex')).filter((a) => a.isDefault)).toHaveLength(1);
      });

      describe('remove', () => {
        it('promotes the oldest remaining account when the default goes', async () => {
          const store = await open();
          // Created in this order, so "oldest" and "first by name" differ.
          await store.save(login('zeta'));
          clock += 1;
          await store.save(login('beta'));
          clock += 1;
          await store.save(login('alpha'));

          expect(await store.remove('codex', 'zeta')).toBe(true);
          expect(await store.get('codex', 'zeta')).toBeUndefined();
          expect((await store.getDefault('codex'))?.accountId).toBe('beta');

          expect(await store.remove('codex', 'alpha')).toBe(true);
          expect((await store.getDefault('codex'))?.accountId).toBe('beta');

          expect(await store.remove('codex', 'beta')).toBe(true);
          expect(await store.getDefault('codex')).toBeUndefined();
          expect(await store.remove('codex', 'beta')).toBe(false);

          // The provider starts over: the next login is its default again.
          expect((await store.save(login('fresh'))).isDefault).toBe(true);
        });

        it('leaves the default alone when another account goes', async () => {
          const store = await open();
          await store.save(login('work'));
          await store.save(login('home'));
          expect(await store.remove('codex', 'home')).toBe(true);
          expect((await store.getDefault('codex'))?.accountId).toBe('work');
          expect(await store.list()).toHaveLength(1);
        });
      });
    });

    describe('refresh lease', () => {
      it('is held by one holder at a time across two stores on one storage, until released or expired', async () => {
        const server = await open();
        const cli = await open();
        await server.save(login('work'));

        expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(true);
        expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(false);
        // Someone else's release does not free it.
        await cli.releaseRefreshLease('codex', 'work', 'cli');
        expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(false);
        // The holder may renew.
        clock += 20_000;
        expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(true);
        clock += 20_000; // past the first lease, within the renewed one
        expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(false);

        await server.releaseRefreshLease('codex', 'work', 'server');
        expect(await cli.acquireRefreshLease('codex', 'work', 'cli', 30_000)).toBe(true);
        expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(false);

        clock += 30_000; // the cli's lease expires without a release (a crashed process)
        expect(await server.acquireRefreshLease('codex', 'work', 'server', 30_000)).toBe(true);
      });

      it('has exactly one winner among many simultaneous attempts', async () => {
        const a = await open();
        const b = await open();
        await a.save(login('work'));
        const attempts = Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? a : b).acquireRefreshLease('codex', 'work', `holder-${i}`, 30_000),
        );
        expect((await Promise.all(attempts)).filter(Boolean)).toHaveLength(1);
      });

      it('is per account, refused for an unknown one, and leaves tokens and version alone', async () => {
        const store = await open();
        await store.save(login('work'));
        await store.save(login('home'));
        expect(await store.acquireRefreshLease('codex', 'work', 'x', 1000)).toBe(true);
        expect(await store.acquireRefreshLease('codex', 'home', 'y', 1000)).toBe(true);
        expect(await store.acquireRefreshLease('codex', 'nobody', 'x', 1000)).toBe(false);
        expect(await store.get('codex', 'work')).toMatchObject({ version: 1, tokens: { accessToken: `${ACCESS}-work` } });
      });

      it('rejects a ttl that is not a positive number', async () => {
        const store = await open();
        await store.save(login('work'));
        await expect(store.acquireRefreshLease('codex', 'work', 'x', 0)).rejects.toThrow(RangeError);
        await expect(store.acquireRefreshLease('codex', 'work', 'x', Number.NaN)).rejects.toThrow(RangeError);
      });
    });

    describe('refresh lease heartbeat and takeover', () => {
      it('records holder, expiry and heartbeat; the holder renews it, nobody else can', async () => {
        const a = await open();
        const b = await open();
        await a.save(login('work'));
        expect(await a.getRefreshLease('codex', 'work')).toBeUndefined();

        expect(await a.acquireRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(true);
        expect(await b.getRefreshLease('codex', 'work')).toEqual({ holder: 'host:1:a', until: T0 + 15_000, heartbeatAt: T0 });

        clock += 5_000;
        expect(await a.renewRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(true);
        expect(await b.getRefreshLease('codex', 'work')).toEqual({ holder: 'host:1:a', until: T0 + 20_000, heartbeatAt: T0 + 5_000 });
        // Renewing is the holder's alone, and does not take a lease someone else holds.
        expect(await b.renewRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(false);
        clock += 14_000; // past the first expiry, within the renewed one
        expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(false);

        // The heartbeat stops: the lease runs out and is anyone's; the old holder cannot renew it back.
        clock += 1_000;
        expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(true);
        expect(await a.renewRefreshLease('codex', 'work', 'host:1:a', 15_000)).toBe(false);
        expect((await a.getRefreshLease('codex', 'work'))?.holder).toBe('host:2:b');

        await b.releaseRefreshLease('codex', 'work', 'host:2:b');
        expect(await a.getRefreshLease('codex', 'work')).toBeUndefined();
        expect(await a.renewRefreshLease('codex', 'work', 'host:2:b', 15_000)).toBe(false);
      });

      it('is taken over before it expires only from the holder named as gone', async () => {
        const a = await open();
        const b = await open();
        await a.save(login('work'));
        expect(await a.acquireRefreshLease('codex', 'work', 'host:1:dead', 15_000)).toBe(true);

        expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000, 'host:1:someone-else')).toBe(false);
        expect(await b.acquireRefreshLease('codex', 'work', 'host:2:b', 15_000, 'host:1:dead')).toBe(true);
        // A second caller that also saw the dead holder finds the lease no longer its to take.
        expect(await a.acquireRefreshLease('codex', 'work', 'host:3:c', 15_000, 'host:1:dead')).toBe(false);
        expect((await a.getRefreshLease('codex', 'work'))?.holder).toBe('host:2:b');
      });

      it('rejects a renewal ttl that is not a positive number', async () => {
        const store = await open();
        await store.save(login('work'));
        await store.acquireRefreshLease('codex', 'work', 'x', 1000);
        await expect(store.renewRefreshLease('codex', 'work', 'x', -1)).rejects.toThrow(RangeError);
      });

    });

    describe('two stores on one storage', () => {
      it('see each other’s writes at once', async () => {
        const server = await open();
        const cli = await open();
        await cli.save(login('work'));
        expect((await server.get('codex', 'work'))?.label).toBe('work@example.com');
        await server.updateTokens('codex', 'work', { accessToken: 'refreshed' });
        expect((await cli.get('codex', 'work'))?.tokens.accessToken).toBe('refreshed');
      });
    });

    describe('across close and reopen', () => {
      it('keeps everything across close and reopen', async () => {
        const first = await open();
        await first.save(login('work'));
        await first.save(login('home', { provider: 'claude' }));
        await first.updateTokens('codex', 'work', { accessToken: 'access-2' });
        await first.setStatus('claude', 'home', 'needs_relogin', 'expired');
        await first.acquireRefreshLease('codex', 'work', 'first', 60_000);
        const before = await first.list();
        await first.close();

        const second = await open();
        expect(await second.list()).toEqual(before);
        // The lease is on disk too.
        expect(await second.acquireRefreshLease('codex', 'work', 'second', 60_000)).toBe(false);
      });
    });

    describe('the secret key', () => {
      const key = randomBytes(32).toString('base64');

      it('reads back what the same key from BYOKEY_SECRET_KEY wrote, and refuses another key when opening', async () => {
        const first = await open({ env: { [SECRET_KEY_ENV]: key } });
        await first.save(login('work'));
        await first.close();

        const error = await openError({ env: { [SECRET_KEY_ENV]: randomBytes(32).toString('hex') } });
        expect(error.message).toMatch(/^The secret key \(from BYOKEY_SECRET_KEY\) does not match .*: its accounts were encrypted with another key\./);
        expect(error.message).toContain('Nothing was changed');

        const again = await open({ env: { [SECRET_KEY_ENV]: key } });
        expect((await again.get('codex', 'work'))?.tokens.accessToken).toBe(`${ACCESS}-work`);
      });

      it('refuses another key even before the first account: the key check holds the first key', async () => {
        await (await open({ env: { [SECRET_KEY_ENV]: key } })).close();
        expect((await openError({ env: { [SECRET_KEY_ENV]: randomBytes(32).toString('base64') } })).message).toMatch(/does not match/);
      });

      it('refuses to make up a new key when the variable is dropped', async () => {
        const first = await open({ env: { [SECRET_KEY_ENV]: key } });
        await first.save(login('work'));
        await first.close();
        expect((await openError({ env: {} })).message).toMatch(/^The secret key is missing: BYOKEY_SECRET_KEY is not set/);
      });

      it('refuses a malformed key, naming the variable', async () => {
        expect((await openError({ env: { [SECRET_KEY_ENV]: 'not-a-key' } })).message).toMatch(/^BYOKEY_SECRET_KEY is not a valid key: expected 32 bytes/);
      });
    });
  });
}
