// The read-only commands (status, accounts list, keys list, usage) create nothing on PostgreSQL
// either: pointed at a schema that does not exist yet they say there is nothing, and leave the
// database without that schema, and BYOKEY_HOME without a key file. Once a writing command has
// made the schema, they read it. Needs PostgreSQL at 127.0.0.1:5432 (test/support/postgres.ts)
// and `npm run build`.
import { existsSync } from 'node:fs';
import { CliSandbox, killAllCli, runCli } from './support/cli-process';
import { dropSchema, randomSchema, rawQuery, TEST_DATABASE_URL } from './support/postgres';

let sandbox: CliSandbox;
let schema: string;
let config: string;

async function schemaExists(name: string): Promise<boolean> {
  const rows = await rawQuery('public', 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [name]);
  return rows.length > 0;
}

beforeEach(() => {
  sandbox = new CliSandbox();
  schema = randomSchema('byokey_readonly');
  config = sandbox.write('providers.yaml', `store:\n  url: ${TEST_DATABASE_URL}\n  schema: ${schema}\n`);
});

afterEach(async () => {
  await killAllCli();
  sandbox.remove();
  await dropSchema(schema);
});

describe('read-only commands on a fresh PostgreSQL schema', () => {
  it.each([
    [['status'], 'No stored accounts.'],
    [['accounts', 'list'], 'No accounts yet.'],
    [['keys', 'list'], 'No client keys yet.'],
    [['usage'], 'No requests in this window.'],
  ])('byokey %j says there is nothing yet and creates no schema, table or key', async (args, message) => {
    const result = await runCli([...args, '--config', config], sandbox);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(message);
    expect(await schemaExists(schema)).toBe(false);
    expect(existsSync(sandbox.home)).toBe(false);
  });

  it('status says where the store will be, not that it is there', async () => {
    const result = await runCli(['status', '--config', config], sandbox);
    expect(result.stdout).toContain(`store:  postgres://postgres@127.0.0.1:5432/test (schema ${schema}) (not created yet)`);
  });

  it('read what a writing command stored once the schema exists', async () => {
    const created = await runCli(['keys', 'create', '--name', 'ci', '--config', config], sandbox);
    expect(created.code).toBe(0);
    expect(await schemaExists(schema)).toBe(true);
    const list = await runCli(['keys', 'list', '--config', config], sandbox);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ci +/m);
    const status = await runCli(['status', '--config', config], sandbox);
    expect(status.stdout).not.toContain('not created yet');
  });

  it('reports an unreachable database with exit 1, not a stack trace', async () => {
    const unreachable = sandbox.write('down.yaml', `store:\n  url: postgres://postgres@127.0.0.1:1/test\n  schema: ${schema}\n`);
    const result = await runCli(['accounts', 'list', '--config', unreachable], sandbox);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^byokey: Cannot open the PostgreSQL store postgres:\/\/postgres@127\.0\.0\.1:1\/test \(schema \S+\) \(.*ECONNREFUSED/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
