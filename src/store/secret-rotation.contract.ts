// The behaviour of a secret key rotation on every backend, as one jest suite over the stores
// openStores gives (accounts, runtime provider keys, SecretRotation): the SQLite spec and the
// PostgreSQL spec each run it with a harness on fresh storage of their own. "Opening with env E"
// stands for an instance (or a CLI command) configured with E: several are open at once, as a
// fleet is in the middle of a rolling restart.
// Jest globals only: this file is imported by specs, never by the app (tsconfig.build.json).
import { randomBytes } from 'node:crypto';
import type { Account } from './account';
import { ACCESS, login, REFRESH, SECRETS } from './account-store.contract';
import type { Stores } from './open-stores';
import { PREVIOUS_SECRET_KEY_ENV, SECRET_KEY_ENV } from './secret-key';
import { StoreError } from './store-error';
import type { UnreadableReporter } from './unreadable-secrets';

export interface SecretRotationHarness {
  /**
   * Opens every store on this test's storage (the same data each time), reading the keys from
   * `env` only. Rejects with the StoreError when the storage refuses to open.
   */
  open(env: NodeJS.ProcessEnv, onUnreadable?: UnreadableReporter): Promise<Stores>;
  /**
   * The rows that hold sealed values (accounts, runtime keys, meta), raw as a person with the
   * database's own client would see them, as one text: what must not move when nothing changes.
   */
  dump(): Promise<string>;
  /** Closes every store opened and removes the storage. */
  close(): Promise<void>;
}

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('hex');
const STRANGER = randomBytes(32).toString('base64url');
const UPSTREAM_KEY = 'sk-SECRET-upstream-rotated-42';

/** The keys an instance runs with: the current one, and the previous one during a rotation. */
function keys(current: string, previous?: string): NodeJS.ProcessEnv {
  return previous === undefined ? { [SECRET_KEY_ENV]: current } : { [SECRET_KEY_ENV]: current, [PREVIOUS_SECRET_KEY_ENV]: previous };
}

function ids(accounts: Account[]): string[] {
  return accounts.map((a) => `${a.provider}/${a.accountId}`);
}

export function describeSecretRotationContract(name: string, create: () => Promise<SecretRotationHarness>): void {
  describe(`${name} (secret key rotation contract)`, () => {
    let harness: SecretRotationHarness;

    beforeEach(async () => {
      harness = await create();
    });

    afterEach(async () => {
      await harness.close();
    });

    async function refusal(promise: Promise<unknown>): Promise<StoreError> {
      const outcome = await promise.then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(StoreError);
      const error = outcome as StoreError;
      for (const secret of [...SECRETS, UPSTREAM_KEY]) expect(error.message).not.toContain(secret);
      return error;
    }

    /** A store written by instances on the old key: two accounts and two runtime upstream keys. */
    async function writtenWithOldKey(): Promise<void> {
      const before = await harness.open(keys(OLD));
      await before.accounts.save(login('work'));
      await before.accounts.save(login('home', { provider: 'claude' }));
      await before.providerOverrides.addKey('openai', { label: 'team-a', key: UPSTREAM_KEY });
      await before.providerOverrides.addKey('openai', { label: 'team-b', key: `${UPSTREAM_KEY}-b`, baseUrl: 'https://b.example/v1' });
      await before.close();
    }

    it('re-seals what the old key sealed in one go; then the new key alone reads everything, unchanged, and the old key alone is refused', async () => {
      await writtenWithOldKey();
      expect((await refusal(harness.open(keys(NEW)))).message).toMatch(/^The secret key \(from BYOKEY_SECRET_KEY\) does not match /);

      const rolled = await harness.open(keys(NEW, OLD));
      expect(ids(await rolled.accounts.list())).toEqual(['claude/home', 'codex/work']);
      expect((await rolled.accounts.get('codex', 'work'))?.tokens.refreshToken).toBe(`${REFRESH}-work`);
      expect((await rolled.providerOverrides.list())[0].keys.map((k) => k.key)).toEqual([UPSTREAM_KEY, `${UPSTREAM_KEY}-b`]);
      // A login on a rolled instance is sealed with the new key already: nothing to re-seal there.
      await rolled.accounts.save(login('new'));
      const accountsBefore = await rolled.accounts.list();
      const overridesBefore = await rolled.providerOverrides.list();

      expect(await rolled.rotation.reseal()).toEqual({ accounts: 2, runtimeKeys: 2, keyCheck: 1, unchanged: 1 });
      const afterFirst = await harness.dump();
      expect(await rolled.rotation.reseal()).toEqual({ accounts: 0, runtimeKeys: 0, keyCheck: 0, unchanged: 6 });
      expect(await harness.dump()).toBe(afterFirst);
      await rolled.close();

      const after = await harness.open(keys(NEW));
      // Same tokens, same versions and timestamps: only the key they are sealed with moved.
      expect(await after.accounts.list()).toEqual(accountsBefore);
      expect(await after.providerOverrides.list()).toEqual(overridesBefore);
      await after.close();
      expect((await refusal(harness.open(keys(OLD)))).message).toMatch(
        /^The secret key \(from BYOKEY_SECRET_KEY\) does not match .*Nothing was changed\.$/,
      );
      expect(await harness.dump()).toBe(afterFirst);
    });

    it('during the roll, an instance still on the old key opens, reads what the old key sealed, and loses only what a rolled instance rewrote', async () => {
      await writtenWithOldKey();
      const rolled = await harness.open(keys(NEW, OLD));
      const reported: StoreError[] = [];
      const old = await harness.open(keys(OLD), (error) => reported.push(error));

      // A refresh on the rolled instance seals the account's tokens with the new key.
      const refreshed = await rolled.accounts.updateTokens('codex', 'work', { accessToken: 'at-SECRET-refreshed' });
      expect(refreshed?.tokens.accessToken).toBe('at-SECRET-refreshed');
      await rolled.providerOverrides.addKey('openai', { label: 'team-c', key: `${UPSTREAM_KEY}-c` });

      // The old instance: that one account fails with a message that says why; the rest works.
      const error = await refusal(old.accounts.get('codex', 'work'));
      expect(error.message).toMatch(/^Cannot decrypt the tokens of account codex\/work: the secret key does not match .*during a key rotation/);
      expect(ids(await old.accounts.list())).toEqual(['claude/home']);
      expect((await old.accounts.get('claude', 'home'))?.tokens.accessToken).toBe(`${ACCESS}-home`);
      expect((await old.providerOverrides.list())[0].keys.map((k) => k.label)).toEqual(['team-a', 'team-b']);
      expect(reported.map((e) => e.message)).toEqual([
        expect.stringMatching(/^Cannot decrypt the tokens of account codex\/work: /),
        expect.stringMatching(/^Cannot decrypt the secret upstream-key openai team-c: /),
      ]);
      // The rolled instance reads both kinds.
      expect((await rolled.accounts.get('claude', 'home'))?.tokens.accessToken).toBe(`${ACCESS}-home`);
      expect((await rolled.providerOverrides.list())[0].keys.map((k) => k.key)).toEqual([UPSTREAM_KEY, `${UPSTREAM_KEY}-b`, `${UPSTREAM_KEY}-c`]);
      // And an old instance may still restart: the key check is re-sealed only by `byokey rekey`.
      await old.close();
      await (await harness.open(keys(OLD))).close();
    });

    it('refuses, changing nothing, when a value opens with neither key, naming every such value', async () => {
      await writtenWithOldKey();
      // A third key: an instance given the wrong new key wrote an account and an upstream key.
      const astray = await harness.open(keys(STRANGER, OLD));
      await astray.accounts.save(login('astray'));
      await astray.providerOverrides.addKey('openai', { label: 'astray', key: `${UPSTREAM_KEY}-astray` });
      await astray.close();
      const dump = await harness.dump();

      const rolled = await harness.open(keys(NEW, OLD));
      const error = await refusal(rolled.rotation.reseal());
      expect(error.message).toMatch(/^2 sealed values open with neither the secret key nor the previous key, so nothing was re-sealed/);
      expect(error.message).toContain('Cannot decrypt the tokens of account codex/astray: neither the secret key nor the previous key');
      expect(error.message).toContain('Cannot decrypt the secret upstream-key openai astray: neither the secret key nor the previous key');
      expect(error.message).not.toContain('codex/work');
      expect(await harness.dump()).toBe(dump);
      // The old key still opens the store: nothing moved.
      await (await harness.open(keys(OLD))).close();
    });

    it('has nothing to rotate from without a previous key, and changes nothing', async () => {
      await writtenWithOldKey();
      const dump = await harness.dump();
      const stores = await harness.open(keys(OLD));
      expect((await refusal(stores.rotation.reseal())).message).toMatch(/^No previous key is configured .*nothing to rotate from/);
      expect(await harness.dump()).toBe(dump);
    });

    it('loses no refresh that races the reseal', async () => {
      await writtenWithOldKey();
      const rekey = await harness.open(keys(NEW, OLD));
      const gateway = await harness.open(keys(NEW, OLD));
      const version = (await gateway.accounts.get('codex', 'work'))!.version;
      const [counts, refreshed] = await Promise.all([
        rekey.rotation.reseal(),
        gateway.accounts.updateTokens('codex', 'work', { accessToken: 'at-SECRET-raced', refreshToken: 'rt-SECRET-raced' }, version),
      ]);
      expect(refreshed?.version).toBe(version + 1);
      // Whichever went first, the account ends up sealed with the new key, counted once or not at all.
      expect(counts.accounts === 1 || counts.accounts === 2).toBe(true);
      await rekey.close();
      await gateway.close();
      const after = await harness.open(keys(NEW));
      expect((await after.accounts.get('codex', 'work'))?.tokens).toMatchObject({ accessToken: 'at-SECRET-raced', refreshToken: 'rt-SECRET-raced' });
      expect(ids(await after.accounts.list())).toEqual(['claude/home', 'codex/work']);
    });
  });
}
