// Three `byokey serve` processes behind a real HAProxy, sharing the machine's PostgreSQL (accounts,
// keys, usage) and Redis (cooldowns, limits, the refresh lease, change notices): what a company
// running byokey as its shared gateway relies on. An account logged in through one instance serves
// through the others; an expiring token is refreshed exactly once for the whole fleet; a key's
// limit holds across instances; a 429 seen by one instance benches the credential on all; SIGTERM
// drains one instance without losing a stream; `kill -9` of one leaves the fleet serving and the
// store sound.
import OpenAI from 'openai';
import { request } from 'undici';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { defaultChunks, FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { GatewayCluster } from './support/cluster';
import { metricSum, parseMetrics } from './support/prometheus';
import { awayFromMinuteEnd } from './support/minute-window';
import { queryIn } from './support/shared-services';

jest.setTimeout(120_000);

const oauth = new FakeOAuthServer();
const codexBackend = new FakeCodexBackend();
/** The upstream behind the instance's first API key: always rate limited. */
const limited = new FakeOpenAIUpstream();
/** The upstream behind its second key: answers, and streams slowly enough to be caught mid-stream. */
const healthy = new FakeOpenAIUpstream();

let cluster: GatewayCluster;
/** A client key without limits, for requests that are not about limits. */
let clientKey: string;

const client = (baseURL: string, apiKey = clientKey) => new OpenAI({ baseURL: `${baseURL}/v1`, apiKey, maxRetries: 0, timeout: 30_000 });

const providers = () => `  codex:
    base_url: ${codexBackend.httpUrl}
    transport: http
    oauth:
      authorize_url: ${oauth.urls.openai.authorize}
      token_url: ${oauth.urls.openai.token}
      callback_port: 0
  local:
    type: openai-compatible
    base_url: ${healthy.url}
    api_keys:
      - key: sk-limited-0000000000
        base_url: ${limited.url}
      - key: sk-healthy-0000000000
    models: [alpha-1]
`;

/** Logs `account` in to codex through one instance, over the admin API (the PKCE flow, the browser played here). */
async function loginThrough(instance: string, account: string): Promise<void> {
  const started = await cluster.admin(instance, 'POST', '/admin/v1/accounts/codex/login', { account });
  expect(started.status).toBe(202);
  const approved = await request(started.body.authorize_url);
  await approved.body.dump();
  const done = await cluster.admin(instance, 'POST', `/admin/v1/accounts/logins/${started.body.id}/complete`, {
    redirect_url: approved.headers.location,
  });
  expect(done.body).toMatchObject({ status: 'done', account: { provider: 'codex', account_id: account } });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails after `timeoutMs` (what should happen in moments, with a loaded machine's room). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${cluster.describe()}`);
    await sleep(50);
  }
}

/**
 * Waits until every instance lets `key` in: they hear of a new key through Redis at once (and poll
 * for it every 500 ms). Asked on /v1/models, which no key limit counts.
 */
async function acceptedEverywhere(key: string): Promise<void> {
  for (const { name, url } of cluster.instances) {
    await eventually(`instance ${name} accepting the new key`, async () => {
      const res = await request(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      await res.body.dump();
      return res.statusCode === 200;
    });
  }
}

beforeAll(async () => {
  await Promise.all([oauth.start(), codexBackend.start(), limited.start(), healthy.start()]);
  limited.responder = () => ({ kind: 'error', status: 429, headers: { 'retry-after': '60' }, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } });
  healthy.responder = (body) => (body?.stream ? { kind: 'stream', delayMs: 120, events: defaultChunks(body) } : undefined);
  cluster = new GatewayCluster(providers());
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${cluster.describe()}`);
  }
  clientKey = await cluster.createKey('a', { name: 'everyone' });
  await acceptedEverywhere(clientKey);
});

afterAll(async () => {
  await cluster?.stop();
  await Promise.all([oauth.stop(), codexBackend.stop(), limited.stop(), healthy.stop()]);
});

it('an account logged in through instance A serves requests through B and C', async () => {
  await loginThrough('a', 'work');
  const before = codexBackend.requests.length;
  for (const name of ['b', 'c']) {
    const answer = await client(cluster.instance(name).url).chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: `hi from ${name}` }] });
    expect(answer.choices[0].message.content).toBeTruthy();
  }
  const served = codexBackend.requests.slice(before);
  expect(served).toHaveLength(2);
  // The same login's token, decrypted by B and C with the shared secret key.
  expect(new Set(served.map((r) => r.headers.authorization)).size).toBe(1);
});

it('20 concurrent requests across the instances for an expiring account make exactly one call to the token endpoint', async () => {
  // A fresh login whose token is already inside the refresh margin; the refresh gives a long one.
  oauth.accessTokenTtlSeconds = 60;
  await loginThrough('a', 'work');
  oauth.accessTokenTtlSeconds = 3600;
  oauth.tokenLatencyMs = 300;
  const refreshesBefore = oauth.tokenCallCount('refresh_token', 'openai');
  const names = ['a', 'b', 'c'];
  const answers = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      client(cluster.instance(names[i % 3]).url).chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: `n${i}` }] }),
    ),
  );
  oauth.tokenLatencyMs = 0;
  const failures = answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason));
  expect(failures).toEqual([]);
  expect(oauth.tokenCallCount('refresh_token', 'openai') - refreshesBefore).toBe(1);
});

it('a 429 seen by A benches that credential on B and C', async () => {
  // A's first try goes to the first key, which is rate limited: A benches it and answers from the second.
  const first = await client(cluster.instance('a').url).chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: 'hi' }] });
  expect(first.choices[0].message.content).toBeTruthy();
  expect(limited.requests).toHaveLength(1);
  // B and C hear of the cooldown through Redis in moments: wait until their admin views show it.
  for (const name of ['b', 'c']) {
    await eventually(`the first key cooling on ${name}`, async () => {
      const view = await cluster.admin(name, 'GET', '/admin/v1/providers/local');
      return view.body?.credentials?.find((c: { id: string }) => c.id === 'api_keys[0]')?.state === 'cooling';
    });
  }
  for (const name of ['b', 'c']) {
    for (let i = 0; i < 6; i++) {
      await client(cluster.instance(name).url).chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: `${name}${i}` }] });
    }
  }
  // Round robin would have sent B's and C's first requests to the first key; the cooldown kept them off it.
  expect(limited.requests).toHaveLength(1);
});

it('a key limited to 10 requests a minute gets exactly 10 through across all three instances', async () => {
  const limitedKey = await cluster.createKey('b', { name: 'ten-a-minute', rpm: 10 });
  // Every instance learns of the new key in moments (it would answer 401, neither ok nor refused).
  await acceptedEverywhere(limitedKey);
  // The rpm windows are the clock's minutes: a burst across a minute's end would get 10 in each.
  await awayFromMinuteEnd(15_000);
  const answers = await Promise.allSettled(
    Array.from({ length: 30 }, (_, i) => client(cluster.url, limitedKey).chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: `r${i}` }] })),
  );
  const ok = answers.filter((a) => a.status === 'fulfilled').length;
  const refused = answers.filter((a) => a.status === 'rejected' && (a.reason as { status?: number }).status === 429).length;
  expect({ ok, refused }).toEqual({ ok: 10, refused: 20 });
});

it("each instance's /metrics counts the requests it served, and together they count every one", async () => {
  const served = async () => {
    const counts: { requests: number; tokens: number }[] = [];
    for (const name of ['a', 'b', 'c']) {
      const res = await request(`${cluster.instance(name).url}/metrics`, { headers: { authorization: `Bearer ${cluster.adminKey}` } });
      expect(res.statusCode).toBe(200);
      const samples = parseMetrics(await res.body.text());
      counts.push({
        requests: metricSum(samples, 'byokey_requests_total', { model: 'alpha-1', status_class: '2xx' }),
        tokens: metricSum(samples, 'byokey_tokens_total', { model: 'alpha-1', key: 'everyone', kind: 'input' }),
      });
    }
    return counts;
  };
  const before = await served();
  for (let i = 0; i < 12; i++) await client(cluster.url).chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: `m${i}` }] });
  const after = await served();
  const added = after.map((count, i) => count.requests - before[i].requests);
  // The balancer spreads them (round robin), and no request is counted twice or lost.
  expect(added.every((n) => n > 0)).toBe(true);
  expect(added.reduce((a, b) => a + b, 0)).toBe(12);
  // 12 prompt tokens per answer (the fake's count), under the client key's name.
  expect(after.reduce((sum, count, i) => sum + count.tokens - before[i].tokens, 0)).toBe(144);
});

it('SIGTERM to one instance under streaming load loses no stream', async () => {
  const started = Date.now();
  const b = cluster.instance('b');
  let completed = 0;
  const failures: string[] = [];
  const worker = async (id: number) => {
    while (Date.now() - started < 5000) {
      try {
        const stream = await client(cluster.url).chat.completions.create({ model: 'alpha-1', stream: true, messages: [{ role: 'user', content: `w${id}` }] });
        let finish: string | null = null;
        let text = '';
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        if (finish !== 'stop' || !text) failures.push(`stream ${id} ended without finishing: ${JSON.stringify({ finish, text })}`);
        else completed++;
      } catch (error) {
        failures.push(`stream ${id}: ${(error as Error).message}`);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 9 }, (_, i) => worker(i)));
  await sleep(1500);
  b.process.signal('SIGTERM');
  const exit = await b.process.exit(20_000);
  await load;
  expect(failures).toEqual([]);
  expect(completed).toBeGreaterThan(20);
  expect(exit.code).toBe(0);
});

it('kill -9 of one instance: the balancer routes around it, and the store is sound for the next instance', async () => {
  const c = cluster.instance('c');
  const started = Date.now();
  let killedAt = Infinity;
  const lateFailures: string[] = [];
  let done = 0;
  const worker = async () => {
    while (Date.now() - started < 4000) {
      const sentAt = Date.now();
      try {
        await client(cluster.url).chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] });
        done++;
      } catch (error) {
        // A request in flight on the killed process may be lost; none sent after the balancer noticed may be.
        if (sentAt > killedAt + 1000) lateFailures.push((error as Error).message);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 6 }, worker));
  await sleep(1000);
  await c.process.kill();
  killedAt = Date.now();
  await load;
  expect(lateFailures).toEqual([]);
  expect(done).toBeGreaterThan(20);

  // A new instance starts on the same schema (migrations already applied), decrypts the account
  // and serves it; the shared tables are whole.
  const d = await cluster.startInstance('d', 0);
  const answer = await client(d.url).chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'after the crash' }] });
  expect(answer.choices[0].message.content).toBeTruthy();
  const accounts = await queryIn<{ provider: string; account_id: string; status: string }>(cluster.schema, 'SELECT provider, account_id, status FROM accounts');
  expect(accounts).toEqual([{ provider: 'codex', account_id: 'work', status: 'active' }]);
  const keys = await queryIn<{ name: string }>(cluster.schema, 'SELECT name FROM client_keys ORDER BY name');
  expect(keys.map((k) => k.name)).toEqual(['everyone', 'ten-a-minute']);
  await d.process.kill();
});
