// Per-key limits shared through Redis, on two running gateways behind an imaginary load balancer:
// both use one Redis (their own random key prefix) and one key store (a shared BYOKEY_HOME, as
// instances share one database), so a key with rpm 10 gets exactly 10 requests through across
// both, and a concurrency slot taken on one is missing on the other. Then Redis unreachable:
// `limits_on_outage: closed` refuses limited keys with a 503 in each SDK's dialect, `open` lets the
// instance enforce its own share.
import Anthropic from '@anthropic-ai/sdk';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import OpenAI from 'openai';
import { request } from 'undici';
import { ClientKeyCache } from '../src/access/client-key-cache';
import { createClientKey, type KeySpec } from '../src/access/client-key-specs';
import { ClientKeyStore } from '../src/store/client-key-store';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';
import { awayFromMinuteEnd } from './support/minute-window';

const REDIS_URL = 'redis://127.0.0.1:6379';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const USER = [{ role: 'user' as const, content: 'hello' }];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function config(upstream: string, redis: string): string {
  return `
admin:
  key: ${ADMIN_KEY}
${redis}
providers:
  local:
    type: openai-compatible
    base_url: ${upstream}
    api_key: sk-upstream
    models: [gpt-5-mini, claude-test-1]
`;
}

function openai(gateway: RunningGateway, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
}

function anthropic(gateway: RunningGateway, apiKey: string): Anthropic {
  return new Anthropic({ baseURL: gateway.url, apiKey, maxRetries: 0 });
}

const chat = (gateway: RunningGateway, key: string) => openai(gateway, key).chat.completions.create({ model: 'gpt-5-mini', messages: USER });

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to be refused');
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(50);
  }
}

/** A key in the gateway's store, in force at once on every gateway given. */
async function newKey(store: ClientKeyStore, gateways: RunningGateway[], spec: KeySpec): Promise<string> {
  const { secret } = await createClientKey(store, spec);
  for (const gateway of gateways) await gateway.app.get(ClientKeyCache).refresh();
  return secret;
}

describe('per-key limits shared through Redis by two gateways', () => {
  const upstream = new FakeOpenAIUpstream();
  const prefix = `test:e2e-limits:${randomBytes(6).toString('hex')}:`;
  const admin = new Redis(REDIS_URL);
  let a: RunningGateway;
  let b: RunningGateway;

  beforeAll(async () => {
    await upstream.start();
    const yaml = config(upstream.url, `redis:\n  url: ${REDIS_URL}\n  key_prefix: "${prefix}"`);
    a = await startGateway(yaml);
    // Same BYOKEY_HOME: the same key store, as instances on one database.
    b = await startGateway(yaml, { home: a.home });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await upstream.stop();
    const keys: string[] = [];
    const stream = admin.scanStream({ match: `${prefix}*`, count: 1000 });
    for await (const batch of stream) keys.push(...(batch as string[]));
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  afterEach(() => upstream.clearScript());

  it('lets exactly 10 requests of a key with rpm 10 through across both, the rest 429 with retry-after', async () => {
    const secret = await newKey(a.app.get(ClientKeyStore), [a, b], { name: 'shared-rpm', rpm: 10 });
    await awayFromMinuteEnd();
    const results = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => chat(i % 2 === 0 ? a : b, secret)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(14);
    for (const error of refused) {
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.message).toContain('over its limit of 10 requests per minute');
      const retryAfter = Number(error.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // Either gateway, either dialect: the key is spent for this minute.
    const anthropicError = await rejection(anthropic(b, secret).messages.create({ model: 'claude-test-1', max_tokens: 16, messages: USER }));
    expect(anthropicError).toBeInstanceOf(Anthropic.RateLimitError);
    expect(anthropicError.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('refuses on one gateway the concurrency slot a stream holds on the other, until the stream ends', async () => {
    const secret = await newKey(a.app.get(ClientKeyStore), [a, b], { name: 'shared-concurrency', concurrency: 1 });
    upstream.script({ kind: 'stream', delayMs: 200 }); // a few chunks, 200 ms apart: the stream runs for a while
    const stream = await openai(a, secret).chat.completions.create({ model: 'gpt-5-mini', messages: USER, stream: true });
    const error = await rejection(chat(b, secret));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.message).toContain('limit of 1 concurrent requests');
    for await (const _chunk of stream) {
      // drain: the slot is released when the response ends
    }
    await waitFor(async () => {
      const res = await request(`${b.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ model: 'gpt-5-mini', messages: USER }),
      });
      await res.body.dump();
      return res.statusCode === 200;
    });
  });

  it('keeps the counters in Redis under the configured prefix', async () => {
    const secret = await newKey(a.app.get(ClientKeyStore), [a, b], { name: 'shared-prefix', rpm: 100 });
    await chat(a, secret);
    const keys: string[] = [];
    for await (const batch of admin.scanStream({ match: `${prefix}limits:rpm:*`, count: 1000 })) keys.push(...(batch as string[]));
    expect(keys.length).toBeGreaterThan(0);
  });
});

describe('per-key limits while Redis cannot be reached', () => {
  const upstream = new FakeOpenAIUpstream();
  const gateways: RunningGateway[] = [];

  beforeAll(() => upstream.start());

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await upstream.stop();
  });

  async function gatewayWithoutRedis(outage: 'open' | 'closed'): Promise<RunningGateway> {
    // Nothing listens on port 1: Redis is down from the start.
    const gateway = await startGateway(config(upstream.url, `redis:\n  url: redis://127.0.0.1:1\n  limits_on_outage: ${outage}`));
    gateways.push(gateway);
    return gateway;
  }

  it('closed: a key with limits gets a 503 in each SDK’s dialect saying limits cannot be checked; a key without limits passes', async () => {
    const gateway = await gatewayWithoutRedis('closed');
    const store = gateway.app.get(ClientKeyStore);
    const limited = await newKey(store, [gateway], { name: 'limited', rpm: 1000 });
    const unlimited = await newKey(store, [gateway], { name: 'unlimited' });

    const error = await rejection(chat(gateway, limited));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect([error.status, error.type, error.code]).toEqual([503, 'server_error', 'limits_unavailable']);
    expect(error.message).toContain('has usage limits, and they cannot be checked right now');
    expect(error.headers.get('retry-after')).toBe('5');

    const anthropicError = await rejection(anthropic(gateway, limited).messages.create({ model: 'claude-test-1', max_tokens: 16, messages: USER }));
    expect(anthropicError).toBeInstanceOf(Anthropic.InternalServerError);
    expect(anthropicError.status).toBe(503);
    expect(anthropicError.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });

    expect((await chat(gateway, unlimited)).choices[0].message.content).toBeTruthy();
  });

  it('open: the instance goes on and enforces its own share of the limits', async () => {
    const gateway = await gatewayWithoutRedis('open');
    const secret = await newKey(gateway.app.get(ClientKeyStore), [gateway], { name: 'own-share', rpm: 2 });
    await awayFromMinuteEnd();
    await chat(gateway, secret);
    await chat(gateway, secret);
    const error = await rejection(chat(gateway, secret));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.message).toContain('limit of 2 requests per minute');
  });
});
