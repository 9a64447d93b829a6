// Covers validate-section.ts directly: validateSection (mapping check, unknown keys with
// "did you mean", one message per field, class-validator's property prefix removed, the
// "(got ...)" echo and its redaction for key/secret/token/password paths, long values cut),
// knownKeys, issueAt and formatPath.
import { Transform } from 'class-transformer';
import { IsOptional, IsString } from 'class-validator';
import { ApiKeyEntryDto, GatewayConfigFileDto, ProviderInstanceConfigDto, ServerConfigDto } from './config.schema';
import { formatPath, issueAt, knownKeys, validateSection, type Locator } from './validate-section';

/** A locator that "finds" every path on a line equal to its length, so tests can see which path was asked. */
const byDepth: Locator = (path) => ({ line: path.length, column: 1 });
const nowhere: Locator = () => undefined;

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['server'], 'server'],
    [['server', 'port'], 'server.port'],
    [['providers', 'local', 'models', 2], 'providers.local.models[2]'],
    [['providers', 'local', 'api_keys', 0, 'key'], 'providers.local.api_keys[0].key'],
    [[0], '[0]'],
    [['a', 0, 1], 'a[0][1]'],
  ])('%j → %j', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe('issueAt', () => {
  it('adds the line and column the locator finds for the path', () => {
    const locate = jest.fn<ReturnType<Locator>, Parameters<Locator>>(() => ({ line: 12, column: 7 }));

    expect(issueAt(['providers', 'x', 'api_keys', 1], 'bad', locate)).toEqual({
      path: 'providers.x.api_keys[1]',
      message: 'bad',
      line: 12,
      column: 7,
    });
    expect(locate).toHaveBeenCalledWith(['providers', 'x', 'api_keys', 1]);
  });

  it('leaves the position out when the locator finds nothing', () => {
    const issue = issueAt(['server', 'port'], 'bad', nowhere);

    expect(issue).toStrictEqual({ path: 'server.port', message: 'bad' });
    expect(Object.keys(issue)).toEqual(['path', 'message']);
  });
});

describe('knownKeys', () => {
  it.each([
    [ServerConfigDto, ['body_limit', 'drain_grace_ms', 'drain_ms', 'host', 'port', 'shutdown_timeout_ms', 'sse_keepalive_ms']],
    [
      ProviderInstanceConfigDto,
      ['accounts', 'api_key', 'api_keys', 'base_url', 'cooldown_ms', 'enabled', 'excluded_models', 'headers', 'models', 'oauth', 'proxy_url', 'strategy', 'timeout_ms', 'timeouts', 'type'],
    ],
    [ApiKeyEntryDto, ['base_url', 'key']],
    [GatewayConfigFileDto, ['admin', 'amp', 'auth', 'metrics', 'providers', 'proxy_url', 'redis', 'routing', 'server', 'store', 'usage', 'version']],
  ])('lists the keys of %p once each', (cls, keys) => {
    const known = knownKeys(cls);

    expect([...known].sort()).toEqual(keys);
    expect(new Set(known).size).toBe(known.length);
  });
});

describe('validateSection', () => {
  it('returns a typed instance and no issues for a valid section', () => {
    const result = validateSection(ServerConfigDto, { host: '::1', port: '9000', body_limit: '1mb' }, ['server'], byDepth);

    expect(result.issues).toEqual([]);
    expect(result.value).toBeInstanceOf(ServerConfigDto);
    expect(result.value).toEqual({ host: '::1', port: 9000, body_limit: 1024 * 1024 });
  });

  it.each([
    // Only the kind of value is named: a provider written as `openai: sk-...` holds a secret.
    [null, 'nothing'],
    [5, 'a number'],
    ['text', 'a string'],
    [true, 'a boolean'],
    [[1, 2], 'a list'],
  ])('rejects %j as not a mapping', (raw, described) => {
    const result = validateSection(ServerConfigDto, raw, ['server'], byDepth);

    expect(result.value).toBeUndefined();
    expect(result.issues).toEqual([{ path: 'server', message: `must be a mapping, got ${described}`, line: 1, column: 1 }]);
  });

  it('reports an unknown key at its own path, with the nearest known key', () => {
    const result = validateSection(ServerConfigDto, { prot: 1, listen: 2 }, ['server'], byDepth);

    expect(result.issues).toEqual([
      { path: 'server.prot', message: 'unknown key; did you mean "port"?', line: 2, column: 1 },
      { path: 'server.listen', message: 'unknown key', line: 2, column: 1 },
    ]);
  });

  it('suggests keys of the nested class for an unknown key inside a list entry', () => {
    const result = validateSection(
      ProviderInstanceConfigDto,
      { api_keys: [{ key: 'k', base_ur: 'http://x' }] },
      ['providers', 'p'],
      byDepth,
    );

    expect(result.issues).toEqual([
      { path: 'providers.p.api_keys[0].base_ur', message: 'unknown key; did you mean "base_url"?', line: 5, column: 1 },
    ]);
  });

  it('reports one message per field and drops the property name class-validator puts first', () => {
    const result = validateSection(ServerConfigDto, { host: '' }, ['server'], byDepth);

    expect(result.issues).toEqual([{ path: 'server.host', message: 'should not be empty (got "")', line: 2, column: 1 }]);
  });

  it.each([
    [true, 'true'],
    [{ a: 1 }, 'a mapping'],
    [[1], 'a list'],
    [12.5, '12.5'],
  ])('describes the value %j it got as %s', (port, described) => {
    const result = validateSection(ServerConfigDto, { port }, ['server'], nowhere);

    expect(result.issues).toEqual([
      { path: 'server.port', message: `must be a port number from 0 to 65535 (got ${described})` },
    ]);
  });

  it('cuts a long value to 60 characters', () => {
    const result = validateSection(ServerConfigDto, { port: 'x'.repeat(100) }, ['server'], nowhere);

    expect(result.issues[0].message).toBe(`must be a port number from 0 to 65535 (got "${'x'.repeat(56)}...)`);
  });

  it('does not cut a value of exactly 60 characters', () => {
    const value = 'y'.repeat(58); // 60 with its quotes
    const result = validateSection(ServerConfigDto, { port: value }, ['server'], nowhere);

    expect(result.issues[0].message).toBe(`must be a port number from 0 to 65535 (got "${value}")`);
  });

  describe('secret redaction', () => {
    const SECRET = 'sk-very-secret-value';

    it.each([
      ['api_key', ['providers', 'p'], { api_key: [SECRET] }, 'providers.p.api_key'],
      ['api_keys', ['providers', 'p'], { api_keys: SECRET }, 'providers.p.api_keys'],
      ['api_keys[0].key', ['providers', 'p'], { api_keys: [{ key: [SECRET] }] }, 'providers.p.api_keys[0].key'],
      [
        'api_keys[0].base_url',
        ['providers', 'p'],
        { api_keys: [{ key: 'k', base_url: `ftp://${SECRET}` }] },
        'providers.p.api_keys[0].base_url',
      ],
      ['an instance named like a token', ['providers', 'token-pool'], { base_url: SECRET }, 'providers.token-pool.base_url'],
      ['an instance named like a password', ['providers', 'PASSWORD'], { base_url: SECRET }, 'providers.PASSWORD.base_url'],
      ['an instance named like a secret', ['providers', 'my-secrets'], { base_url: SECRET }, 'providers.my-secrets.base_url'],
    ])('does not echo the value under %s', (_where, path, raw, issuePath) => {
      const result = validateSection(ProviderInstanceConfigDto, raw, path, nowhere);

      expect(result.issues).toHaveLength(1);
      expect(result.issues[0].path).toBe(issuePath);
      expect(result.issues[0].message).not.toContain(SECRET);
      expect(result.issues[0].message).not.toContain('(got');
    });

    it('echoes the value of an ordinary field', () => {
      const result = validateSection(ProviderInstanceConfigDto, { base_url: 'mailto:x' }, ['providers', 'p'], nowhere);

      expect(result.issues).toEqual([
        { path: 'providers.p.base_url', message: 'must be an absolute http:// or https:// URL (got "mailto:x")' },
      ]);
    });
  });
});

describe('validateSection with a schema that throws', () => {
  // A plugin's settings class is code byokey does not control; a transform or rule that throws
  // on an odd value must become a problem with that part of the file, not an exception.
  class ExplodingSettingsDto extends ProviderInstanceConfigDto {
    @IsOptional()
    @Transform(({ value }) => {
      if (value === 'boom') throw new TypeError('cannot read properties of undefined (reading "mode")');
      return value;
    })
    @IsString()
    mode?: string;
  }

  it('reports the exception as an issue at the section, with no value', () => {
    const result = validateSection(ExplodingSettingsDto, { mode: 'boom' }, ['providers', 'local'], byDepth);

    expect(result.value).toBeUndefined();
    expect(result.issues).toEqual([
      { path: 'providers.local', line: 2, column: 1, message: 'cannot be checked: cannot read properties of undefined (reading "mode")' },
    ]);
  });

  it('validates normally when nothing throws', () => {
    const result = validateSection(ExplodingSettingsDto, { mode: 'calm' }, ['providers', 'local'], byDepth);

    expect(result.issues).toEqual([]);
    expect(result.value?.mode).toBe('calm');
  });
});
