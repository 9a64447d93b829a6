// The `byokey` executable as a user runs it: dist/main.js in its own process, with a private
// BYOKEY_HOME and working directory, talked to over real sockets, stopped with real signals.
// Needs `npm run build` first (dist/ is what runs).
import { readFileSync, realpathSync, statSync, existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, fatalMessage, freePort, killAllCli, runCli, startCli, type CliProcess } from './support/cli-process';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sandbox: CliSandbox;
let agent: Agent;

beforeEach(() => {
  sandbox = new CliSandbox();
  // One client pool per test, keep-alive like a real SDK client, closed after the test.
  agent = new Agent({ connections: 4 });
});

afterEach(async () => {
  await killAllCli();
  await agent.destroy().catch(() => undefined);
  sandbox.remove();
});

describe('byokey command line', () => {
  it('--help lists the serve command and exits 0', async () => {
    const result = await runCli(['--help'], sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`byokey ${VERSION}:`);
    expect(result.stdout).toContain('Usage: byokey <command> [options]');
    expect(result.stdout).toMatch(/^ {2}serve +start the gateway$/m);
    expect(result.stdout).toContain('-v, --version');
    expect(result.stderr).toBe('');
  });

  it('serve --help shows its options without starting anything', async () => {
    const result = await runCli(['serve', '--help'], sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: byokey serve [--config FILE] [--host HOST] [--port PORT] [--log-level LEVEL] [--log-format FORMAT]');
    for (const option of ['-c, --config FILE', '--host HOST', '-p, --port PORT', '--log-level LEVEL', '--log-format FORMAT', '$BYOKEY_LOG_FORMAT', '-h, --help', 'BYOKEY_HOME']) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).not.toContain('byokey started');
    expect(result.stderr).toBe('');
    // --help must not create the data directory either.
    expect(existsSync(sandbox.home)).toBe(false);
  });

  it.each([['--version'], ['-v']])('%s prints the version from package.json', async (flag) => {
    const result = await runCli([flag], sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
    expect(result.stderr).toBe('');
  });

  it('an unknown command exits 2 naming it, with the usage', async () => {
    const result = await runCli(['frobnicate'], sandbox);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('byokey: unknown command "frobnicate"');
    expect(result.stderr).toContain('Usage: byokey <command> [options]');
    expect(result.stdout).toBe('');
  });

  it.each([
    [['serve', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['serve', '--port', 'eighty'], '--port must be a number from 0 to 65535, got "eighty"'],
    [['serve', '--port', '70000'], '--port must be a number from 0 to 65535, got "70000"'],
    [['serve', '--log-level', 'loud'], '--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [['serve', '--log-format', 'xml'], '--log-format must be one of json, pretty, got "xml"'],
    [['serve', 'extra'], "Unexpected argument 'extra'"],
  ])('byokey %j exits 2 with a usage message', async (args, message) => {
    const result = await runCli(args, sandbox);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`byokey serve: ${message}`);
    expect(result.stderr).toContain('Usage: byokey serve [--config FILE]');
    expect(result.stdout).toBe('');
  });
});

describe('byokey serve', () => {
  const upstream = new FakeOpenAIUpstream();

  beforeAll(async () => {
    await upstream.start();
  });
  afterAll(async () => {
    await killAllCli();
    await upstream.stop();
  });

  function providersYaml(server: string[] = []): string {
    return [
      ...(server.length > 0 ? ['server:', ...server.map((line) => `  ${line}`)] : []),
      'providers:',
      '  local:',
      '    type: openai-compatible',
      `    base_url: ${upstream.url}`,
      '    api_key: sk-upstream',
      '    models: [alpha-1, beta-2]',
      '  spare:',
      '    type: openai-compatible',
      '    enabled: false',
      '    models: [gamma-3]',
      '',
    ].join('\n');
  }

  it('listens on --port 0, answers /healthz and /v1/models, and tags responses with x-request-id', async () => {
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['serve', '--port', '0', '--config', config], sandbox);
    const { url, host, port, line } = await proc.listening();
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    expect(line).toEqual(
      expect.objectContaining({ level: 30, msg: 'byokey started', version: VERSION, address: `http://127.0.0.1:${port}`, config, instances: ['local'], models: 2 }),
    );

    const health = await request(`${url}/healthz`, { dispatcher: agent });
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-type']).toMatch(/^application\/json/);
    expect(health.headers['x-request-id']).toMatch(UUID);
    expect(await health.body.json()).toEqual({ status: 'ok' });

    const models = await request(`${url}/v1/models`, { dispatcher: agent, headers: { 'x-request-id': 'cli-e2e-42' } });
    expect(models.statusCode).toBe(200);
    expect(models.headers['x-request-id']).toBe('cli-e2e-42');
    const list = (await models.body.json()) as { object: string; data: Array<{ id: string; object: string; owned_by: string; created: number }> };
    expect(list.object).toBe('list');
    expect(list.data.map((m) => [m.id, m.object, m.owned_by])).toEqual([
      ['alpha-1', 'model', 'local'],
      ['beta-2', 'model', 'local'],
    ]);
    expect(Number.isInteger(list.data[0].created)).toBe(true);

    // And a real completion through the configured upstream.
    const chat = await request(`${url}/v1/chat/completions`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'alpha-1', messages: [{ role: 'user', content: 'hi from the cli test' }] }),
    });
    expect(chat.statusCode).toBe(200);
    expect(chat.headers['x-request-id']).toMatch(UUID);
    const completion = (await chat.body.json()) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0].message.content).toBe('You said: hi from the cli test');
    expect(upstream.lastRequest.headers.authorization).toBe('Bearer sk-upstream');

    proc.signal('SIGTERM');
    const result = await proc.exit(5000);
    expect(result.code).toBe(0);
    expect(proc.logLines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 30, signal: 'SIGTERM', msg: 'SIGTERM received, finishing open requests (up to 10000 ms)' }),
        expect.objectContaining({ level: 30, msg: 'byokey stopped' }),
      ]),
    );
  });

  it('writes JSON log lines, and every line about a request carries its request id', async () => {
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['serve', '--port', '0', '--config', config, '--log-level', 'info'], sandbox);
    const { url } = await proc.listening();
    // One request that succeeds, one whose upstream is down (one line, saying why, with model and instance).
    upstream.script({ kind: 'destroy' });
    for (const id of ['log-trace-fails', 'log-trace-ok']) {
      const res = await request(`${url}/v1/chat/completions`, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ model: 'alpha-1', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.body.dump();
    }
    proc.signal('SIGTERM');
    await proc.exit(5000);

    const entries = proc.logLines();
    const failing = entries.filter((e) => e.reqId === 'log-trace-fails');
    expect(failing).toEqual([
      expect.objectContaining({
        msg: 'request errored',
        status: 502,
        model: 'alpha-1',
        instance: 'local',
        error: expect.objectContaining({ status: 502, type: 'server_error', code: 'upstream_unreachable', message: expect.stringMatching(/could not reach upstream local/) }),
      }),
    ]);
    const ok = entries.filter((e) => e.reqId === 'log-trace-ok');
    expect(ok).toEqual([expect.objectContaining({ msg: 'request completed', status: 200 })]);
    // Request lines carry the id, and never the headers (which hold keys).
    for (const e of entries.filter((e) => e.url !== undefined)) expect(e.reqId).toMatch(/^log-trace-/);
    expect(proc.stdout).not.toContain('sk-upstream');
  });

  it('creates BYOKEY_HOME on first use, nested, readable by its owner only', async () => {
    const home = join(sandbox.root, 'not', 'yet', 'there');
    expect(existsSync(join(sandbox.root, 'not'))).toBe(false);
    const proc = startCli(['serve', '--port', '0'], sandbox, { home });
    await proc.listening();
    const stat = statSync(home);
    expect(stat.isDirectory()).toBe(true);
    expect((stat.mode & 0o777).toString(8)).toBe('700');
  });

  it('starts on built-in defaults when there is no --config and no ./providers.yaml', async () => {
    const proc = startCli(['serve', '--port', '0'], sandbox);
    const { url, port, line } = await proc.listening();
    expect(line).toMatchObject({ address: `http://127.0.0.1:${port}`, config: 'built-in defaults', instances: [], models: 0 });
    const models = await request(`${url}/v1/models`, { dispatcher: agent });
    expect(await models.body.json()).toEqual({ object: 'list', data: [] });
  });

  it('reads ./providers.yaml from the working directory when there is no --config', async () => {
    sandbox.write('providers.yaml', providersYaml(['shutdown_timeout_ms: 1234']), true);
    const proc = startCli(['serve', '-p', '0'], sandbox);
    const { url, port, line } = await proc.listening();
    expect(line).toMatchObject({ address: `http://127.0.0.1:${port}`, config: join(realpathSync(sandbox.cwd), 'providers.yaml') });
    const models = await request(`${url}/v1/models`, { dispatcher: agent });
    const list = (await models.body.json()) as { data: Array<{ id: string }> };
    expect(list.data.map((m) => m.id)).toEqual(['alpha-1', 'beta-2']);
    proc.signal('SIGINT');
    const result = await proc.exit(5000);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"msg":"SIGINT received, finishing open requests (up to 1234 ms)"');
  });

  it('Ctrl-C at any moment of the start ends it at once, and is never lost', async () => {
    // The start is mostly synchronous loading, during which a signal waits for the event loop.
    // Signals sent across the whole start (as fractions of one measured start) must each end the
    // process at once (a lost signal times out here): 130 (or killed by SIGINT, before byokey
    // listens for it) with no start line, unless byokey had started when it heard the signal:
    // then a drain and 0.
    const config = sandbox.write('providers.yaml', providersYaml());
    const timed = startCli(['serve', '--port', '0', '--config', config], sandbox);
    const t0 = Date.now();
    await timed.listening(15_000);
    const startMs = Date.now() - t0;
    timed.signal('SIGTERM');
    await timed.exit();

    for (const fraction of [0.3, 0.5, 0.65, 0.8, 0.9, 1.2]) {
      const proc = startCli(['serve', '--port', '0', '--config', config], sandbox);
      await new Promise((resolve) => setTimeout(resolve, Math.round(startMs * fraction)));
      proc.signal('SIGINT');
      const result = await proc.exit(5000);
      const interrupted = result.code === 130 || result.signal === 'SIGINT';
      const started = result.stdout.indexOf('"msg":"byokey started"');
      if (result.code === 0) {
        // A drain is right only when the gateway had started before it heard the signal (its
        // start line may still have been on its way to us when we sent it).
        expect(started).toBeGreaterThanOrEqual(0);
        expect(result.stdout.indexOf('"msg":"SIGINT received, finishing open requests')).toBeGreaterThan(started);
      } else {
        expect({ fraction, code: result.code, signal: result.signal, interrupted }).toMatchObject({ interrupted: true });
        expect(started).toBe(-1);
        if (result.code === 130) expect(result.stdout).toContain('"msg":"SIGINT received while starting, stopping"');
      }
    }
  });

  it('Ctrl-C while the gateway loads stops the start with 130 and no start line', async () => {
    // byokey says (at debug) when its own SIGINT handling begins; a signal sent then lands inside
    // the start whatever the machine's speed, which the fractions above cannot promise.
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['serve', '--port', '0', '--config', config, '--log-level', 'debug'], sandbox);
    await proc.waitFor(/"msg":"loading the gateway"/, 15_000);
    proc.signal('SIGINT');
    const result = await proc.exit(5000);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
    expect(result.stdout).toContain('"msg":"SIGINT received while starting, stopping"');
    expect(result.stdout).not.toContain('"msg":"byokey started"');
  });

  it('reloads providers.yaml on SIGHUP, keeping the old one when the new one is invalid', async () => {
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['serve', '--port', '0', '--config', config, '--log-level', 'info'], sandbox);
    const { url } = await proc.listening();
    const models = async () => ((await (await request(`${url}/v1/models`, { dispatcher: agent })).body.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    expect(await models()).toEqual(['alpha-1', 'beta-2']);

    sandbox.write('providers.yaml', providersYaml().replace('models: [alpha-1, beta-2]', 'models: [gamma-9]'));
    proc.signal('SIGHUP');
    await proc.waitFor(/reloaded .*providers\.yaml \(SIGHUP\)/);
    expect(await models()).toEqual(['gamma-9']);

    sandbox.write('providers.yaml', 'providers:\n  local:\n    type: openai-compatibel\n');
    proc.signal('SIGHUP');
    await proc.waitFor(/kept the running configuration/);
    expect(await models()).toEqual(['gamma-9']);
    expect(proc.hasExited).toBe(false);
  });

  describe('a providers.yaml it cannot use', () => {
    // Each case: the file, then the exact problem line expected on stderr (after "FILE:").
    const cases: Array<[string, string, string]> = [
      [
        'a misspelt key',
        ['providers:', '  local:', '    type: openai-compatible', '    bse_url: http://127.0.0.1:9/v1', '    models: [m1]', ''].join('\n'),
        '4:5: providers.local.bse_url: unknown key; did you mean "base_url"?',
      ],
      [
        'a value of the wrong type',
        ['server:', '  port: eighty', 'providers: {}', ''].join('\n'),
        '2:3: server.port: must be a port number from 0 to 65535 (got "eighty")',
      ],
      [
        'an instance whose type names no plugin',
        ['providers:', '  local:', '    type: openai-compatibel', '    models: [m1]', ''].join('\n'),
        '3:5: providers.local.type: no provider plugin is named "openai-compatibel"; did you mean "openai-compatible"? (plugins: antigravity, claude, codex, copilot, gemini, iflow, kimi, kiro, openai-compatible, qwen)',
      ],
      [
        'an unset ${VAR}',
        ['providers:', '  local:', '    type: openai-compatible', '    api_key: ${BYOKEY_E2E_MISSING_VAR}', ''].join('\n'),
        '4:5: providers.local.api_key: environment variable BYOKEY_E2E_MISSING_VAR is not set (write ${BYOKEY_E2E_MISSING_VAR:-default} to give a default)',
      ],
      [
        'YAML that does not parse (an instance named twice)',
        ['providers:', '  local:', '    type: openai-compatible', '  local:', '    type: openai-compatible', ''].join('\n'),
        '4:3: not valid YAML: Map keys must be unique',
      ],
    ];

    it.each(cases)('%s: exits 1 naming the file, line and field; nothing listens', async (_name, yaml, problem) => {
      const config = sandbox.write('providers.yaml', yaml);
      const port = await freePort();
      const result = await runCli(['serve', '--port', String(port), '--config', config], sandbox);
      expect(result.code).toBe(1);
      // One fatal log line, with the message for a person, not a stack trace.
      const said = fatalMessage(result);
      expect(said).toContain(`invalid configuration: ${config} has a problem:\n`);
      expect(said).toContain(`  ${config}:${problem}`);
      expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m);
      expect(await canConnect(port)).toBe(false);
    });

    it('lists every problem at once', async () => {
      const config = sandbox.write(
        'providers.yaml',
        ['server:', '  port: eighty', 'providers:', '  local:', '    type: openai-compatible', '    api_key: ${BYOKEY_E2E_MISSING_VAR}', ''].join('\n'),
      );
      const result = await runCli(['serve', '--config', config], sandbox);
      expect(result.code).toBe(1);
      const said = fatalMessage(result);
      expect(said).toContain(`${config} has 2 problems:`);
      expect(said).toContain(`${config}:2:3: server.port:`);
      expect(said).toContain(`${config}:6:5: providers.local.api_key:`);
      // And each problem as data, for a log collector.
      const fatal = JSON.parse(result.stdout.trim()) as { issues: Array<{ path: string; line: number }> };
      expect(fatal.issues.map((i) => [i.path, i.line]).sort()).toEqual([
        ['providers.local.api_key', 6],
        ['server.port', 2],
      ]);
    });

    // A value of the wrong type must be reported as such. Only the first failing rule is
    // shown, and class-validator runs a field's rules bottom-up, so the range or uniqueness
    // rule under the type rule speaks first.
    it('says what type a field needs, not a rule that only applies to that type', async () => {
      const config = sandbox.write(
        'providers.yaml',
        [
          'server:',
          '  shutdown_timeout_ms: later',
          'providers:',
          '  local:',
          '    type: openai-compatible',
          '    models: gpt-4',
          '    timeout_ms: soon',
          '',
        ].join('\n'),
      );
      const result = await runCli(['serve', '--config', config], sandbox);
      expect(result.code).toBe(1);
      const said = fatalMessage(result);
      expect(said).toContain(`${config}:2:3: server.shutdown_timeout_ms: must be a whole number of milliseconds (got "later")`);
      expect(said).toContain(`${config}:6:5: providers.local.models: must be a list of model ids (got "gpt-4")`);
      expect(said).toContain(`${config}:7:5: providers.local.timeout_ms: must be a whole number of milliseconds (got "soon")`);
    });

    it('a --config file that does not exist exits 1 saying so', async () => {
      const missing = join(sandbox.root, 'nope.yaml');
      const result = await runCli(['serve', '--port', '0', '--config', missing], sandbox);
      expect(result.code).toBe(1);
      expect(fatalMessage(result)).toContain(`${missing}: cannot read the configuration: file not found`);
    });
  });

  describe('port already in use', () => {
    let blocker: Server;
    afterEach(async () => {
      await new Promise<void>((done) => (blocker?.listening ? blocker.close(() => done()) : done()));
    });

    it('exits 1 with one clear fatal JSON line, and no start line before it', async () => {
      blocker = createServer();
      await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
      const port = (blocker.address() as { port: number }).port;
      const result = await runCli(['serve', '--port', String(port)], sandbox);
      expect(result.code).toBe(1);
      expect(fatalMessage(result)).toBe(`127.0.0.1:${port} is already in use; choose another port with --port or server.port`);
      // Nest's own copy of the listen error is not a second line at info.
      expect(result.stdout).not.toContain('EADDRINUSE: address already in use');
      expect(result.stdout).not.toContain('successfully started');
      expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr).toBe('');
    });
  });

  describe('shutdown', () => {
    /** `count` chunks whose contents are "w0 ", "w1 ", ... so a gap or reordering shows. */
    function chunkEvents(count: number): object[] {
      return Array.from({ length: count }, (_, i) => ({
        id: 'chatcmpl-slow',
        object: 'chat.completion.chunk',
        created: 1767225600,
        model: 'alpha-1',
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            delta: i === 0 ? { role: 'assistant', content: 'w0 ' } : { content: `w${i} ` },
            logprobs: null,
            finish_reason: i === count - 1 ? 'stop' : null,
          },
        ],
      }));
    }

    const contents = (frames: string[]) => frames.map((f) => (JSON.parse(f) as { choices: Array<{ delta: { content: string } }> }).choices[0].delta.content);
    const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i} `);

    async function startServe(server: string[]): Promise<{ proc: CliProcess; url: string }> {
      const config = sandbox.write('providers.yaml', providersYaml(server));
      const proc = startCli(['serve', '--port', '0', '--config', config], sandbox);
      const { url } = await proc.listening();
      return { proc, url };
    }

    it('lets an open stream finish, refuses new requests, then exits 0', async () => {
      const { proc, url } = await startServe([]);
      upstream.script({ kind: 'stream', delayMs: 150, events: chunkEvents(10) });
      // This client closes its connection after the response (Connection: close); the
      // keep-alive case is the next test.
      const stream = await openStream(url, agent, { keepAlive: false });
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      await stream.firstData;

      proc.signal('SIGTERM');
      await proc.waitFor(/SIGTERM received, finishing open requests \(up to 10000 ms\)/);
      await sleep(100);
      // A new client is turned away while the stream runs on: refused, or (when it connected
      // in the instant before the listener closed) reset unanswered, or answered 503.
      const refused = await freshRequest(`${url}/healthz`);
      expect(['ECONNREFUSED', 'ECONNRESET', 503]).toContain(refused);
      expect(proc.hasExited).toBe(false);

      const text = await stream.done;
      const streamEnded = Date.now();
      const frames = parseFrames(text);
      expect(contents(frames.slice(0, 10))).toEqual(words(10));
      expect(frames.slice(10)).toEqual(['[DONE]']);
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);

      // Waiting for the shutdown bound instead would take its 10 s.
      const result = await proc.exit(8000);
      expect(result.code).toBe(0);
      expect(Date.now() - streamEnded).toBeLessThan(6000);
    });

    it('drains: /readyz turns 503 at once, new requests are served through drain_grace_ms, then refused; the open stream completes', async () => {
      // A grace long enough that a loaded machine still asks its questions inside it.
      const { proc, url } = await startServe(['drain_grace_ms: 3000', 'drain_ms: 8000']);
      const ready = await request(`${url}/readyz`, { dispatcher: agent });
      expect(ready.statusCode).toBe(200);
      expect(await ready.body.json()).toEqual({ status: 'ready', checks: { store: 'ok', redis: 'off' } });

      upstream.script({ kind: 'stream', delayMs: 300, events: chunkEvents(14) });
      const stream = await openStream(url, agent, { keepAlive: false });
      await stream.firstData;
      const signalled = Date.now();
      proc.signal('SIGTERM');
      await proc.waitFor(/SIGTERM received, finishing open requests \(up to 8000 ms\), taking new ones for 3000 ms/);

      // Within the grace: not ready, yet still answering, and asking keep-alive clients to go.
      const draining = await request(`${url}/readyz`, { dispatcher: agent });
      expect(draining.statusCode).toBe(503);
      expect(((await draining.body.json()) as { status: string }).status).toBe('draining');
      const served = await request(`${url}/v1/models`, { dispatcher: agent });
      expect(served.statusCode).toBe(200);
      expect(served.headers.connection).toBe('close');
      await served.body.dump();
      expect(Date.now() - signalled).toBeLessThan(3000);

      // After it: new connections are refused while the stream runs on to its end.
      await sleep(Math.max(0, 3200 - (Date.now() - signalled)));
      expect(['ECONNREFUSED', 'ECONNRESET', 503]).toContain(await freshRequest(`${url}/healthz`));
      const text = await stream.done;
      expect(contents(parseFrames(text).slice(0, -1))).toEqual(words(14));
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      const result = await proc.exit(4000);
      expect(result.code).toBe(0);
    });

    it('exits as soon as the last stream ends, even when the client keeps its connection alive', async () => {
      const { proc, url } = await startServe([]);
      upstream.script({ kind: 'stream', delayMs: 150, events: chunkEvents(6) });
      // Keep-alive, as every SDK client does by default.
      const stream = await openStream(url, agent, { keepAlive: true });
      await stream.firstData;
      proc.signal('SIGTERM');
      const text = await stream.done;
      const streamEnded = Date.now();
      expect(parseFrames(text).slice(-1)).toEqual(['[DONE]']);

      // Waiting for the shutdown bound instead would take its 10 s.
      const result = await proc.exit(8000);
      expect(result.code).toBe(0);
      expect(Date.now() - streamEnded).toBeLessThan(6000);
    });

    it('past server.shutdown_timeout_ms ends a stream with a gateway_shutting_down event, keeping what was sent', async () => {
      const { proc, url } = await startServe(['shutdown_timeout_ms: 300']);
      const abortsBefore = upstream.abortedResponses;
      upstream.script({ kind: 'stream', delayMs: 500, events: chunkEvents(10) });
      const stream = await openStream(url, agent, { keepAlive: false });
      expect(stream.status).toBe(200);
      await stream.firstData;

      const signalled = Date.now();
      proc.signal('SIGTERM');
      const text = await stream.done;
      const streamEnded = Date.now() - signalled;
      const frames = parseFrames(text);
      const chunks = frames.slice(0, -1);

      // Everything sent before the deadline is there, in order, with nothing lost...
      expect(chunks.length).toBeGreaterThanOrEqual(1);
      expect(chunks.length).toBeLessThanOrEqual(2);
      expect(contents(chunks)).toEqual(words(chunks.length));
      // ...then exactly one error event in OpenAI's shape, and no [DONE].
      expect(JSON.parse(frames[frames.length - 1])).toEqual({
        error: {
          message: 'The gateway is shutting down; this stream was ended before it finished.',
          type: 'server_error',
          param: null,
          code: 'gateway_shutting_down',
        },
      });
      expect(text).not.toContain('[DONE]');
      // Ended by the 300 ms bound, not by the upstream (whose ten chunks take 5 s).
      expect(streamEnded).toBeGreaterThanOrEqual(250);
      expect(streamEnded).toBeLessThan(4000);

      const result = await proc.exit(5000);
      expect(result.code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(4500);
      // The upstream call was cancelled, not left running.
      await upstream.waitForAborts(abortsBefore + 1, 2000);
      expect(upstream.abortedResponses).toBe(abortsBefore + 1);
    });

    it('server.shutdown_timeout_ms bounds the shutdown even when the client keeps its connection alive', async () => {
      const { proc, url } = await startServe(['shutdown_timeout_ms: 300']);
      upstream.script({ kind: 'stream', delayMs: 500, events: chunkEvents(10) });
      const stream = await openStream(url, agent, { keepAlive: true });
      await stream.firstData;

      const signalled = Date.now();
      proc.signal('SIGTERM');
      const text = await stream.done;
      expect(text).toContain('"code":"gateway_shutting_down"');

      // (The upstream's ten chunks take 5 s; the kept-alive connection would hold the process longer.)
      const result = await proc.exit(6000);
      expect(result.code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(4500);
    });

    it.each([
      ['SIGTERM', 'SIGINT'],
      ['SIGINT', 'SIGINT'],
      ['SIGTERM', 'SIGTERM'],
    ] as Array<[NodeJS.Signals, NodeJS.Signals]>)('%s then %s while stopping exits at once, saying so', async (first, second) => {
      const { proc, url } = await startServe([]);
      upstream.script({ kind: 'stream', delayMs: 500, events: chunkEvents(10) });
      const stream = await openStream(url, agent, { keepAlive: false });
      await stream.firstData;
      proc.signal(first);
      await proc.waitFor(new RegExp(`${first} received, finishing open requests`));
      expect(proc.hasExited).toBe(false);

      const signalled = Date.now();
      proc.signal(second);
      // A drain would wait for the stream's remaining 4.5 s.
      const result = await proc.exit(5000);
      expect(Date.now() - signalled).toBeLessThan(3000);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
      expect(result.stdout).toContain(`"msg":"${second} again, exiting now"`);
      // The stream was cut, not completed.
      const text = await stream.done.catch(() => '');
      expect(text).not.toContain('[DONE]');
    });
  });
});

interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Resolves when the first `data:` line has arrived. */
  firstData: Promise<void>;
  /** The whole body as raw text, when the server ends it. */
  done: Promise<string>;
}

/** POSTs a streaming chat completion and reads the raw SSE text, so the framing can be checked. */
async function openStream(url: string, dispatcher: Agent, options: { keepAlive: boolean }): Promise<OpenStream> {
  const res = await request(`${url}/v1/chat/completions`, {
    dispatcher,
    // reset: true sends `Connection: close`, so the client does not keep the connection.
    reset: !options.keepAlive,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'alpha-1', stream: true, messages: [{ role: 'user', content: 'take your time' }] }),
  });
  let text = '';
  let onFirst!: () => void;
  let onFirstFailed!: (error: Error) => void;
  const firstData = new Promise<void>((resolve, reject) => {
    onFirst = resolve;
    onFirstFailed = reject;
  });
  const done = (async () => {
    try {
      for await (const chunk of res.body) {
        text += (chunk as Buffer).toString('utf8');
        if (text.includes('data: ')) onFirst();
      }
      onFirstFailed(new Error(`the stream ended before any data: ${JSON.stringify(text)}`));
      return text;
    } catch (error) {
      onFirstFailed(error as Error);
      throw error;
    }
  })();
  done.catch(() => undefined);
  return { status: res.statusCode, headers: res.headers, firstData, done };
}

/**
 * The `data:` payloads of an SSE body, in order. Asserts the framing on the way: every event is
 * one `data:` line ended by a blank line; comment lines (keepalives) are allowed and skipped.
 */
function parseFrames(text: string): string[] {
  expect(text.endsWith('\n\n')).toBe(true);
  const payloads: string[] = [];
  for (const frame of text.slice(0, -2).split('\n\n')) {
    if (frame.startsWith(':')) continue;
    expect(frame).toMatch(/^data: [^\n]+$/);
    payloads.push(frame.slice('data: '.length));
  }
  return payloads;
}

/** A request on a new connection: its status, or the connection error's code. */
function freshRequest(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
