// Issue 15, logs: the built `byokey serve` (dist/main.js) as an operator runs it, its stdout read
// line by line. Every line is JSON; the start line says what runs; each request's one line says
// what happened to it — model, instance, credential label, client key, status, tokens, attempts,
// and for a failure why, with an upstream's own status at warn — and no line carries an API key
// or a client key's secret. Needs `npm run build` first.
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, killAllCli, runCli, startCli, type LogLine } from './support/cli-process';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
const UPSTREAM_KEY = 'sk-upstream-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe';
const CLIENT_SECRET = /bk-[A-Za-z0-9_-]{43}/;

const upstream = new FakeOpenAIUpstream();
let sandbox: CliSandbox;

beforeAll(async () => {
  await upstream.start();
});
afterAll(async () => {
  await upstream.stop();
});
beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  upstream.clearScript();
  await killAllCli();
  sandbox.remove();
});

function providersYaml(): string {
  return [
    'providers:',
    '  local:',
    '    type: openai-compatible',
    `    base_url: ${upstream.url}`,
    `    api_key: ${UPSTREAM_KEY}`,
    '    models: [alpha-1, beta-2]',
    '',
  ].join('\n');
}

const USER = [{ role: 'user' as const, content: 'hi' }];

describe('byokey serve logs', () => {
  it('writes only JSON lines: the start line, one line per request saying what happened, and no secret', async () => {
    const created = await runCli(['keys', 'create', '--name', 'ci-bot'], sandbox);
    const clientSecret = CLIENT_SECRET.exec(created.stdout)![0];
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['serve', '--port', '0', '--config', config], sandbox);
    const { url, line: start } = await proc.listening();
    expect(start).toEqual(
      expect.objectContaining({ level: 30, msg: 'byokey started', version: VERSION, address: url, config, instances: ['local'], models: 2 }),
    );

    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: clientSecret, maxRetries: 0 });
    const ask = (id: string, body: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
      openai.chat.completions.create({ model: 'alpha-1', messages: USER, ...body }, { headers: { 'x-request-id': id } }).catch((error: unknown) => error);

    // 1. Served.
    expect(await ask('log-ok')).toMatchObject({ choices: [{ message: { content: 'You said: hi' } }] });
    // 2. Served as a stream, with usage.
    const stream = await openai.chat.completions.create(
      { model: 'beta-2', messages: USER, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-request-id': 'log-stream' } },
    );
    for await (const chunk of stream) void chunk;
    // 3. A model nobody serves: refused by the gateway.
    expect(await ask('log-404', { model: 'no-such-model' })).toBeInstanceOf(OpenAI.NotFoundError);
    // 4. No client key: refused.
    const anonymous = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-a-key', maxRetries: 0 });
    expect(await anonymous.chat.completions.create({ model: 'alpha-1', messages: USER }, { headers: { 'x-request-id': 'log-401' } }).catch((e: unknown) => e)).toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    // 5. The upstream fails, quoting the gateway's own key (as OpenAI's "Incorrect API key" does).
    upstream.script({ kind: 'error', status: 500, body: { error: { message: `The server had an error with key ${UPSTREAM_KEY}`, type: 'server_error', param: null, code: null } } });
    expect(await ask('log-500')).toBeInstanceOf(OpenAI.InternalServerError);
    // 6. The upstream rate-limits: the client gets the 429, the log says it came from upstream.
    upstream.script({
      kind: 'error',
      status: 429,
      body: { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
    });
    expect(await ask('log-429')).toBeInstanceOf(OpenAI.RateLimitError);
    // 7. A metrics scrape and a health probe: answered, not logged.
    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('byokey_requests_total');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    proc.signal('SIGTERM');
    expect((await proc.exit(8000)).code).toBe(0);

    // Every line parses (logLines throws on one that does not), stderr is quiet.
    const lines = proc.logLines();
    expect(proc.stderr).toBe('');
    expect(lines.filter((l) => l.msg === 'byokey started')).toHaveLength(1);
    // Nest's bootstrap chatter is not at info.
    expect(lines.filter((l) => ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication'].includes(String(l.context)))).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ msg: 'byokey stopped' });
    expect(lines.filter((l) => l.url === '/metrics' || l.url === '/healthz')).toEqual([]);

    // The request's own line (other lines about it, a cooldown say, carry its id too).
    const byId = (id: string): LogLine => {
      const found = lines.filter((l) => l.reqId === id && /^request (completed|refused|errored)$/.test(l.msg));
      expect(found).toHaveLength(1);
      return found[0];
    };
    const tokens = { input: 12, output: 5, cached: 0, reasoning: 0 };
    const ok = byId('log-ok');
    expect(ok).toMatchObject({
      level: 30,
      msg: 'request completed',
      method: 'POST',
      url: '/v1/chat/completions',
      route: '/v1/chat/completions',
      status: 200,
      model: 'alpha-1',
      modelServed: 'alpha-1',
      instance: 'local',
      credential: 'api_key',
      key: 'ci-bot',
      stream: false,
      attempts: 1,
      tokens,
    });
    expect(ok.durationMs).toEqual(expect.any(Number));
    expect(ok.ttfbMs).toBeLessThanOrEqual(ok.durationMs as number);

    const streamed = byId('log-stream');
    expect(streamed).toMatchObject({ level: 30, msg: 'request completed', status: 200, model: 'beta-2', instance: 'local', stream: true, attempts: 1, tokens, key: 'ci-bot' });
    expect(streamed.ttfbMs).toEqual(expect.any(Number));

    expect(byId('log-404')).toMatchObject({
      level: 30,
      msg: 'request refused',
      status: 404,
      model: 'no-such-model',
      key: 'ci-bot',
      error: { type: 'invalid_request_error', message: expect.stringContaining('no-such-model') },
    });
    expect(byId('log-401')).toMatchObject({ level: 30, msg: 'request refused', status: 401, error: { type: 'authentication_error' } });

    const failed = byId('log-500');
    expect(failed).toMatchObject({
      level: 40,
      msg: 'request errored',
      status: 502,
      model: 'alpha-1',
      instance: 'local',
      credential: 'api_key',
      key: 'ci-bot',
      attempts: expect.any(Number),
      error: {
        type: 'server_error',
        code: 'upstream_error',
        upstreamStatus: 500,
        message: expect.stringContaining('upstream local failed (HTTP 500): The server had an error with key'),
        upstreamMessage: expect.stringContaining('The server had an error with key'),
      },
    });

    expect(byId('log-429')).toMatchObject({
      level: 40,
      msg: 'request errored',
      status: 429,
      instance: 'local',
      error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', upstreamStatus: 429, upstreamMessage: 'Rate limit reached for requests' },
    });

    // No secret anywhere: not the upstream key (quoted by the upstream itself), not the client's.
    expect(proc.stdout).not.toContain(UPSTREAM_KEY);
    expect(proc.stdout).not.toContain(UPSTREAM_KEY.slice(12));
    expect(proc.stdout).not.toContain(clientSecret);
    expect(proc.stdout).not.toContain(clientSecret.slice(9));
  });

  it('--log-format pretty writes text for a person; BYOKEY_LOG_FORMAT says the same', async () => {
    const config = sandbox.write('providers.yaml', providersYaml());
    for (const [args, env] of [
      [['--log-format', 'pretty'], {}],
      [[], { BYOKEY_LOG_FORMAT: 'pretty' }],
    ] as Array<[string[], NodeJS.ProcessEnv]>) {
      const proc = startCli(['serve', '--port', '0', '--config', config, ...args], sandbox, { env });
      await proc.waitFor(/INFO \(\d+\): byokey started\n\s+version: "[^"]+"\n\s+address: "http:\/\/127\.0\.0\.1:\d+"/);
      proc.signal('SIGTERM');
      const result = await proc.exit(8000);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('SIGTERM received, finishing open requests');
      expect(result.stdout).not.toMatch(/^\{/m);
    }
  });
});
