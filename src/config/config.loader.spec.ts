// Covers config.loader.ts end to end, the way a user meets it: which file is read (none,
// --config, ./providers.yaml), built-in defaults, a valid file turned into typed values,
// ${VAR} substitution inside the file, every kind of mistake reported with its field path,
// 1-based line:column and a readable message, several mistakes in one report, body_limit
// sizes, and that api keys are never echoed back in an error.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from './config-error';
import { BUILT_IN_DEFAULTS, DEFAULT_CONFIG_FILE, MAX_CONFIG_BYTES, loadGatewayConfig, parseGatewayConfig, resolveConfigFile } from './config.loader';
import type { GatewayConfig } from './gateway-config';

const SOURCE = '/srv/byokey/providers.yaml';

/** One YAML line per argument, so a line's number is its position in the call. */
const yaml = (...lines: string[]): string => lines.join('\n') + '\n';

function load(text: string, env: NodeJS.ProcessEnv = {}): GatewayConfig {
  return parseGatewayConfig(text, SOURCE, env);
}

/** The ConfigError a text produces; fails the test when it loads or throws something else. */
function configError(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  return thrownBy(() => load(text, env));
}

/** The ConfigError a call throws; fails the test when it returns or throws something else. */
function thrownBy(call: () => unknown): ConfigError {
  try {
    call();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** The one line of the formatted message an issue becomes. */
const reported = (issue: { path: string; line: number; column: number; message: string }, source = SOURCE) =>
  `  ${source}:${issue.line}:${issue.column}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;

const DEFAULT_SERVER = {
  host: '127.0.0.1',
  port: 8018,
  bodyLimit: 32 * 1024 * 1024,
  shutdownTimeoutMs: 10_000,
  drainGraceMs: 0,
  sseKeepaliveMs: 15_000,
};

describe('choosing the configuration file', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'byokey-config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the built-in defaults when there is no --config and no ./providers.yaml', () => {
    expect(resolveConfigFile({ cwd: dir })).toBeUndefined();

    const config = loadGatewayConfig({ cwd: dir, env: {} });

    expect(config.source).toBe(BUILT_IN_DEFAULTS);
    expect(config.source).toBe('built-in defaults');
    expect(config.server).toEqual(DEFAULT_SERVER);
    expect(config.server.bodyLimit).toBe(33_554_432);
    expect(config.providers).toEqual([]);
  });

  it('reports an explicit --config file that does not exist, naming the file', () => {
    const missing = join(dir, 'missing.yaml');

    const error = thrownBy(() => loadGatewayConfig({ file: 'missing.yaml', cwd: dir, env: {} }));

    expect(error.source).toBe(missing);
    expect(error.issues).toEqual([{ path: '', message: 'cannot read the configuration: file not found' }]);
    expect(error.message).toBe(
      `invalid configuration: ${missing} has a problem:\n  ${missing}: cannot read the configuration: file not found`,
    );
  });

  it('does not fall back to ./providers.yaml when the explicit file is missing', () => {
    writeFileSync(join(dir, DEFAULT_CONFIG_FILE), yaml('server:', '  port: 9001'));

    expect(() => loadGatewayConfig({ file: 'other.yaml', cwd: dir, env: {} })).toThrow(
      `${join(dir, 'other.yaml')}: cannot read the configuration: file not found`,
    );
  });

  it('picks up ./providers.yaml from the working directory when present', () => {
    const file = join(dir, 'providers.yaml');
    writeFileSync(file, yaml('server:', '  port: 9001', 'providers:', '  local:', '    base_url: http://localhost:8000/v1'));

    expect(resolveConfigFile({ cwd: dir })).toBe(file);
    const config = loadGatewayConfig({ cwd: dir, env: {} });

    expect(config.source).toBe(file);
    expect(config.server.port).toBe(9001);
    expect(config.providers.map((p) => p.name)).toEqual(['local']);
  });

  it('prefers the explicit file over ./providers.yaml', () => {
    writeFileSync(join(dir, 'providers.yaml'), yaml('server:', '  port: 9001'));
    mkdirSync(join(dir, 'conf'));
    const explicit = join(dir, 'conf', 'gateway.yaml');
    writeFileSync(explicit, yaml('server:', '  port: 9002'));

    expect(resolveConfigFile({ file: 'conf/gateway.yaml', cwd: dir })).toBe(explicit);
    const config = loadGatewayConfig({ file: 'conf/gateway.yaml', cwd: dir, env: {} });

    expect(config.source).toBe(explicit);
    expect(config.server.port).toBe(9002);
  });

  it('accepts an absolute --config path regardless of the working directory', () => {
    const file = join(dir, 'abs.yaml');
    writeFileSync(file, yaml('server:', '  host: 0.0.0.0'));

    expect(resolveConfigFile({ file, cwd: '/' })).toBe(file);
    expect(loadGatewayConfig({ file, cwd: '/', env: {} }).server.host).toBe('0.0.0.0');
  });

  it('reports a --config that is a directory with the operating system reason', () => {
    const error = thrownBy(() => loadGatewayConfig({ file: dir, env: {} }));

    expect(error.source).toBe(dir);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].path).toBe('');
    expect(error.issues[0].message).toMatch(/^cannot read the configuration: EISDIR/);
  });

  it('names the file and the line in errors found inside it', () => {
    const file = join(dir, 'providers.yaml');
    writeFileSync(file, yaml('providers:', '  local:', '    timeout_ms: 0'));

    expect(() => loadGatewayConfig({ cwd: dir, env: {} })).toThrow(
      `  ${file}:3:5: providers.local.timeout_ms: must be at least 1 millisecond (got 0)`,
    );
  });

  it('substitutes from options.env, not from process.env', () => {
    const file = join(dir, 'providers.yaml');
    writeFileSync(file, yaml('providers:', '  local:', '    api_key: ${BYOKEY_SPEC_ONLY_IN_OPTIONS}'));
    expect(process.env.BYOKEY_SPEC_ONLY_IN_OPTIONS).toBeUndefined();

    const config = loadGatewayConfig({ cwd: dir, env: { BYOKEY_SPEC_ONLY_IN_OPTIONS: 'sk-from-options' } });

    expect(config.providers[0].settings.api_key).toBe('sk-from-options');
  });

  it('substitutes from process.env when no env is given', () => {
    const file = join(dir, 'providers.yaml');
    writeFileSync(file, yaml('providers:', '  local:', '    api_key: ${BYOKEY_SPEC_PROCESS_KEY}'));
    process.env.BYOKEY_SPEC_PROCESS_KEY = 'sk-from-process';
    try {
      expect(loadGatewayConfig({ cwd: dir }).providers[0].settings.api_key).toBe('sk-from-process');
    } finally {
      delete process.env.BYOKEY_SPEC_PROCESS_KEY;
    }
  });
});

describe('a file without errors', () => {
  it.each([
    ['an empty file', ''],
    ['only comments', yaml('# nothing configured yet', '# server:', '#   port: 9000')],
    ['an empty providers section', yaml('providers:')],
    ['an empty providers mapping', yaml('providers: {}')],
    ['only the schema version', yaml('version: 1')],
  ])('%s gives the built-in defaults', (_name, text) => {
    const config = load(text);

    expect(config.source).toBe(SOURCE);
    expect(config.server).toEqual(DEFAULT_SERVER);
    expect(config.providers).toEqual([]);
  });

  const FULL = yaml(
    'version: 1', //                                       1
    'server:', //                                          2
    '  host: 0.0.0.0', //                                  3
    '  port: 9000', //                                     4
    '  body_limit: 50mb', //                               5
    '  shutdown_timeout_ms: 2500', //                      6
    '  sse_keepalive_ms: 30000', //                        7
    'providers:', //                                       8
    '  openai:', //                                        9
    '    api_key: sk-openai-123', //                       10
    '    models: [gpt-4o, gpt-4o-mini]', //                11
    '  local:', //                                         12
    '    type: openai-compatible', //                      13
    '    enabled: false', //                               14
    '    base_url: http://localhost:11434/v1', //          15
    '    api_keys:', //                                    16
    '      - sk-one', //                                   17
    '      - key: sk-two', //                              18
    '        base_url: https://eu.example.com/v1', //      19
    '    headers:', //                                     20
    '      X-Team: research', //                           21
    '    timeout_ms: 120000', //                           22
    '    transport: websocket', //                         23
  );

  it('turns a full file into typed server settings', () => {
    expect(load(FULL).server).toEqual({
      host: '0.0.0.0',
      port: 9000,
      bodyLimit: 50 * 1024 * 1024,
      shutdownTimeoutMs: 2500,
      drainGraceMs: 0,
      sseKeepaliveMs: 30000,
    });
  });

  it('turns a full file into provider instances with their settings', () => {
    const [openai, local] = load(FULL).providers;

    expect(openai.name).toBe('openai');
    expect(openai.type).toBe('openai');
    expect(openai.enabled).toBe(true);
    expect(openai.settings).toEqual({ api_key: 'sk-openai-123', models: ['gpt-4o', 'gpt-4o-mini'] });

    expect(local.name).toBe('local');
    expect(local.type).toBe('openai-compatible');
    expect(local.enabled).toBe(false);
    expect(local.settings).toEqual({
      type: 'openai-compatible',
      enabled: false,
      base_url: 'http://localhost:11434/v1',
      api_keys: [{ key: 'sk-one' }, { key: 'sk-two', base_url: 'https://eu.example.com/v1' }],
      headers: { 'X-Team': 'research' },
      timeout_ms: 120000,
    });
  });

  it('leaves plugin-specific keys out of settings but keeps them in raw, without complaint', () => {
    const local = load(FULL).providers[1];

    expect(local.settings).not.toHaveProperty('transport');
    expect(local.raw.transport).toBe('websocket');
    expect(local.raw.api_keys).toEqual(['sk-one', { key: 'sk-two', base_url: 'https://eu.example.com/v1' }]);
  });

  it('keeps a locator that finds fields in the file (1-based line and column)', () => {
    const { locate } = load(FULL);

    expect(locate(['server', 'port'])).toEqual({ line: 4, column: 3 });
    expect(locate(['providers', 'local', 'base_url'])).toEqual({ line: 15, column: 5 });
    expect(locate(['providers', 'local', 'api_keys', 1, 'base_url'])).toEqual({ line: 19, column: 9 });
    // A field that is not in the file points at the nearest parent that is.
    expect(locate(['providers', 'openai', 'base_url'])).toEqual({ line: 9, column: 3 });
  });

  it('defaults an instance type to its name and enabled to true', () => {
    const [instance] = load(yaml('providers:', '  ollama:', '    base_url: http://127.0.0.1:11434/v1')).providers;

    expect(instance).toMatchObject({ name: 'ollama', type: 'ollama', enabled: true });
  });

  it('treats an instance with nothing under it as an empty mapping', () => {
    const [instance] = load(yaml('providers:', '  openai:')).providers;

    expect(instance).toEqual({ name: 'openai', type: 'openai', enabled: true, settings: {}, raw: {} });
  });

  it('keeps providers in file order, not alphabetical', () => {
    const config = load(yaml('providers:', '  zeta: {}', '  alpha: {}', '  mid-1: {}', '  b.2: {}', '  a_3: {}'));

    expect(config.providers.map((p) => p.name)).toEqual(['zeta', 'alpha', 'mid-1', 'b.2', 'a_3']);
  });

  it('accepts port 0 (any free port) and the top of the range', () => {
    expect(load(yaml('server:', '  port: 0')).server.port).toBe(0);
    expect(load(yaml('server:', '  port: 65535')).server.port).toBe(65535);
  });

  it('accepts enabled written as a true/false string', () => {
    const config = load(yaml('providers:', '  a:', '    enabled: "false"', '  b:', '    enabled: "true"'));

    expect(config.providers.map((p) => p.enabled)).toEqual([false, true]);
  });
});

describe('${VAR} substitution', () => {
  it('replaces a set variable', () => {
    const config = load(yaml('providers:', '  openai:', '    api_key: ${OPENAI_API_KEY}'), {
      OPENAI_API_KEY: 'sk-live-abc',
    });

    expect(config.providers[0].settings.api_key).toBe('sk-live-abc');
    expect(config.providers[0].raw.api_key).toBe('sk-live-abc');
  });

  it('reports an unset variable, naming the variable and the field, at the field line', () => {
    const error = configError(yaml('server:', '  port: 9000', 'providers:', '  openai:', '    api_key: ${OPENAI_API_KEY}'));

    expect(error.issues).toEqual([
      {
        path: 'providers.openai.api_key',
        message: 'environment variable OPENAI_API_KEY is not set (write ${OPENAI_API_KEY:-default} to give a default)',
        line: 5,
        column: 5,
      },
    ]);
    expect(error.message).toContain(
      `${SOURCE}:5:5: providers.openai.api_key: environment variable OPENAI_API_KEY is not set`,
    );
  });

  it('reports an unset variable inside a list with the item index and the item line', () => {
    const error = configError(yaml('providers:', '  local:', '    models:', '      - gpt-4o', '      - ${EXTRA_MODEL}'));

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: 'providers.local.models[1]', line: 5, column: 9 });
    expect(error.issues[0].message).toContain('EXTRA_MODEL is not set');
  });

  it.each([
    ['unset', {}, 'http://localhost:11434/v1'],
    ['empty', { LOCAL_URL: '' }, 'http://localhost:11434/v1'],
    ['set', { LOCAL_URL: 'https://llm.internal/v1' }, 'https://llm.internal/v1'],
  ])('${VAR:-default} when the variable is %s', (_state, env: NodeJS.ProcessEnv, expected) => {
    const config = load(yaml('providers:', '  local:', '    base_url: ${LOCAL_URL:-http://localhost:11434/v1}'), env);

    expect(config.providers[0].settings.base_url).toBe(expected);
  });

  it('substitutes variables embedded in a longer string', () => {
    const config = load(yaml('providers:', '  local:', '    base_url: "https://${LLM_HOST}:${LLM_PORT:-443}/openai/v1"'), {
      LLM_HOST: 'llm.example.com',
    });

    expect(config.providers[0].settings.base_url).toBe('https://llm.example.com:443/openai/v1');
  });

  it('writes a literal ${ for $${', () => {
    const config = load(yaml('providers:', '  local:', '    headers:', '      X-Template: "$${USER} is literal, ${WHO} is not"'), {
      USER: 'must-not-appear',
      WHO: 'alice',
    });

    expect(config.providers[0].settings.headers).toEqual({ 'X-Template': '${USER} is literal, alice is not' });
  });

  it.each([
    ['starts with a digit', '${1X}'],
    ['is empty', '${}'],
    ['contains a space', '${MY VAR}'],
    ['uses a shell form byokey does not support', '${HOST-localhost}'],
  ])('reports a reference that %s', (_why, reference) => {
    const error = configError(yaml('providers:', '  local:', `    api_key: "sk-${reference}"`));

    expect(error.issues).toEqual([
      {
        path: 'providers.local.api_key',
        message: `"${reference}" is not a valid variable reference (expected \${NAME} or \${NAME:-default})`,
        line: 3,
        column: 5,
      },
    ]);
  });

  it('turns a port from the environment into a number', () => {
    const config = load(yaml('server:', '  port: ${PORT}', '  shutdown_timeout_ms: "${GRACE:-2500}"'), { PORT: '8080' });

    expect(config.server.port).toBe(8080);
    expect(config.server.shutdownTimeoutMs).toBe(2500);
  });

  it('turns a timeout from the environment into a number', () => {
    const config = load(yaml('providers:', '  local:', '    timeout_ms: ${TIMEOUT}'), { TIMEOUT: '30000' });

    expect(config.providers[0].settings.timeout_ms).toBe(30000);
  });

  it.each([
    ['false', false],
    ['true', true],
  ])('turns enabled "%s" from the environment into a boolean', (value, expected) => {
    const config = load(yaml('providers:', '  local:', '    enabled: ${LOCAL_ENABLED}'), { LOCAL_ENABLED: value });

    expect(config.providers[0].enabled).toBe(expected);
    expect(config.providers[0].settings.enabled).toBe(expected);
  });

  it('rejects a port from the environment that is not a number, at the field', () => {
    const error = configError(yaml('server:', '  port: ${PORT}'), { PORT: 'http' });

    expect(error.issues).toEqual([
      { path: 'server.port', message: 'must be a port number from 0 to 65535 (got "http")', line: 2, column: 3 },
    ]);
  });

  it('rejects enabled from the environment that is not true or false', () => {
    const error = configError(yaml('providers:', '  local:', '    enabled: ${LOCAL_ENABLED}'), { LOCAL_ENABLED: 'yes' });

    expect(error.issues).toEqual([
      { path: 'providers.local.enabled', message: 'must be true or false (got "yes")', line: 3, column: 5 },
    ]);
  });

  it('keeps a secret with YAML-special characters intact and the file structure unchanged', () => {
    const secret = `sk-"quoted" 'single' #not-a-comment key: value, [x] {y} & *z |`;
    const config = load(
      yaml('providers:', '  local:', '    api_key: ${SECRET}', '    models: [gpt-4o]', '  other: {}'),
      { SECRET: secret },
    );

    expect(config.providers.map((p) => p.name)).toEqual(['local', 'other']);
    expect(config.providers[0].settings).toEqual({ api_key: secret, models: ['gpt-4o'] });
  });

  it('does not substitute again inside a substituted value', () => {
    const config = load(yaml('providers:', '  local:', '    api_key: ${A}'), { A: 'sk-${B}', B: 'leak' });

    expect(config.providers[0].settings.api_key).toBe('sk-${B}');
  });

  it('ignores ${VAR} in comments', () => {
    const config = load(yaml('# api_key: ${UNSET_IN_COMMENT}', 'providers: # ${ALSO_UNSET}', '  local: {}'));

    expect(config.providers.map((p) => p.name)).toEqual(['local']);
  });
});

describe('mistakes, one at a time', () => {
  interface Case {
    name: string;
    text: string;
    path: string;
    line: number;
    column: number;
    message: string;
  }

  const cases: Case[] = [
    {
      name: 'unknown top-level key, with a suggestion',
      text: yaml('server:', '  port: 9000', 'provider:', '  local: {}'),
      path: 'provider',
      line: 3,
      column: 1,
      message: 'unknown key; did you mean "providers"?',
    },
    {
      name: 'unknown server key, with a suggestion (transposition)',
      text: yaml('server:', '  host: 0.0.0.0', '  prot: 9000'),
      path: 'server.prot',
      line: 3,
      column: 3,
      message: 'unknown key; did you mean "port"?',
    },
    {
      name: 'unknown server key unlike any other, without a suggestion',
      text: yaml('server:', '  colour: red'),
      path: 'server.colour',
      line: 2,
      column: 3,
      message: 'unknown key',
    },
    {
      name: 'schema version other than 1',
      text: yaml('version: 2'),
      path: 'version',
      line: 1,
      column: 1,
      message: 'must be 1 (the only schema version so far) (got 2)',
    },
    {
      name: 'port that is not a number',
      text: yaml('server:', '  port: abc'),
      path: 'server.port',
      line: 2,
      column: 3,
      message: 'must be a port number from 0 to 65535 (got "abc")',
    },
    {
      name: 'port above 65535',
      text: yaml('server:', '  port: 70000'),
      path: 'server.port',
      line: 2,
      column: 3,
      message: 'must be a port number from 0 to 65535 (got 70000)',
    },
    {
      name: 'negative port',
      text: yaml('server:', '  port: -1'),
      path: 'server.port',
      line: 2,
      column: 3,
      message: 'must be a port number from 0 to 65535 (got -1)',
    },
    {
      name: 'fractional port',
      text: yaml('server:', '  port: 80.5'),
      path: 'server.port',
      line: 2,
      column: 3,
      message: 'must be a port number from 0 to 65535 (got 80.5)',
    },
    {
      name: 'empty host',
      text: yaml('server:', '  host: ""'),
      path: 'server.host',
      line: 2,
      column: 3,
      message: 'should not be empty (got "")',
    },
    {
      name: 'negative shutdown timeout',
      text: yaml('server:', '  shutdown_timeout_ms: -1'),
      path: 'server.shutdown_timeout_ms',
      line: 2,
      column: 3,
      message: 'must not be less than 0 (got -1)',
    },
    {
      name: 'SSE keep-alive below 100 ms',
      text: yaml('server:', '  sse_keepalive_ms: 50'),
      path: 'server.sse_keepalive_ms',
      line: 2,
      column: 3,
      message: 'must be at least 100 milliseconds (got 50)',
    },
    {
      name: 'providers that is a string',
      text: yaml('providers: openai'),
      path: 'providers',
      line: 1,
      column: 1,
      message: 'must be a mapping of instance names to provider settings (got "openai")',
    },
    {
      name: 'top level that is a list',
      text: yaml('- server', '- providers'),
      path: '',
      line: 1,
      column: 1,
      message: 'must be a mapping, got a list',
    },
    {
      name: 'instance name containing "/"',
      text: yaml('providers:', '  openai/eu:', '    base_url: https://eu.example.com/v1'),
      path: 'providers.openai/eu',
      line: 2,
      column: 3,
      message: 'instance names may use letters, digits, ".", "_" and "-" (no "/")',
    },
    {
      name: 'instance that is a number',
      text: yaml('providers:', '  local: 5'),
      path: 'providers.local',
      line: 2,
      column: 3,
      message: 'must be a mapping, got a number',
    },
    {
      name: 'instance that is a list',
      text: yaml('providers:', '  local:', '    - base_url: http://x'),
      path: 'providers.local',
      line: 2,
      column: 3,
      message: 'must be a mapping, got a list',
    },
    {
      name: 'type that is not a plugin id',
      text: yaml('providers:', '  local:', '    type: Open_AI'),
      path: 'providers.local.type',
      line: 3,
      column: 5,
      message: 'must be a plugin id such as "openai-compatible" (got "Open_AI")',
    },
    {
      name: 'enabled that is not a boolean',
      text: yaml('providers:', '  local:', '    enabled: yes'),
      path: 'providers.local.enabled',
      line: 3,
      column: 5,
      message: 'must be true or false (got "yes")',
    },
    {
      name: 'timeout_ms of 0',
      text: yaml('providers:', '  local:', '    base_url: http://localhost:8000/v1', '    timeout_ms: 0'),
      path: 'providers.local.timeout_ms',
      line: 4,
      column: 5,
      message: 'must be at least 1 millisecond (got 0)',
    },
    {
      name: 'fractional timeout_ms',
      text: yaml('providers:', '  local:', '    timeout_ms: 1.5'),
      path: 'providers.local.timeout_ms',
      line: 3,
      column: 5,
      message: 'must be a whole number of milliseconds (got 1.5)',
    },
    {
      name: 'models listing the same id twice',
      text: yaml('providers:', '  local:', '    models:', '      - gpt-4o', '      - o3', '      - gpt-4o'),
      path: 'providers.local.models',
      line: 3,
      column: 5,
      message: 'lists a model id twice (got a list)',
    },
    {
      name: 'models listing an empty id',
      text: yaml('providers:', '  local:', '    models: [gpt-4o, ""]'),
      path: 'providers.local.models',
      line: 3,
      column: 5,
      message: 'must not list an empty model id (got a list)',
    },
    {
      name: 'models listing a number',
      text: yaml('providers:', '  local:', '    models: [4]'),
      path: 'providers.local.models',
      line: 3,
      column: 5,
      message: 'must list model ids as strings (got a list)',
    },
    {
      name: 'header with a non-string value',
      text: yaml('providers:', '  local:', '    headers:', '      X-Retries: 3'),
      path: 'providers.local.headers',
      line: 3,
      column: 5,
      message: 'must map header names to string values, e.g. {X-Team: research} (got a mapping)',
    },
    {
      name: 'header name that is not a token',
      text: yaml('providers:', '  local:', '    headers:', '      "X Team": research'),
      path: 'providers.local.headers',
      line: 3,
      column: 5,
      message: 'must map header names to string values, e.g. {X-Team: research} (got a mapping)',
    },
    {
      name: 'base_url that is not a URL',
      text: yaml('providers:', '  local:', '    base_url: localhost:8000'),
      path: 'providers.local.base_url',
      line: 3,
      column: 5,
      message: 'must be an absolute http:// or https:// URL (got "localhost:8000")',
    },
    {
      name: 'base_url with an ftp:// scheme',
      text: yaml('providers:', '  local:', '    base_url: ftp://files.example.com/v1'),
      path: 'providers.local.base_url',
      line: 3,
      column: 5,
      message: 'must be an absolute http:// or https:// URL (got "ftp://files.example.com/v1")',
    },
    {
      name: 'api_key that is not a string',
      text: yaml('providers:', '  local:', '    api_key: 12345'),
      path: 'providers.local.api_key',
      line: 3,
      column: 5,
      message: 'must be a string (write ${NAME} to read it from the environment)',
    },
    {
      name: 'api_keys that is not a list',
      text: yaml('providers:', '  local:', '    api_keys: sk-one'),
      path: 'providers.local.api_keys',
      line: 3,
      column: 5,
      message: 'must be a list of keys, each a string or {key, base_url}',
    },
    {
      name: 'api_keys entry with an empty key',
      text: yaml('providers:', '  local:', '    api_keys:', '      - sk-one', '      - key: ""'),
      path: 'providers.local.api_keys[1].key',
      line: 5,
      column: 9,
      message: 'must be a non-empty string',
    },
    {
      name: 'api_keys entry with an ftp:// base_url',
      text: yaml('providers:', '  local:', '    api_keys:', '      - key: sk-one', '        base_url: ftp://x'),
      path: 'providers.local.api_keys[0].base_url',
      line: 5,
      column: 9,
      message: 'must be an absolute http:// or https:// URL',
    },
    {
      name: 'api_keys entry with an unknown key',
      text: yaml('providers:', '  local:', '    api_keys:', '      - key: sk-one', '        region: eu'),
      path: 'providers.local.api_keys[0].region',
      line: 5,
      column: 9,
      message: 'unknown key',
    },
  ];

  it.each(cases)('$name → $path at line $line', ({ text, path, line, column, message }) => {
    const error = configError(text);

    expect(error.issues).toEqual([{ path, line, column, message }]);
    expect(error.message).toBe(
      `invalid configuration: ${SOURCE} has a problem:\n${reported({ path, line, column, message })}`,
    );
  });

  it.each([
    ['my.local', 'providers.my.local.timeout_ms'],
    ['gpu_box-2', 'providers.gpu_box-2.timeout_ms'],
    ['123', 'providers.123.timeout_ms'],
  ])('accepts the instance name %s and uses it in error paths', (name, path) => {
    const error = configError(yaml('providers:', `  ${name}:`, '    timeout_ms: 0'));

    expect(error.issues).toEqual([{ path, line: 3, column: 5, message: 'must be at least 1 millisecond (got 0)' }]);
  });

  it.each(['-leading-dash', '_leading_underscore', '.hidden', 'with space', 'a/b', 'ключ'])(
    'rejects the instance name %j',
    (name) => {
      const error = configError(yaml('providers:', `  "${name}": {}`));

      expect(error.issues).toEqual([
        {
          path: `providers.${name}`,
          message: 'instance names may use letters, digits, ".", "_" and "-" (no "/")',
          line: 2,
          column: 3,
        },
      ]);
    },
  );
});

describe('YAML that cannot be parsed', () => {
  const SYNTAX = yaml('server:', '  port: [9000', 'providers: {}');
  const DUPLICATE = yaml('server:', '  port: 9000', '  host: 0.0.0.0', '  port: 9001');

  it('reports a syntax error as not valid YAML', () => {
    const error = configError(SYNTAX);

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].path).toBe('');
    expect(error.issues[0].message).toMatch(
      /^not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]/,
    );
  });

  it('reports a duplicate key as not valid YAML', () => {
    const error = configError(DUPLICATE);

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].message).toMatch(/^not valid YAML: Map keys must be unique/);
  });

  it('reports more than one document', () => {
    const error = configError(yaml('server: {}', '---', 'providers: {}'));

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].message).toMatch(/^not valid YAML: Source contains multiple documents/);
  });
});

describe('several mistakes at once', () => {
  it('reports all of them in one ConfigError, each with its own line', () => {
    const text = yaml(
      'server:', //                                  1
      '  port: abc', //                              2
      '  body_limt: 10mb', //                        3
      'provider: {}', //                             4
      'providers:', //                               5
      '  local:', //                                 6
      '    base_url: ftp://x', //                    7
      '    timeout_ms: 0', //                        8
      '  remote:', //                                9
      '    api_key: ${REMOTE_KEY}', //               10
      '  bad/name: {}', //                           11
    );

    const error = configError(text);

    const byPath = (a: ConfigIssue, b: ConfigIssue) => a.path.localeCompare(b.path);
    expect([...error.issues].sort(byPath)).toEqual(
      [
        { path: 'server.port', line: 2, column: 3, message: 'must be a port number from 0 to 65535 (got "abc")' },
        { path: 'server.body_limt', line: 3, column: 3, message: 'unknown key; did you mean "body_limit"?' },
        { path: 'provider', line: 4, column: 1, message: 'unknown key; did you mean "providers"?' },
        {
          path: 'providers.local.base_url',
          line: 7,
          column: 5,
          message: 'must be an absolute http:// or https:// URL (got "ftp://x")',
        },
        { path: 'providers.local.timeout_ms', line: 8, column: 5, message: 'must be at least 1 millisecond (got 0)' },
        {
          path: 'providers.remote.api_key',
          line: 10,
          column: 5,
          message: 'environment variable REMOTE_KEY is not set (write ${REMOTE_KEY:-default} to give a default)',
        },
        {
          path: 'providers.bad/name',
          line: 11,
          column: 3,
          message: 'instance names may use letters, digits, ".", "_" and "-" (no "/")',
        },
      ].sort(byPath),
    );
    expect(error.message.split('\n')[0]).toBe(`invalid configuration: ${SOURCE} has 7 problems:`);
    expect(error.message.split('\n')).toHaveLength(8);
    for (const issue of error.issues) {
      expect(error.message).toContain(reported(issue as Required<ConfigIssue>));
    }
  });

  it('still reports validation problems of an instance whose other field failed substitution', () => {
    const error = configError(yaml('providers:', '  local:', '    api_key: ${UNSET_KEY}', '    timeout_ms: 0'));

    expect(error.issues.map((i) => i.path).sort()).toEqual(['providers.local.api_key', 'providers.local.timeout_ms']);
  });
});

describe('server.body_limit', () => {
  it.each([
    [1048576, 1_048_576],
    ['1048576', 1_048_576],
    ['10mb', 10 * 1024 * 1024],
    ['10 MiB', 10 * 1024 * 1024],
    ['10MB', 10 * 1024 * 1024],
    ['512kb', 512 * 1024],
    ['1.5k', 1536],
    ['1g', 1024 ** 3],
  ])('accepts %j as %d bytes', (value, bytes) => {
    const config = load(yaml('server:', `  body_limit: ${JSON.stringify(value)}`));

    expect(config.server.bodyLimit).toBe(bytes);
  });

  it('reads a size from the environment', () => {
    expect(load(yaml('server:', '  body_limit: ${BODY_LIMIT}'), { BODY_LIMIT: '64mb' }).server.bodyLimit).toBe(
      64 * 1024 * 1024,
    );
  });

  it.each([['lots'], ['10 TB'], ['0'], ['-5mb'], [1.5]])('rejects %j', (value) => {
    const error = configError(yaml('server:', `  body_limit: ${JSON.stringify(value)}`));

    expect(error.issues).toEqual([
      {
        path: 'server.body_limit',
        line: 2,
        column: 3,
        message: `must be a size: a number of bytes, or a string such as "50mb" (got ${JSON.stringify(value)})`,
      },
    ]);
  });

});

describe('api keys are never echoed in errors', () => {
  const SECRET = 'sk-live-DO-NOT-PRINT-1234';

  it.each([
    ['api_key that is a list', yaml('providers:', '  local:', `    api_key: [${SECRET}]`)],
    ['api_key that is a mapping', yaml('providers:', '  local:', `    api_key: {value: ${SECRET}}`)],
    ['api_keys that is a string', yaml('providers:', '  local:', `    api_keys: ${SECRET}`)],
    ['api_keys entry key that is a list', yaml('providers:', '  local:', '    api_keys:', `      - key: [${SECRET}]`)],
    [
      'api_keys entry with a bad base_url',
      yaml('providers:', '  local:', '    api_keys:', `      - key: ${SECRET}`, `        base_url: ftp://${SECRET}`),
    ],
    [
      'api_keys entry with an unknown key',
      yaml('providers:', '  local:', '    api_keys:', `      - key: ${SECRET}`, `        secret: ${SECRET}`),
    ],
    [
      'a valid key beside a broken field',
      yaml('providers:', '  local:', `    api_key: ${SECRET}`, `    api_keys: [${SECRET}, {key: ""}]`, '    timeout_ms: 0'),
    ],
  ])('%s', (_what, text) => {
    const error = configError(text);

    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.issues)).not.toContain(SECRET);
  });

  it('does not echo a key that came from the environment', () => {
    const error = configError(yaml('providers:', '  local:', '    api_keys: ${KEYS}'), { KEYS: SECRET });

    expect(error.issues.map((i) => i.path)).toEqual(['providers.local.api_keys']);
    expect(error.message).not.toContain(SECRET);
  });

  it('does echo a non-secret value, so the redaction is specific to key fields', () => {
    const error = configError(yaml('providers:', '  local:', '    base_url: not-a-url'));

    expect(error.message).toContain('(got "not-a-url")');
  });
});

// Regressions: each test below failed before its fix; the comment above it says what was wrong
// and where (in the past tense of the code it describes).
describe('regressions', () => {
  describe('YAML errors have no line (config.loader.ts)', () => {
    // parseDocument runs with prettyErrors: false, and the yaml library fills error.linePos only
    // when it prettifies, so `line: error.linePos?.[0].line` is always undefined and the user is
    // told "not valid YAML" without where. lineCounter.linePos(error.pos[0]) has the position.
    it.each([
      ['a syntax error', yaml('server:', '  port: [9000', 'providers: {}'), 3, 1],
      ['a duplicate key (at the second occurrence)', yaml('server:', '  port: 9000', '  host: 0.0.0.0', '  port: 9001'), 4, 3],
      ['a tab used as indentation', yaml('providers:', '  local: {}', '\tother: {}'), 3, 1],
    ])('gives the 1-based line and column of %s', (_what, text, line, column) => {
      const error = configError(text);

      expect(error.issues[0]).toMatchObject({ line, column });
      expect(error.message).toContain(`  ${SOURCE}:${line}:${column}: not valid YAML: `);
    });
  });

  describe('one mistake reported more than once (config.loader.ts)', () => {
    // A `server` or `providers` that is not a mapping is rejected by the top-level check and then
    // validated again section by section: the same mistake twice (server), or once more per list
    // item under made-up paths (providers.0, providers.1).
    it.each([
      ['9000', yaml('server: 9000'), 1, 'must be a mapping (host, port, body_limit) (got 9000)'],
      ['a list', yaml('version: 1', 'server: [9000]'), 2, 'must be a mapping (host, port, body_limit) (got a list)'],
    ])('reports a server that is %s once', (_what, text, line, message) => {
      const error = configError(text);

      expect(error.issues).toEqual([{ path: 'server', line, column: 1, message }]);
    });

    it('reports providers written as a list once, without per-item paths', () => {
      const error = configError(yaml('providers:', '  - openai', '  - anthropic'));

      expect(error.issues).toEqual([
        {
          path: 'providers',
          line: 1,
          column: 1,
          message: 'must be a mapping of instance names to provider settings (got a list)',
        },
      ]);
    });

    // When substitution fails the unsubstituted text ("${PORT}") stays in the tree and is
    // validated too: an unset variable in a typed field is reported as unset AND as, e.g.,
    // 'must be a port number from 0 to 65535 (got "${PORT}")'.
    it.each([
      ['server.port', yaml('server:', '  port: ${PORT}'), 2, 3],
      ['providers.local.enabled', yaml('providers:', '  local:', '    enabled: ${LOCAL_ENABLED}'), 3, 5],
      ['providers.local.base_url', yaml('providers:', '  local:', '    base_url: ${LOCAL_URL}'), 3, 5],
    ])('reports an unset variable in %s once', (path, text, line, column) => {
      const error = configError(text);

      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]).toMatchObject({ path, line, column });
      expect(error.issues[0].message).toMatch(/^environment variable \w+ is not set/);
    });

    // api_keys written as one mapping gets the right message plus a second issue from
    // @ValidateNested, at `providers.local.api_keys.undefined`, in class-validator's own words
    // ("an unknown value was passed to the validate function").
    it('reports api_keys written as a single mapping once', () => {
      const error = configError(yaml('providers:', '  local:', '    api_keys:', '      key: sk-one'));

      expect(error.issues).toEqual([
        {
          path: 'providers.local.api_keys',
          line: 3,
          column: 5,
          message: 'must be a list of keys, each a string or {key, base_url}',
        },
      ]);
    });
  });

  describe('a wrong type described by the wrong rule (validate-section.ts, config.schema.ts)', () => {
    // collectIssues keeps only the first failed constraint, and class-validator lists constraints
    // in registration order, which is bottom-up (the decorator written last comes first). So a
    // value of the wrong type is described by the rule meant for a value of the right type:
    // `models: gpt-4o` reads "lists a model id twice".
    it.each([
      [
        'models that is a string, not a list',
        yaml('providers:', '  local:', '    models: gpt-4o'),
        'providers.local.models',
        3,
        5,
        'must be a list of model ids (got "gpt-4o")',
      ],
      [
        'timeout_ms that is not a number',
        yaml('providers:', '  local:', '    timeout_ms: soon'),
        'providers.local.timeout_ms',
        3,
        5,
        'must be a whole number of milliseconds (got "soon")',
      ],
      [
        'sse_keepalive_ms that is not a number',
        yaml('server:', '  sse_keepalive_ms: soon'),
        'server.sse_keepalive_ms',
        2,
        3,
        'must be a whole number of milliseconds (got "soon")',
      ],
    ])('describes %s by its type', (_what, text, path, line, column, message) => {
      const error = configError(text);

      expect(error.issues).toEqual([{ path, line, column, message }]);
    });
  });

  describe('body_limit accepts 0 and negative numbers (config.schema.ts)', () => {
    // body_limit has @IsInt but no minimum. parseByteSize returns undefined for numbers <= 0, the
    // transform then keeps the raw number, and @IsInt accepts it: `body_limit: 0` loads as
    // bodyLimit 0 (and -5 as -5), while the string "0" is rejected.
    it.each([[0], [-5]])('rejects the number %d', (value) => {
      const error = configError(yaml('server:', `  body_limit: ${value}`));

      expect(error.issues).toEqual([
        {
          path: 'server.body_limit',
          line: 2,
          column: 3,
          message: `must be a size: a number of bytes, or a string such as "50mb" (got ${value})`,
        },
      ]);
    });
  });

  describe('an empty server section is rejected (config.loader.ts)', () => {
    // An empty `providers:` and an empty instance mean "nothing set", but an empty `server:`
    // (say, every key under it commented out) fails with "must be a mapping, got null": the
    // loader checks `file.server === undefined` where it means `== null`.
    it('treats a server section with nothing under it as the defaults', () => {
      const config = load(yaml('server:', '  # port: 9000', 'providers:'));

      expect(config.server).toEqual(DEFAULT_SERVER);
    });
  });
});

// Issue 11: whatever is wrong with a file — its syntax, its shape, keys JavaScript treats
// specially, its size — is a ConfigError naming the file (and the place, when there is one),
// never another exception that would print a stack trace or stop a reload.
describe('every fault in a file is a ConfigError', () => {
  it.each([
    // The yaml library notices these at the end of the file, and says so.
    ['an unclosed quote', yaml('server:', '  host: "127.0.0.1', '  port: 9000'), 4, 1, /^not valid YAML: Missing closing "quote/],
    ['a flow mapping that never closes', yaml('providers: {local: {type: x}'), 2, 1, /^not valid YAML: /],
    ['a key without a value indicator', yaml('server:', '  port 9000', '  host: x'), 2, 3, /^not valid YAML: /],
  ])('reports a syntax error (%s) with its line and column', (_what, text, line, column, message) => {
    const error = configError(text);

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: '', line, column, message: expect.stringMatching(message) });
  });

  it.each([
    ['a string', yaml('just some text'), 'must be a mapping, got a string'],
    ['a number', yaml('8018'), 'must be a mapping, got a number'],
    ['true', yaml('true'), 'must be a mapping, got a boolean'],
    ['a list', yaml('- server', '- providers'), 'must be a mapping, got a list'],
  ])('reports a top level that is %s, at line 1', (_what, text, message) => {
    const error = configError(text);

    expect(error.issues).toEqual([{ path: '', line: 1, column: 1, message }]);
  });

  it.each([
    ['constructor', yaml('server:', '  constructor: 1'), 'server.constructor', 2, 3],
    ['__proto__', yaml('server:', '  __proto__: {host: 0.0.0.0}'), 'server.__proto__', 2, 3],
    ['toString', yaml('providers:', '  toString:', '    type: openai-compatible'), 'providers.toString', 2, 3],
    ['constructor in free-form params', yaml('routing:', '  payload:', '    default:', '      - models: ["*"]', '        params: {constructor: 1}'), 'routing.payload.default[0].params.constructor', 5, 18],
  ])('reports the key %s, which JavaScript objects already have, at its line', (key, text, path, line, column) => {
    const error = configError(text);

    expect(error.issues).toEqual([
      { path, line, column, message: `"${key.split(' ')[0]}" cannot be used as a key (it names a built-in of JavaScript objects)` },
    ]);
  });

  it('reports a file too large to be a configuration without reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'byokey-config-'));
    try {
      const file = join(dir, 'providers.yaml');
      writeFileSync(file, '');
      truncateSync(file, MAX_CONFIG_BYTES + 1); // sparse: no disk used

      const error = thrownBy(() => loadGatewayConfig({ file, env: {} }));

      expect(error.issues).toEqual([
        { path: '', message: `cannot read the configuration: the file is ${MAX_CONFIG_BYTES + 1} bytes, more than the ${MAX_CONFIG_BYTES} a configuration may have` },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('auth, admin and usage sections', () => {
  it('defaults: no mode said, no static keys, no admin key, 30 days of usage', () => {
    const config = parseGatewayConfig('', 'test.yaml', {});
    expect([config.access, config.admin, config.usage]).toEqual([{ mode: undefined, keys: [] }, { key: undefined }, { retentionDays: 30 }]);
  });

  it('reads them from the file, keys through ${ENV}', () => {
    const config = parseGatewayConfig(
      'auth:\n  mode: keys\n  keys: ["${TEAM_KEY}"]\nadmin:\n  key: admin-key-0123456789abcdef\nusage:\n  retention_days: 7\n',
      'test.yaml',
      { TEAM_KEY: 'team-key-0123456789abcdef' },
    );
    expect([config.access, config.admin, config.usage]).toEqual([
      { mode: 'keys', keys: ['team-key-0123456789abcdef'] },
      { key: 'admin-key-0123456789abcdef' },
      { retentionDays: 7 },
    ]);
  });

  it('metrics: guarded by default, public when said', () => {
    expect(parseGatewayConfig('', 'test.yaml', {}).metrics).toEqual({ public: false });
    expect(parseGatewayConfig('metrics:\n  public: true\n', 'test.yaml', {}).metrics).toEqual({ public: true });
  });

  it('BYOKEY_ADMIN_KEY wins over admin.key', () => {
    const config = parseGatewayConfig('admin:\n  key: admin-key-0123456789abcdef\n', 'test.yaml', { BYOKEY_ADMIN_KEY: 'env-admin-key-0123456789' });
    expect(config.admin.key).toBe('env-admin-key-0123456789');
  });

  it.each([
    ['auth:\n  mode: closed\n', 'auth.mode'],
    ['auth:\n  keys: [short]\n', 'auth.keys'],
    ['admin:\n  key: short\n', 'admin.key'],
    ['usage:\n  retention_days: 0\n', 'usage.retention_days'],
    ['metrics:\n  public: maybe\n', 'metrics.public'],
  ])('refuses %j at %s', (text, path) => {
    expect(() => parseGatewayConfig(text, 'test.yaml', {})).toThrow(new RegExp(path.replace('.', '\\.')));
  });
});

describe('amp section', () => {
  it('absent: no Amp upstream (its pass-through paths are unknown routes)', () => {
    expect(load('').amp).toBeUndefined();
  });

  it('present, even empty: ampcode.com with the client\'s own credentials', () => {
    expect(load('amp:\n').amp).toEqual({ upstreamUrl: 'https://ampcode.com' });
    expect(load('amp: {}\n').amp).toEqual({ upstreamUrl: 'https://ampcode.com' });
  });

  it('takes an upstream URL (trailing slash dropped) and a key, ${ENV} included', () => {
    expect(load('amp:\n  upstream_url: http://amp.internal:8080/\n  upstream_key: ${AMP_KEY}\n', { AMP_KEY: 'amp-secret' }).amp).toEqual({
      upstreamUrl: 'http://amp.internal:8080',
      upstreamKey: 'amp-secret',
    });
  });

  it('refuses a URL that is not http(s), an unknown key with a suggestion, and a section that is not a mapping', () => {
    expect(configError('amp:\n  upstream_url: ftp://ampcode.com\n').issues).toEqual([
      expect.objectContaining({ path: 'amp.upstream_url', message: expect.stringContaining('http:// or https://') }),
    ]);
    expect(configError('amp:\n  upstream_ur: https://ampcode.com\n').issues).toEqual([
      expect.objectContaining({ path: 'amp.upstream_ur', message: 'unknown key; did you mean "upstream_url"?', line: 2 }),
    ]);
    expect(configError('amp: https://ampcode.com\n').issues).toEqual([expect.objectContaining({ path: 'amp', message: expect.stringContaining('must be a mapping') })]);
    expect(configError('ampp:\n  upstream_key: k\n').issues).toEqual([expect.objectContaining({ path: 'ampp', message: 'unknown key; did you mean "amp"?' })]);
  });
});

describe('store and redis sections', () => {
  it('defaults: the embedded SQLite store, no Redis', () => {
    const config = parseGatewayConfig('', 'test.yaml', {});
    expect(config.store).toEqual({ kind: 'sqlite' });
    expect(config.redis).toBeUndefined();
  });

  it('takes a postgres URL, or a mapping with its schema', () => {
    expect(parseGatewayConfig('store: postgres://gw@db/byokey\n', 'test.yaml', {}).store).toEqual({
      kind: 'postgres',
      url: 'postgres://gw@db/byokey',
      schema: 'byokey',
    });
    expect(parseGatewayConfig('store:\n  url: postgresql://db/x\n  schema: team_a\n', 'test.yaml', {}).store).toEqual({
      kind: 'postgres',
      url: 'postgresql://db/x',
      schema: 'team_a',
    });
    expect(parseGatewayConfig('store: sqlite\n', 'test.yaml', {}).store).toEqual({ kind: 'sqlite' });
  });

  it('BYOKEY_DATABASE_URL and BYOKEY_REDIS_URL win over the file', () => {
    const config = parseGatewayConfig('store: sqlite\nredis:\n  url: redis://a:6379\n  key_prefix: "gw1:"\n', 'test.yaml', {
      BYOKEY_DATABASE_URL: 'postgres://env/db',
      BYOKEY_REDIS_URL: 'redis://env:6380',
    });
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgres://env/db', schema: 'byokey' });
    expect(config.redis).toEqual({ url: 'redis://env:6380', keyPrefix: 'gw1:', limitsOnOutage: 'open' });
  });

  it('takes redis as a URL with the defaults, or a mapping', () => {
    expect(parseGatewayConfig('redis: redis://127.0.0.1:6379\n', 'test.yaml', {}).redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'byokey:',
      limitsOnOutage: 'open',
    });
    expect(parseGatewayConfig('redis:\n  url: redis://r\n  limits_on_outage: closed\n', 'test.yaml', {}).redis?.limitsOnOutage).toBe('closed');
  });

  it('reads drain_grace_ms, and drain_ms as the newer name of shutdown_timeout_ms', () => {
    const config = parseGatewayConfig('server:\n  drain_grace_ms: 3000\n  drain_ms: 20000\n  shutdown_timeout_ms: 5\n', 'test.yaml', {});
    expect([config.server.drainGraceMs, config.server.shutdownTimeoutMs]).toEqual([3000, 20000]);
  });

  it.each([
    ['store: mysql://db\n', 'store'],
    ['store:\n  url: http://db\n', 'store.url'],
    ['store:\n  url: postgres://db\n  schema: "Bad-Name"\n', 'store.schema'],
    ['store: [1]\n', 'store'],
    ['redis: http://r\n', 'redis'],
    ['redis:\n  url: redis://r\n  limits_on_outage: maybe\n', 'redis.limits_on_outage'],
    ['server:\n  drain_grace_ms: -1\n', 'server.drain_grace_ms'],
  ])('refuses %j at %s', (text, path) => {
    expect(() => parseGatewayConfig(text, 'test.yaml', {})).toThrow(new RegExp(`${path.replace('.', '\\.')}:`));
  });
});
