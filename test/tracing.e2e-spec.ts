// Tracing through the real gateway: a request that fails over becomes one SERVER span with a
// CLIENT span per upstream attempt (spans caught by an in-memory exporter); the real OTLP/HTTP
// exporter, switched on by OTEL_EXPORTER_OTLP_ENDPOINT alone, posts them to a collector (a local
// HTTP server) at the latest when the app closes; and with tracing off, OpenTelemetry is not even loaded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { loadGatewayConfig } from '../src/config/config.loader';
import { closeGateway, createGateway } from '../src/gateway';
import type { TracingOptions } from '../src/tracing/tracing-settings';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, killAllCli, startCli } from './support/cli-process';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const upstream = new FakeOpenAIUpstream();
const providersYaml = () => `
providers:
  fill:
    type: openai-compatible
    base_url: ${upstream.url}
    strategy: fill-first
    api_keys: [f1, f2]
    models: [fill-model]
`;
const dirs: string[] = [];

interface Started {
  app: NestFastifyApplication;
  openai: OpenAI;
}

async function start(tracing: TracingOptions): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'byokey-tracing-'));
  dirs.push(dir);
  const file = join(dir, 'providers.yaml');
  writeFileSync(file, providersYaml());
  const app = await createGateway(loadGatewayConfig({ file, env: {} }), { logLevel: (process.env.BYOKEY_TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent', home: dir, tracing });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, openai: new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'client-key', maxRetries: 0 }) };
}

/** The usage record (and so the spans) is made when the response closes, just after the client has its answer. */
async function spansOfRequest(exporter: InMemorySpanExporter, requestId: string): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const spans = exporter.getFinishedSpans().filter((span) => span.attributes['byokey.request_id'] === requestId);
    if (spans.some((span) => span.kind === SpanKind.SERVER)) return spans;
    if (Date.now() > deadline) throw new Error(`no request span for ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  await upstream.start();
});

afterAll(async () => {
  await upstream.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('spans of a request that fails over', () => {
  const exporter = new InMemorySpanExporter();
  let gateway: Started;

  beforeAll(async () => {
    gateway = await start({ exporter, env: {} });
  });

  afterAll(async () => {
    await closeGateway(gateway.app, 1000);
  });

  it('are one request span with two attempt spans under it, in the caller\'s trace', async () => {
    upstream.script({ kind: 'error', status: 500, rawBody: 'boom' });
    const before = upstream.requests.length;
    const { data, response } = await gateway.openai.chat.completions
      .create({ model: 'fill-model', messages: [{ role: 'user', content: 'hi' }] }, { headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` } })
      .withResponse();
    expect(data.choices[0].message.content).toBe('You said: hi');
    expect(upstream.requests.slice(before).map((r) => r.headers.authorization)).toEqual(['Bearer f1', 'Bearer f2']);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();

    const spans = await spansOfRequest(exporter, requestId!);
    const request = spans.find((span) => span.kind === SpanKind.SERVER)!;
    const attempts = spans.filter((span) => span.kind === SpanKind.CLIENT).sort((a, b) => (a.attributes['byokey.attempt'] as number) - (b.attributes['byokey.attempt'] as number));
    expect(spans).toHaveLength(3);
    expect(attempts).toHaveLength(2);

    expect(request.name).toBe('POST /v1/chat/completions');
    expect(request.spanContext().traceId).toBe(TRACE_ID);
    expect(request.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
    expect(request.attributes).toMatchObject({
      'http.response.status_code': 200,
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'fill-model',
      'gen_ai.response.model': 'fill-model',
      'gen_ai.provider.name': 'openai-compatible',
      'byokey.instance': 'fill',
      'byokey.attempts': 2,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(request.events.map((event) => event.name)).toContain('byokey.first_byte');

    const [failed, served] = attempts;
    for (const attempt of attempts) {
      expect(attempt.spanContext().traceId).toBe(TRACE_ID);
      expect(attempt.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(attempt.name).toBe('chat fill-model');
      expect(hrTimeToMilliseconds(attempt.startTime)).toBeGreaterThanOrEqual(hrTimeToMilliseconds(request.startTime));
      expect(hrTimeToMilliseconds(attempt.endTime)).toBeLessThanOrEqual(hrTimeToMilliseconds(request.endTime));
    }
    expect(failed.attributes).toMatchObject({ 'byokey.credential': 'api_keys[0]', 'http.response.status_code': 500, 'error.type': '500' });
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(served.attributes).toMatchObject({ 'byokey.credential': 'api_keys[1]', 'gen_ai.usage.output_tokens': 5 });
    expect(served.status.code).toBe(SpanStatusCode.UNSET);
    expect(hrTimeToMilliseconds(served.startTime)).toBeGreaterThanOrEqual(hrTimeToMilliseconds(failed.endTime));
    expect(hrTimeToMilliseconds(served.endTime)).toBe(hrTimeToMilliseconds(request.endTime));
  });

  it('start a trace of their own for a request without traceparent, a stream included', async () => {
    const { data: stream, response } = await gateway.openai.chat.completions
      .create({ model: 'fill-model', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    for await (const _ of stream) {
      // read to the end
    }
    const spans = await spansOfRequest(exporter, response.headers.get('x-request-id')!);
    const request = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.spanContext().traceId).not.toBe(TRACE_ID);
    expect(request.attributes).toMatchObject({ 'byokey.stream': true, 'byokey.attempts': 1, 'gen_ai.usage.output_tokens': 5 });
    expect(spans.filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(1);
  });
});

describe('byokey serve with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  // The real executable: the OTLP exporter loads Node's http module with a dynamic import(),
  // which Jest's module system cannot run in-process.
  let collector: Server;
  const received: Array<{ url: string; contentType: string; body: any }> = [];
  const sandbox = new CliSandbox();

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ url: req.url ?? '', contentType: String(req.headers['content-type']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await killAllCli();
    await new Promise((resolve) => collector.close(resolve));
    sandbox.remove();
  });

  it('posts the spans to the collector as OTLP/JSON, service.name byokey, by the time it exits', async () => {
    const { port } = collector.address() as AddressInfo;
    const config = sandbox.write('providers.yaml', `server:\n  drain_grace_ms: 0\n${providersYaml()}`);
    const proc = startCli(['serve', '--port', '0', '--config', config], sandbox, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: '', OTEL_SDK_DISABLED: '' },
    });
    const { url } = await proc.listening();
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    await openai.chat.completions.create({ model: 'fill-model', messages: [{ role: 'user', content: 'hi' }] });
    // Spans are batched (5 s): nothing need have been sent yet; the exit flushes them.
    proc.signal('SIGTERM');
    expect((await proc.exit()).code).toBe(0);

    expect(received.length).toBeGreaterThan(0);
    expect(received[0].url).toBe('/v1/traces');
    expect(received[0].contentType).toBe('application/json');
    const resourceSpans = received.flatMap((r) => r.body.resourceSpans);
    const service = resourceSpans[0].resource.attributes.find((a: any) => a.key === 'service.name');
    expect(service.value.stringValue).toBe('byokey');
    const spans = resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans));
    expect(spans.map((span: any) => span.name).sort()).toEqual(['POST /v1/chat/completions', 'chat fill-model']);
    const request = spans.find((span: any) => span.name === 'POST /v1/chat/completions');
    const attempt = spans.find((span: any) => span.name === 'chat fill-model');
    expect(attempt.parentSpanId).toBe(request.spanId);
    expect(attempt.traceId).toBe(request.traceId);
  });
});

describe('tracing off', () => {
  // In a process of its own: Jest's module registry is not Node's require cache.
  const loadedOpenTelemetry = (env: Record<string, string>) =>
    execFileSync(
      process.execPath,
      [
        '-e',
        `require('./dist/tracing/tracing.module').TracingModule.forRoot({ env: ${JSON.stringify(env)} });
         process.stdout.write(String(Object.keys(require.cache).some((file) => file.includes('@opentelemetry'))));`,
      ],
      { cwd: join(__dirname, '..'), encoding: 'utf8' },
    );

  it('loads no OpenTelemetry module without an OTLP endpoint (and does with one)', () => {
    expect(loadedOpenTelemetry({})).toBe('false');
    expect(loadedOpenTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toBe('true');
  });
});
