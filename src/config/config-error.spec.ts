// Covers config-error.ts: what a ConfigError carries (source, issues) and the message a user
// reads — one line per issue as `<file>:<line>:<col>: <path>: <message>`, with the position
// or path left out when there is none, and "a problem" / "N problems" in the heading.
import { ConfigError } from './config-error';

describe('ConfigError', () => {
  it('is an Error named ConfigError that keeps its source and issues', () => {
    const issues = [{ path: 'server.port', message: 'must be a port number from 0 to 65535 (got 70000)', line: 2, column: 3 }];

    const error = new ConfigError('providers.yaml', issues);

    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.source).toBe('providers.yaml');
    expect(error.issues).toBe(issues);
  });

  it('formats one issue with file, line, column and path', () => {
    const error = new ConfigError('/etc/byokey/providers.yaml', [
      { path: 'providers.local.timeout_ms', message: 'must be at least 1 millisecond (got 0)', line: 7, column: 5 },
    ]);

    expect(error.message).toBe(
      'invalid configuration: /etc/byokey/providers.yaml has a problem:\n' +
        '  /etc/byokey/providers.yaml:7:5: providers.local.timeout_ms: must be at least 1 millisecond (got 0)',
    );
  });

  it.each([
    [
      'a line without a column (column 1)',
      { path: 'server', message: 'must be a mapping', line: 4 },
      '  p.yaml:4:1: server: must be a mapping',
    ],
    [
      'no position (just the file)',
      { path: 'server.port', message: 'bad' },
      '  p.yaml: server.port: bad',
    ],
    [
      'no path (the file as a whole)',
      { path: '', message: 'not valid YAML: Map keys must be unique', line: 3, column: 3 },
      '  p.yaml:3:3: not valid YAML: Map keys must be unique',
    ],
    [
      'neither path nor position',
      { path: '', message: 'cannot read the configuration: file not found' },
      '  p.yaml: cannot read the configuration: file not found',
    ],
  ])('formats an issue with %s', (_what, issue, line) => {
    expect(new ConfigError('p.yaml', [issue]).message).toBe(`invalid configuration: p.yaml has a problem:\n${line}`);
  });

  it('lists several issues in the order given, under a count', () => {
    const error = new ConfigError('p.yaml', [
      { path: 'provider', message: 'unknown key; did you mean "providers"?', line: 9, column: 1 },
      { path: 'server.port', message: 'must be a port number from 0 to 65535 (got "abc")', line: 2, column: 3 },
      { path: '', message: 'something about the whole file' },
    ]);

    expect(error.message.split('\n')).toEqual([
      'invalid configuration: p.yaml has 3 problems:',
      '  p.yaml:9:1: provider: unknown key; did you mean "providers"?',
      '  p.yaml:2:3: server.port: must be a port number from 0 to 65535 (got "abc")',
      '  p.yaml: something about the whole file',
    ]);
  });

  it('says "2 problems" for two', () => {
    const error = new ConfigError('built-in defaults', [
      { path: 'a', message: 'x' },
      { path: 'b', message: 'y' },
    ]);

    expect(error.message.split('\n')[0]).toBe('invalid configuration: built-in defaults has 2 problems:');
  });
});
