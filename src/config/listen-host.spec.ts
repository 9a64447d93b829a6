// Covers listen-host.ts and `server.host` in providers.yaml: host names, IPv4 and IPv6 literals
// pass; bytes that are not UTF-8 (read from a real file), control characters, spaces, a URL, a
// port, brackets and other text are each one clear ConfigError at the field's line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadGatewayConfig, parseGatewayConfig } from './config.loader';
import { listenHostProblem } from './listen-host';

describe('listenHostProblem', () => {
  it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'fe80::1%eth0', '2001:db8::8a2e:370:7334', 'localhost', 'gateway.internal', 'byokey_api', 'a-b.example.com.'])(
    'accepts %j',
    (host) => {
      expect(listenHostProblem(host)).toBeUndefined();
    },
  );

  it.each([
    ['ab\uFFFD\uFFFDcd', 'contains bytes that are not valid UTF-8'],
    ['local\u0000host', 'contains a control character'],
    ['localhost\n', 'contains a control character'],
    ['local host', 'contains a space'],
    ['', 'must not be empty'],
    ['http://0.0.0.0', 'must be a host name or address, not a URL (leave out the scheme, e.g. "http://")'],
    ['127.0.0.1:8018', 'must not include a port (set server.port or --port)'],
    ['localhost:8018', 'must not include a port (set server.port or --port)'],
    ['[::1]:8018', 'must not include a port (set server.port or --port)'],
    ['[::1]', 'must be an IPv6 address without brackets'],
    ['bücher.example', 'must be a host name, an IPv4 address or an IPv6 address (e.g. localhost, 127.0.0.1, ::1)'],
    ['-leading.example', 'must be a host name, an IPv4 address or an IPv6 address (e.g. localhost, 127.0.0.1, ::1)'],
    ['a..b', 'must be a host name, an IPv4 address or an IPv6 address (e.g. localhost, 127.0.0.1, ::1)'],
    [`${'a'.repeat(64)}.example`, 'must be a host name, an IPv4 address or an IPv6 address (e.g. localhost, 127.0.0.1, ::1)'],
  ])('rejects %j: %s', (host, problem) => {
    expect(listenHostProblem(host)).toBe(problem);
  });
});

describe('server.host in providers.yaml', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'byokey-host-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a host whose bytes are not UTF-8 at its line, as a ConfigError', () => {
    const file = join(dir, 'providers.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from('server:\n  host: "ab'), Buffer.from([0xff, 0xfe]), Buffer.from('cd"\n  port: 0\n')]));

    let error: unknown;
    try {
      loadGatewayConfig({ file, env: {} });
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { path: 'server.host', line: 2, column: 3, message: 'contains bytes that are not valid UTF-8 (got "ab\uFFFD\uFFFDcd")' },
    ]);
  });

  it.each([
    ['"http://0.0.0.0:8018"', 'must be a host name or address, not a URL (leave out the scheme, e.g. "http://") (got "http://0.0.0.0:8018")'],
    ['"0.0.0.0:8018"', 'must not include a port (set server.port or --port) (got "0.0.0.0:8018")'],
    ['"tab\\there"', 'contains a control character (got "tab\\there")'],
    ['"two words"', 'contains a space (got "two words")'],
  ])('reports host %s at its line', (value, message) => {
    let error: unknown;
    try {
      parseGatewayConfig(`server:\n  port: 8018\n  host: ${value}\n`, 'providers.yaml', {});
    } catch (thrown) {
      error = thrown;
    }

    expect((error as ConfigError).issues).toEqual([{ path: 'server.host', line: 3, column: 3, message }]);
  });

  it('keeps a valid IPv6 host', () => {
    expect(parseGatewayConfig('server:\n  host: "::1"\n', 'providers.yaml', {}).server.host).toBe('::1');
  });
});
