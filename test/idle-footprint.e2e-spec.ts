// What a gateway that does not use them never loads: the PostgreSQL and Redis clients, the SOCKS
// clients and Kiro's event-stream codec each cost megabytes of a process's memory, and most
// gateways (a laptop on SQLite, no proxy, no Kiro) use none of them. The built `byokey serve`
// runs with a preload that writes, at exit, which packages its require cache held; with `redis:`
// configured the Redis client is loaded (the check can tell).
import { readFileSync } from 'node:fs';
import { CliSandbox, killAllCli, startCli } from './support/cli-process';
import { deleteRedisPrefix, REDIS_URL, uniqueName } from './support/shared-services';

/** The packages loaded only when used, as their folders appear under node_modules/. */
const LOADED_WHEN_USED = ['ioredis', 'pg', 'socks', 'socks-proxy-agent', '@smithy/core'];

const PRELOAD = `
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
    if (match) packages.add(match[1]);
  }
  writeFileSync(process.env.LOADED_PACKAGES_FILE, JSON.stringify([...packages]));
});
`;

let sandbox: CliSandbox;
const prefixes: string[] = [];

beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  await killAllCli();
  sandbox.remove();
  for (const prefix of prefixes.splice(0)) await deleteRedisPrefix(prefix);
});

/** Starts `byokey serve` on `yaml`, stops it with SIGTERM, and answers the packages it had loaded. */
async function packagesLoadedBy(yaml: string): Promise<string[]> {
  const config = sandbox.write('providers.yaml', yaml);
  const preload = sandbox.write('preload.js', PRELOAD);
  const loadedFile = `${sandbox.root}/loaded.json`;
  const serve = startCli(['serve', '--config', config, '--port', '0'], sandbox, {
    env: { NODE_OPTIONS: `--require ${preload}`, LOADED_PACKAGES_FILE: loadedFile },
  });
  await serve.listening();
  serve.signal('SIGTERM');
  expect((await serve.exit()).code).toBe(0);
  return JSON.parse(readFileSync(loadedFile, 'utf8')) as string[];
}

const LOCAL_INSTANCE = `providers:
  local:
    type: openai-compatible
    base_url: http://127.0.0.1:9/v1
    api_key: sk-local
    models: [m1]
`;

it('a gateway on SQLite with no Redis, proxy or Kiro account loads none of their clients', async () => {
  const loaded = await packagesLoadedBy(LOCAL_INSTANCE);
  // The preload saw the gateway's own packages (so an empty list cannot pass).
  expect(loaded).toEqual(expect.arrayContaining(['@nestjs/core', 'fastify']));
  expect(loaded.filter((name) => LOADED_WHEN_USED.includes(name))).toEqual([]);
});

it('with `redis:` configured the Redis client is loaded', async () => {
  const prefix = `${uniqueName('footprint')}:`;
  prefixes.push(prefix);
  const loaded = await packagesLoadedBy(`redis:\n  url: ${REDIS_URL}\n  key_prefix: "${prefix}"\n${LOCAL_INSTANCE}`);
  expect(loaded).toContain('ioredis');
  expect(loaded).not.toContain('pg');
});
