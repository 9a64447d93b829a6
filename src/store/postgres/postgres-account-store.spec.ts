// The PostgreSQL account store on the local server, each test in a schema of its own (dropped
// after): the AccountStore contract (every store the harness opens has its own pool, as another
// gateway would), then what several gateways need of it — leases, versioned writes and the
// default held correctly by stores on different pools racing each other — and what is at rest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from '../../../test/support/postgres';
import { ACCESS, ACCOUNT_T0, describeAccountStoreContract, ID_TOKEN, login, REFRESH, SECRETS } from '../account-store.contract';
import { SECRET_KEY_ENV } from '../secret-key';
import { StoreError } from '../store-error';
import { PostgresAccountStore } from './postgres-account-store';

const KEY_ENV = { [SECRET_KEY_ENV]: Buffer.alloc(32, 3).toString('base64') };

describeAccountStoreContract('PostgresAccountStore', async (now) => {
  const home = mkdtempSync(join(tmpdir(), 'byokey-pg-home-'));
  const schema = randomSchema();
  const opened: PostgresAccountStore[] = [];
  return {
    async open(options = {}) {
      const store = await PostgresAccountStore.open({ url: TEST_DATABASE_URL, schema, home, env: options.env ?? {}, now });
      opened.push(store);
      return store;
    },
    async close() {
      for (const store of opened) await store.close();
      await dropSchema(schema);
      rmSync(home, { recursive: true, force: true });
    },
  };
});

describe('PostgresAccountStore across gateways', () => {
  let schema: string;
  let home: string;
  let clock: number;
  let opened: PostgresAccountStore[];

  beforeEach(() => {
    schema = randomSchema();
    home = mkdtempSync(join(tmpdir(), 'byokey-pg-home-'));
    clock = ACCOUNT_T0;
    opened = [];
  });

  afterEach(async () => {
    for (const store of opened) await store.close();
    await dropSchema(schema);
    rmSync(home, { recursive: true, force: true });
  });

  /** Another gateway: a pool of its own on the same schema, the same secret key. */
  async function gateway(options: { onUnreadable?: (error: StoreError) => void } = {}): Promise<PostgresAccountStore> {
    const store = await PostgresAccountStore.open({ url: TEST_DATABASE_URL, schema, home, env: KEY_ENV, now: () => clock, ...options });
    opened.push(store);
    return store;
  }

  it('refuses a lease held by one gateway to the other, until it is released or runs out', async () => {
    const [a, b] = [await gateway(), await gateway()];
    await a.save(login('work'));
    expect(await a.acquireRefreshLease('codex', 'work', 'gateway-a', 15_000)).toBe(true);
    expect(await b.acquireRefreshLease('codex', 'work', 'gateway-b', 15_000)).toBe(false);
    expect(await b.renewRefreshLease('codex', 'work', 'gateway-b', 15_000)).toBe(false);
    expect(await b.getRefreshLease('codex', 'work')).toEqual({ holder: 'gateway-a', until: ACCOUNT_T0 + 15_000, heartbeatAt: ACCOUNT_T0 });
    await a.releaseRefreshLease('codex', 'work', 'gateway-a');
    expect(await b.acquireRefreshLease('codex', 'work', 'gateway-b', 15_000)).toBe(true);
    clock += 15_000;
    expect(await a.acquireRefreshLease('codex', 'work', 'gateway-a', 15_000)).toBe(true);
  });

  it('reads on one gateway the tokens another wrote, with the same secret key', async () => {
    const [a, b] = [await gateway(), await gateway()];
    await a.save(login('work'));
    expect((await b.get('codex', 'work'))?.tokens).toEqual({ accessToken: `${ACCESS}-work`, refreshToken: `${REFRESH}-work`, idToken: ID_TOKEN });
    await b.updateTokens('codex', 'work', { accessToken: 'from-b', refreshToken: 'rt-from-b' });
    expect((await a.get('codex', 'work'))?.tokens).toEqual({ accessToken: 'from-b', refreshToken: 'rt-from-b', idToken: ID_TOKEN });
  });

  it('gives a lease to exactly one of many gateways trying at once', async () => {
    const stores = [await gateway(), await gateway(), await gateway()];
    await stores[0].save(login('work'));
    const attempts = Array.from({ length: 30 }, (_, i) => stores[i % 3].acquireRefreshLease('codex', 'work', `holder-${i}`, 30_000));
    expect((await Promise.all(attempts)).filter(Boolean)).toHaveLength(1);
  });

  it('lets exactly one of many refreshes with the same expected version write its tokens', async () => {
    const stores = [await gateway(), await gateway(), await gateway()];
    const read = await stores[0].save(login('work'));
    const writes = Array.from({ length: 12 }, (_, i) =>
      stores[i % 3].updateTokens('codex', 'work', { accessToken: `access-${i}`, refreshToken: `refresh-${i}` }, read.version),
    );
    const winners = (await Promise.all(writes)).filter((account) => account !== undefined);
    expect(winners).toHaveLength(1);
    const stored = await stores[1].get('codex', 'work');
    expect(stored?.version).toBe(read.version + 1);
    expect(stored?.tokens.accessToken).toBe(winners[0]!.tokens.accessToken);
  });

  it('loses no write among unconditional token updates racing each other', async () => {
    const stores = [await gateway(), await gateway()];
    const first = await stores[0].save(login('work'));
    await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2].updateTokens('codex', 'work', { accessToken: `a-${i}`, claims: { [`c${i}`]: i } })));
    const stored = await stores[0].get('codex', 'work');
    expect(stored?.version).toBe(first.version + 10);
    // Every merge landed on top of the previous write: all ten claims are there.
    for (let i = 0; i < 10; i++) expect(stored?.claims[`c${i}`]).toBe(i);
  });

  it('keeps one default per provider while gateways log in and move the default at once', async () => {
    const [a, b, c] = [await gateway(), await gateway(), await gateway()];
    // First logins of a new provider from three gateways: exactly one becomes the default.
    await Promise.all(['x', 'y', 'z', 'w'].map((id, i) => [a, b, c][i % 3].save(login(id, { provider: 'claude' }))));
    expect((await a.list('claude')).filter((account) => account.isDefault)).toHaveLength(1);
    // Everyone moves it at once: no error, and still exactly one.
    const moves = await Promise.all(['x', 'y', 'z', 'w', 'x', 'z'].map((id, i) => [a, b, c][i % 3].setDefault('claude', id)));
    expect(moves.every(Boolean)).toBe(true);
    expect((await b.list('claude')).filter((account) => account.isDefault)).toHaveLength(1);
    // Removing the default while another gateway sets one: still exactly one.
    const current = (await c.getDefault('claude'))!.accountId;
    const other = ['x', 'y', 'z', 'w'].find((id) => id !== current)!;
    await Promise.all([a.remove('claude', current), b.setDefault('claude', other)]);
    expect((await c.list('claude')).filter((account) => account.isDefault)).toHaveLength(1);
  });

  it('never stores a token in plaintext: the rows hold only sealed bytes', async () => {
    const store = await gateway();
    await store.save(login('work'));
    await store.updateTokens('codex', 'work', { accessToken: `${ACCESS}-2`, refreshToken: `${REFRESH}-2` });
    const rows = await rawQuery<{ dump: string }>(schema, 'SELECT row_to_json(accounts)::text AS dump FROM accounts');
    const tokens = await rawQuery<{ tokens: Buffer }>(schema, 'SELECT tokens FROM accounts');
    const everything = rows.map((row) => row.dump).join('') + tokens.map((row) => row.tokens.toString('latin1')).join('');
    expect(everything).toContain('work@example.com');
    for (const secret of [...SECRETS, `${ACCESS}-2`, `${REFRESH}-2`]) expect(everything).not.toContain(secret);
  });

  it('refuses tampered or moved ciphertext without printing a token; a list leaves those accounts out and reports them', async () => {
    const reported: StoreError[] = [];
    const store = await gateway({ onUnreadable: (error) => reported.push(error) });
    await store.save(login('work'));
    await store.save(login('home'));
    // Flip the last byte of one account's sealed tokens; copy another's onto a new row.
    await rawQuery(schema, "UPDATE accounts SET tokens = set_byte(tokens, length(tokens) - 1, get_byte(tokens, length(tokens) - 1) # 255) WHERE account_id = 'work'");
    await rawQuery(
      schema,
      `INSERT INTO accounts (provider, account_id, is_default, tokens, claims, created_at, updated_at)
       SELECT 'claude', account_id, true, tokens, claims, created_at, updated_at FROM accounts
       WHERE provider = 'codex' AND account_id = 'home'`,
    );
    for (const attempt of [
      () => store.get('codex', 'work'),
      () => store.getDefault('codex'),
      () => store.updateTokens('codex', 'work', { accessToken: 'x' }),
      () => store.get('claude', 'home'),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(StoreError);
      const message = (error as StoreError).message;
      expect(message).toMatch(/^Cannot decrypt the tokens of account (codex\/work|claude\/home): the secret key does not match/);
      for (const secret of SECRETS) expect(message).not.toContain(secret);
    }
    // One unreadable account costs that account only: the list holds the intact one.
    expect(reported).toEqual([]);
    expect((await store.list()).map((a) => `${a.provider}/${a.accountId}`)).toEqual(['codex/home']);
    expect(reported.map((error) => error.message)).toEqual([
      expect.stringMatching(/^Cannot decrypt the tokens of account claude\/home: the secret key does not match/),
      expect.stringMatching(/^Cannot decrypt the tokens of account codex\/work: the secret key does not match/),
    ]);
    expect((await store.get('codex', 'home'))?.tokens.accessToken).toBe(`${ACCESS}-home`);
  });
});
