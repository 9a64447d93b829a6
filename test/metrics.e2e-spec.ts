// GET /metrics through the real gateway: after a known mix of requests — answers, a stream, a
// retried 500, a 429 that rests its key, a fallback from a dead instance, an unknown model, an
// upstream's 400 — the scrape says how many requests each instance served and how they ended,
// their latencies, tokens per client key, retries, failovers and cooldowns; and who may read it.
import OpenAI from 'openai';
import { request } from 'undici';
import { RequestRouter } from '../src/routing/request-router.service';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';
import { histogramQuantile, metricSum, parseMetrics, type Sample } from './support/prometheus';

const ADMIN_KEY = 'admin-key-metrics-0123456789';
const USER = [{ role: 'user' as const, content: 'hi' }];
const ROUTE = '/v1/chat/completions';
const upstream = new FakeOpenAIUpstream();

const yaml = (extra = '') => `
admin:
  key: ${ADMIN_KEY}
routing:
  max_attempts: 4
  fallbacks:
    dead-model: [alpha-model]
providers:
  alpha:
    type: openai-compatible
    base_url: ${upstream.url}
    api_keys: [upstream-secret-a1, upstream-secret-a2]
    models: [alpha-model]
  dead:
    type: openai-compatible
    base_url: http://127.0.0.1:9/v1
    models: [dead-model]
${extra}`;

async function scrape(gateway: RunningGateway, key?: string): Promise<{ status: number; type: string; text: string }> {
  const res = await request(`${gateway.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

beforeAll(() => upstream.start());
afterAll(() => upstream.stop());

describe('after a mix of requests', () => {
  let gateway: RunningGateway;
  let client: OpenAI;
  let clientSecret: string;
  let samples: Sample[];
  let text: string;

  beforeAll(async () => {
    gateway = await startGateway(yaml());
    const created = await request(`${gateway.url}/admin/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'team-a' }),
    });
    clientSecret = ((await created.body.json()) as { secret: string }).secret;
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: clientSecret, maxRetries: 0 });
    const ask = (model: string) => client.chat.completions.create({ model, messages: USER });

    for (let i = 0; i < 3; i++) await ask('alpha-model');
    const stream = await client.chat.completions.create({ model: 'alpha-model', messages: USER, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
    upstream.script({ kind: 'error', status: 500, rawBody: 'boom' });
    await ask('alpha-model');
    upstream.script({ kind: 'error', status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'slow down', type: 'requests', param: null, code: null } } });
    await ask('alpha-model');
    gateway.app.get(RequestRouter).states.clearAllCooldowns();
    await ask('dead-model');
    await ask('no-such-model').catch(() => undefined);
    upstream.script({ kind: 'error', status: 400, body: { error: { message: 'bad field', type: 'invalid_request_error', param: 'x', code: null } } });
    await ask('alpha-model').catch(() => undefined);

    const scraped = await scrape(gateway, ADMIN_KEY);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    text = scraped.text;
    samples = parseMetrics(text);
  });

  afterAll(() => gateway.close());

  it('counts requests by instance, model and status class', () => {
    const requests = (labels: Record<string, string>) => metricSum(samples, 'byokey_requests_total', { route: ROUTE, ...labels });
    expect(requests({ provider_instance: 'alpha', status_class: '2xx' })).toBe(7);
    expect(requests({ provider_instance: 'alpha', model: 'alpha-model', status_class: '2xx' })).toBe(6);
    expect(requests({ provider_instance: 'alpha', model: 'dead-model', status_class: '2xx' })).toBe(1);
    expect(requests({ provider_instance: 'alpha', status_class: '4xx' })).toBe(1);
    // The unknown model reached no instance, and its name is not a label value.
    expect(requests({ provider_instance: 'none', model: 'none', status_class: '4xx' })).toBe(1);
    expect(text).not.toContain('no-such-model');
    expect(metricSum(samples, 'byokey_request_errors_total', { provider_instance: 'alpha', type: 'invalid_request_error' })).toBe(1);
  });

  it('has latency and time-to-first-byte histograms per instance', () => {
    expect(metricSum(samples, 'byokey_upstream_time_to_first_byte_seconds_count', { provider_instance: 'alpha' })).toBe(7);
    expect(metricSum(samples, 'byokey_upstream_duration_seconds_count', { provider_instance: 'alpha', outcome: 'ok' })).toBe(7);
    expect(metricSum(samples, 'byokey_upstream_duration_seconds_count', { provider_instance: 'alpha', outcome: 'error' })).toBe(3);
    expect(metricSum(samples, 'byokey_upstream_duration_seconds_count', { provider_instance: 'dead', outcome: 'error' })).toBe(1);
    expect(metricSum(samples, 'byokey_time_to_first_byte_seconds_count', { route: ROUTE, provider_instance: 'alpha' })).toBe(8);
    expect(metricSum(samples, 'byokey_request_duration_seconds_count', { route: ROUTE })).toBe(9);
    // A fake upstream on this machine answers well within a second: p95 lands in a low bucket.
    const p95 = histogramQuantile(samples, 'byokey_upstream_time_to_first_byte_seconds', { provider_instance: 'alpha' }, 0.95);
    expect(p95).toBeLessThanOrEqual(1);
  });

  it('counts tokens by model and client key name', () => {
    // The fake counts 12 prompt and 5 completion tokens per answer: seven answers.
    expect(metricSum(samples, 'byokey_tokens_total', { model: 'alpha-model', key: 'team-a', kind: 'input' })).toBe(84);
    expect(metricSum(samples, 'byokey_tokens_total', { model: 'alpha-model', key: 'team-a', kind: 'output' })).toBe(35);
  });

  it('counts retries, failovers and cooldowns', () => {
    expect(metricSum(samples, 'byokey_retries_total', { provider_instance: 'alpha' })).toBe(2);
    expect(metricSum(samples, 'byokey_retries_total', { provider_instance: 'dead' })).toBe(1);
    expect(metricSum(samples, 'byokey_failovers_total', { from: 'dead', to: 'alpha' })).toBe(1);
    expect(metricSum(samples, 'byokey_cooldowns_total', { provider_instance: 'alpha' })).toBe(1);
  });

  it('reports active streams and the process metrics', () => {
    expect(metricSum(samples, 'byokey_active_streams')).toBe(0);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('shows no secret and no request id', () => {
    for (const secret of [ADMIN_KEY, clientSecret, 'upstream-secret-a1', 'upstream-secret-a2']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/req-[0-9a-f]{6,}/);
  });
});

describe('who may read /metrics', () => {
  it('needs the admin key when one is set', async () => {
    const gateway = await startGateway(yaml());
    try {
      expect((await scrape(gateway)).status).toBe(401);
      expect((await scrape(gateway, 'admin-key-wrong-0123456789')).status).toBe(401);
      expect((await scrape(gateway, ADMIN_KEY)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('is open with metrics.public: true', async () => {
    const gateway = await startGateway(yaml('metrics:\n  public: true\n'));
    try {
      expect((await scrape(gateway)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('is open when no admin key is set', async () => {
    const gateway = await startGateway(`providers:\n  alpha:\n    type: openai-compatible\n    base_url: ${upstream.url}\n    models: [alpha-model]\n`);
    try {
      const scraped = await scrape(gateway);
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('# TYPE byokey_requests_total counter');
    } finally {
      await gateway.close();
    }
  });
});
