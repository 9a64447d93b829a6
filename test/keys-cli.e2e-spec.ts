// `byokey keys` and `byokey serve` as a user runs them (dist/main.js in its own process; needs
// `npm run build`): a key created on the command line works against a running gateway, is never
// shown again, and stops working within a second of `keys revoke`; an open gateway on a network
// address refuses to start unless providers.yaml says so.
import { request } from 'undici';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CliSandbox, fatalMessage, killAllCli, runCli, startCli } from './support/cli-process';

const SECRET = /bk-[A-Za-z0-9_-]{43}/;

let sandbox: CliSandbox;

beforeEach(() => {
  sandbox = new CliSandbox();
});

afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

describe('byokey keys', () => {
  it('creates a key showing its secret once; list shows its prefix and limits, never the secret', async () => {
    const created = await runCli(
      ['keys', 'create', '--name', 'team-a', '--models', 'gpt-5*,claude-*', '--rpm', '60', '--tpm', '100000', '--concurrency', '4', '--budget-tokens', '1000000', '--per', 'month', '--expires', '30d'],
      sandbox,
    );
    expect(created.code).toBe(0);
    const secret = SECRET.exec(created.stdout)?.[0];
    expect(secret).toBeDefined();
    expect(created.stdout).toContain('Created client key "team-a"');
    expect(created.stdout).toContain('models gpt-5*,claude-*, 60 rpm, 100000 tpm, 4 concurrent, 1000000 tokens/month');

    const listed = await runCli(['keys', 'list'], sandbox);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+ID\s+KEY\s+STATUS\s+LIMITS\s+EXPIRES\s+LAST USED$/m);
    expect(listed.stdout).toContain(`${secret!.slice(0, 9)}…`);
    expect(listed.stdout).toMatch(/team-a\s+key_[0-9a-f]{16}\s+bk-\S+\s+active\s+models gpt-5\*,claude-\*/);
    expect(listed.stdout).toMatch(/in (30|29) days/);
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toContain(secret!.slice(9));

    const updated = await runCli(['keys', 'update', 'team-a', '--rpm', 'none', '--models', 'all', '--budget-tokens', '5000'], sandbox);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('all models, 100000 tpm, 4 concurrent, 5000 tokens/month');

    const duplicate = await runCli(['keys', 'create', '--name', 'team-a'], sandbox);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('a client key named "team-a" already exists');

    const revoked = await runCli(['keys', 'revoke', 'team-a'], sandbox);
    expect(revoked.code).toBe(0);
    expect((await runCli(['keys', 'list'], sandbox)).stdout).toMatch(/team-a\s+\S+\s+\S+\s+revoked/);
    expect((await runCli(['keys', 'revoke', 'nobody'], sandbox)).code).toBe(1);
  });

  it.each([
    [['keys', 'create'], 'keys create needs --name NAME'],
    [['keys', 'create', '--name', 'bad name'], '--name: a name is 1-64 letters'],
    [['keys', 'create', '--name', 'a', '--rpm', '0'], '--rpm must be a whole number from 1, got "0"'],
    [['keys', 'create', '--name', 'a', '--budget-tokens', '5'], '--budget-tokens and --per go together'],
    [['keys', 'create', '--name', 'a', '--budget-tokens', '5', '--per', 'week'], '--per must be day or month, got "week"'],
    [['keys', 'create', '--name', 'a', '--expires', 'soon'], '--expires must be a duration such as 12h, 30d or 2w, got "soon"'],
    [['keys', 'update', 'a'], 'keys update needs at least one limit to change'],
    [['keys', 'frob'], 'unknown subcommand "frob"'],
  ])('byokey %j exits 2 with a usage message', async (args, message) => {
    const result = await runCli(args, sandbox);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    // The usage of the subcommand the mistake was made on, or of `keys` itself.
    expect(result.stderr).toMatch(/Usage: byokey keys (<subcommand>|create|update)/);
  });
});

describe('byokey serve with client keys', () => {
  const upstream = new FakeOpenAIUpstream();

  beforeAll(async () => {
    await upstream.start();
  });
  afterAll(async () => {
    await killAllCli();
    await upstream.stop();
  });

  function providersYaml(extra = ''): string {
    return `${extra}providers:\n  local:\n    type: openai-compatible\n    base_url: ${upstream.url}\n    models: [gpt-5-mini]\n`;
  }

  async function chat(url: string, key?: string): Promise<number> {
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.body.dump();
    return res.statusCode;
  }

  it('needs the key created with the CLI, and refuses it within a second of `keys revoke`', async () => {
    const secret = SECRET.exec((await runCli(['keys', 'create', '--name', 'ci'], sandbox)).stdout)![0];
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['serve', '--port', '0', '--config', config], sandbox);
    const { url } = await proc.listening();
    expect(await chat(url)).toBe(401);
    expect(await chat(url, 'bk-someone-else')).toBe(401);
    expect(await chat(url, secret)).toBe(200);

    const revoke = await runCli(['keys', 'revoke', 'ci'], sandbox);
    expect(revoke.code).toBe(0);
    // serve re-reads the keys when the store's revision moves, polled every 500 ms (KEY_POLL_MS):
    // refused about half a second after the revoke. A bound of 5 s leaves a loaded machine room;
    // a serve that never saw the revoke would let the key in until it restarts.
    const revokedAt = Date.now();
    while ((await chat(url, secret)) !== 401) {
      expect(Date.now() - revokedAt).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now() - revokedAt).toBeLessThan(5000);
  });

  it('refuses to start open on 0.0.0.0 when the file does not say auth.mode: open', async () => {
    const config = sandbox.write('providers.yaml', providersYaml());
    const result = await startCli(['serve', '--port', '0', '--host', '0.0.0.0', '--config', config], sandbox).exit();
    expect(result.code).toBe(1);
    const said = fatalMessage(result);
    expect(said).toContain('byokey would listen on 0.0.0.0 with no client key');
    expect(said).toContain('auth: {mode: open}');
  });

  it('starts open on 0.0.0.0 when the file says so, with a warning', async () => {
    const config = sandbox.write('providers.yaml', providersYaml('auth:\n  mode: open\n'));
    const proc = startCli(['serve', '--port', '0', '--host', '0.0.0.0', '--config', config], sandbox);
    const { port } = await proc.listening();
    expect(proc.stdout).toContain('auth.mode is open and byokey listens on 0.0.0.0');
    expect(await chat(`http://127.0.0.1:${port}`)).toBe(200);
  });

  it('starts on 0.0.0.0 once a key exists, and needs it', async () => {
    const secret = SECRET.exec((await runCli(['keys', 'create', '--name', 'net'], sandbox)).stdout)![0];
    const config = sandbox.write('providers.yaml', providersYaml());
    const proc = startCli(['serve', '--port', '0', '--host', '0.0.0.0', '--config', config], sandbox);
    const { port } = await proc.listening();
    expect(await chat(`http://127.0.0.1:${port}`)).toBe(401);
    expect(await chat(`http://127.0.0.1:${port}`, secret)).toBe(200);
  });
});
