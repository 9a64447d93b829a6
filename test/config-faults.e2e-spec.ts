// Issue 11, config faults: the built `byokey` executable (dist/main.js) given a providers.yaml
// that is an alias bomb, collections nested thousands deep, or a server.host that is not UTF-8
// exits 1 with the configuration error and no stack trace, listening on nothing; a running
// gateway whose file is overwritten with an alias bomb keeps serving with its old configuration,
// through the file watcher and SIGHUP alike. Needs `npm run build` first.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, fatalMessage, freePort, killAllCli, runCli, startCli } from './support/cli-process';

/** Nine levels of nine aliases: 9^9 (387 million) strings once expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  '',
].join('\n');

const STACK_FRAME = /^\s+at /m;

let sandbox: CliSandbox;
let agent: Agent;
const upstream = new FakeOpenAIUpstream();

beforeAll(async () => {
  await upstream.start();
});
afterAll(async () => {
  await upstream.stop();
});
beforeEach(() => {
  sandbox = new CliSandbox();
  agent = new Agent({ connections: 2 });
});
afterEach(async () => {
  await killAllCli();
  await agent.destroy().catch(() => undefined);
  sandbox.remove();
});

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    // If the port can be bound, nothing is listening on it.
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

describe('byokey serve with a providers.yaml it cannot use', () => {
  it('exits 1 on an alias bomb, quickly, with the configuration error and no stack trace', async () => {
    const config = sandbox.write('providers.yaml', BILLION_LAUGHS);
    const port = await freePort();
    const started = Date.now();

    const result = await runCli(['serve', '--port', String(port), '--config', config], sandbox, undefined, 20_000);

    expect(result.code).toBe(1);
    expect(fatalMessage(result)).toBe(
      `invalid configuration: ${config} has a problem:\n` +
        `  ${config}:6:8: YAML aliases expand too much: to more than 100000 values by here (an alias bomb such as "billion laughs"?)`,
    );
    expect(result.stdout + result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).toBe('');
    // About half a second, most of it Node starting; expanding the 387 million strings would take
    // minutes or run out of memory. 10 s leaves a loaded machine room.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await canConnect(port)).toBe(false);
  });

  it('exits 1 on collections nested thousands deep, with the line and no stack trace', async () => {
    const config = sandbox.write('providers.yaml', `providers: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);

    const result = await runCli(['serve', '--port', '0', '--config', config], sandbox);

    expect(result.code).toBe(1);
    expect(fatalMessage(result)).toMatch(new RegExp(`^invalid configuration: .* has a problem:\\n  .*providers\\.yaml:1:\\d+: collections are nested more than 100 levels deep$`));
    expect(result.stdout + result.stderr).not.toMatch(STACK_FRAME);
  });

  it('exits 1 on a server.host that is not UTF-8, naming the field and its line', async () => {
    const config = join(sandbox.root, 'providers.yaml');
    writeFileSync(config, Buffer.concat([Buffer.from('server:\n  port: 0\n  host: "gw'), Buffer.from([0xc3, 0x28]), Buffer.from('.local"\n')]));

    const result = await runCli(['serve', '--config', config], sandbox);

    expect(result.code).toBe(1);
    expect(fatalMessage(result)).toBe(
      `invalid configuration: ${config} has a problem:\n` + `  ${config}:3:3: server.host: contains bytes that are not valid UTF-8 (got "gw\uFFFD(.local")`,
    );
  });

  it('refuses a --host that is a URL as a usage error (exit 2), before starting anything', async () => {
    const result = await runCli(['serve', '--port', '0', '--host', 'http://0.0.0.0'], sandbox);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'byokey serve: --host must be a host name or address, not a URL (leave out the scheme, e.g. "http://"), got "http://0.0.0.0"',
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stdout).toBe('');
  });
});

describe('a running gateway whose providers.yaml becomes an alias bomb', () => {
  it('keeps its configuration and answers requests, after the watcher and after SIGHUP', async () => {
    const config = sandbox.write(
      'providers.yaml',
      ['providers:', '  local:', '    type: openai-compatible', `    base_url: ${upstream.url}`, '    api_key: sk-upstream', '    models: [alpha-1]', ''].join('\n'),
    );
    const proc = startCli(['serve', '--port', '0', '--config', config], sandbox);
    const { url } = await proc.listening();
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const models = async () => (await openai.models.list()).data.map((m) => m.id);
    expect(await models()).toEqual(['alpha-1']);

    sandbox.write('providers.yaml', BILLION_LAUGHS);
    await proc.waitFor(/kept the running configuration: invalid configuration: .*YAML aliases expand too much/);

    expect(proc.hasExited).toBe(false);
    expect(await models()).toEqual(['alpha-1']);
    const reply = await openai.chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: 'still there?' }] });
    expect(reply.choices[0].message.content).toBe('You said: still there?');

    // Asked again by signal: the same answer, the process still up.
    const logged = proc.stdout.match(/kept the running configuration/g)!.length;
    proc.signal('SIGHUP');
    await proc.waitFor(new RegExp(`(kept the running configuration[\\s\\S]*){${logged + 1}}`));
    expect(proc.hasExited).toBe(false);
    const health = await request(`${url}/healthz`, { dispatcher: agent });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    expect(await models()).toEqual(['alpha-1']);
    expect(proc.stdout + proc.stderr).not.toMatch(STACK_FRAME);
  });
});
