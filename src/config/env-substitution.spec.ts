// Covers env-substitution.ts on its own: substituteEnv (${VAR}, ${VAR:-default}, the $${
// escape, invalid references, unset variables, values that must be copied verbatim) and
// substituteEnvDeep (walks a parsed tree, reports each failing string with its path, leaves
// non-strings and the input alone).
import { SubstitutionError, substituteEnv, substituteEnvDeep } from './env-substitution';

describe('substituteEnv', () => {
  const env: NodeJS.ProcessEnv = {
    HOST: 'llm.example.com',
    PORT: '8443',
    EMPTY: '',
    KEY: 'sk-abc',
    _UNDERSCORE_1: 'u1',
  };

  it.each([
    ['plain text', 'https://api.openai.com/v1', 'https://api.openai.com/v1'],
    ['a set variable', '${KEY}', 'sk-abc'],
    ['a variable inside a URL', 'https://${HOST}:${PORT}/v1', 'https://llm.example.com:8443/v1'],
    ['two variables side by side', '${HOST}${PORT}', 'llm.example.com8443'],
    ['a name with underscores and digits', '${_UNDERSCORE_1}', 'u1'],
    ['a set but empty variable', 'x${EMPTY}y', 'xy'],
    ['a default for an unset variable', '${MISSING:-fallback}', 'fallback'],
    ['a default for an empty variable', '${EMPTY:-fallback}', 'fallback'],
    ['a set variable with a default', '${KEY:-fallback}', 'sk-abc'],
    ['an empty default', '[${MISSING:-}]', '[]'],
    ['a default containing ":-"', '${MISSING:-a:-b}', 'a:-b'],
    ['a default that is a URL', '${MISSING:-http://localhost:11434/v1}', 'http://localhost:11434/v1'],
    ['a default with spaces', '${MISSING:-two words}', 'two words'],
    ['$${ as a literal ${', '$${KEY}', '${KEY}'],
    ['$${ next to a real reference', '$${KEY} is ${KEY}', '${KEY} is sk-abc'],
    ['a lone $', 'costs $5', 'costs $5'],
    ['$NAME without braces', '$KEY', '$KEY'],
  ])('%s', (_what, input, expected) => {
    expect(substituteEnv(input, env)).toBe(expected);
  });

  it('copies a value verbatim, including $& and $1 (no replacement patterns)', () => {
    expect(substituteEnv('${V}', { V: "p$&s$1$$'`" })).toBe("p$&s$1$$'`");
  });

  it('does not substitute inside a substituted value', () => {
    expect(substituteEnv('${A}', { A: '${B}', B: 'nested' })).toBe('${B}');
  });

  it('reads only the env it is given, not process.env', () => {
    expect(process.env.PATH).toBeDefined();
    expect(() => substituteEnv('${PATH}', {})).toThrow('environment variable PATH is not set');
  });

  it('reports an unset variable with its name and how to give a default', () => {
    expect(() => substituteEnv('Bearer ${API_TOKEN}', env)).toThrow(
      new SubstitutionError('environment variable API_TOKEN is not set (write ${API_TOKEN:-default} to give a default)'),
    );
  });

  it('reports the first unset variable of a string', () => {
    expect(() => substituteEnv('${FIRST}${SECOND}', {})).toThrow('environment variable FIRST is not set');
  });

  it.each([
    ['${1X}', '1X'],
    ['${}', ''],
    ['${MY VAR}', 'MY VAR'],
    ['${A-B}', 'A-B'],
    ['${:-default}', ':-default'],
    ['${ KEY}', ' KEY'],
    ['${KEY:default}', 'KEY:default'],
  ])('rejects the reference %s', (input, inner) => {
    let error: unknown;
    try {
      substituteEnv(`x${input}y`, env);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(SubstitutionError);
    expect((error as Error).message).toBe(
      `"\${${inner}}" is not a valid variable reference (expected \${NAME} or \${NAME:-default})`,
    );
  });
});

describe('substituteEnvDeep', () => {
  it('substitutes strings at every depth and leaves other values as they are', () => {
    const tree = {
      server: { port: '${PORT}', host: 'localhost', tls: false, limit: 10 },
      providers: { local: { models: ['a', '${MODEL}'], headers: { 'X-K': '${KEY}' }, nothing: null } },
    };
    const onError = jest.fn();

    const out = substituteEnvDeep(tree, { PORT: '9000', MODEL: 'gpt-4o', KEY: 'k' }, onError);

    expect(out).toEqual({
      server: { port: '9000', host: 'localhost', tls: false, limit: 10 },
      providers: { local: { models: ['a', 'gpt-4o'], headers: { 'X-K': 'k' }, nothing: null } },
    });
    expect(onError).not.toHaveBeenCalled();
  });

  it('does not change the tree it is given', () => {
    const tree = { a: { b: ['${X}'] } };

    substituteEnvDeep(tree, { X: 'y' }, () => undefined);

    expect(tree).toEqual({ a: { b: ['${X}'] } });
  });

  it('reports every failing string with its path and keeps the original text there', () => {
    const tree = {
      providers: { openai: { api_key: '${OPENAI_KEY}', models: ['ok', '${1BAD}'] } },
      top: '${ALSO_MISSING}',
    };
    const errors: [(string | number)[], string][] = [];

    const out = substituteEnvDeep(tree, {}, (path, message) => errors.push([path, message]));

    expect(errors).toEqual([
      [
        ['providers', 'openai', 'api_key'],
        'environment variable OPENAI_KEY is not set (write ${OPENAI_KEY:-default} to give a default)',
      ],
      [
        ['providers', 'openai', 'models', 1],
        '"${1BAD}" is not a valid variable reference (expected ${NAME} or ${NAME:-default})',
      ],
      [['top'], 'environment variable ALSO_MISSING is not set (write ${ALSO_MISSING:-default} to give a default)'],
    ]);
    expect(out).toEqual(tree);
  });

  it('starts paths from the given prefix', () => {
    const onError = jest.fn();

    substituteEnvDeep(['${NOPE}'], {}, onError, ['providers', 'x', 'models']);

    expect(onError).toHaveBeenCalledWith(['providers', 'x', 'models', 0], expect.stringContaining('NOPE'));
  });

  it('handles a bare string at the root', () => {
    expect(substituteEnvDeep('${A}-${B:-b}', { A: 'a' }, () => undefined)).toBe('a-b');
  });
});
