// Covers yaml-limits.ts through the loader, as a user meets it: ordinary alias reuse (a few
// hundred aliases) loads; a billion-laughs file, too many aliases, an alias looping into its own
// anchor, an alias without anchor and collections nested thousands deep are each one ConfigError
// with the file, line and column — quickly, without expanding anything.
import { parseGatewayConfig } from './config.loader';
import { ConfigError } from './config-error';
import { MAX_ALIASES, MAX_ALIAS_VALUES, MAX_NESTING } from './yaml-limits';

const SOURCE = '/srv/byokey/providers.yaml';

/** The ConfigError a text produces; fails the test when it loads or throws something else. */
function configError(text: string): ConfigError {
  try {
    parseGatewayConfig(text, SOURCE, {});
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the file loaded');
}

/** Runs a call and returns how long it took, in milliseconds. */
function timed(call: () => void): number {
  const start = process.hrtime.bigint();
  call();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `count` openai-compatible instances; the first defines `headers: &shared`, the rest alias it. */
function sharedHeaders(count: number): string {
  const lines = ['providers:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  local-${i}:`, '    type: openai-compatible', `    base_url: http://127.0.0.1:${9000 + i}/v1`);
    lines.push(i === 0 ? '    headers: &shared {X-Team: research, X-Cost-Center: "42"}' : '    headers: *shared');
  }
  return lines.join('\n') + '\n';
}

/** The classic: nine levels of nine aliases each, 9^9 (387 million) strings once expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  '',
].join('\n');

describe('aliases', () => {
  it('loads a file with a few hundred aliases, each instance getting the shared value', () => {
    const config = parseGatewayConfig(sharedHeaders(300), SOURCE, {});

    expect(config.providers).toHaveLength(300);
    expect(config.providers[299].name).toBe('local-299');
    expect(config.providers[299].settings.headers).toEqual({ 'X-Team': 'research', 'X-Cost-Center': '42' });
    expect(config.providers[0].settings.headers).toEqual(config.providers[299].settings.headers);
  });

  it('loads a shared list reused until it adds just under the limit', () => {
    // One list of 999 model ids (1,000 values with the list itself), aliased 99 times.
    const models = `[${Array.from({ length: 999 }, (_, i) => `m${i}`).join(', ')}]`;
    const lines = ['providers:'];
    for (let i = 0; i < 100; i++) {
      lines.push(`  p${i}:`, '    type: openai-compatible', `    models: ${i === 0 ? `&models ${models}` : '*models'}`);
    }
    expect(99 * 1000).toBeLessThanOrEqual(MAX_ALIAS_VALUES);

    const config = parseGatewayConfig(lines.join('\n') + '\n', SOURCE, {});

    expect(config.providers[99].settings.models).toHaveLength(999);
    expect(config.providers[99].settings.models?.[998]).toBe('m998');
  });

  it('rejects a billion-laughs file quickly, at the alias where it grows too big', () => {
    let error: ConfigError | undefined;
    const ms = timed(() => {
      error = configError(BILLION_LAUGHS);
    });

    expect(error!.issues).toEqual([
      {
        path: '',
        line: 6,
        column: 8,
        message: `YAML aliases expand too much: to more than ${MAX_ALIAS_VALUES} values by here (an alias bomb such as "billion laughs"?)`,
      },
    ]);
    expect(error!.message).toBe(
      `invalid configuration: ${SOURCE} has a problem:\n  ${SOURCE}:6:8: YAML aliases expand too much: to more than 100000 values by here (an alias bomb such as "billion laughs"?)`,
    );
    expect(ms).toBeLessThan(1000);
  });

  it('rejects a wide bomb: one long list aliased a few hundred times', () => {
    const list = `[${Array(2000).fill('x').join(',')}]`;
    const text = `a: &a ${list}\nb: [${Array(300).fill('*a').join(', ')}]\n`;

    const error = configError(text);

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ line: 2, message: expect.stringMatching(/^YAML aliases expand too much/) });
  });

  it(`rejects more than ${MAX_ALIASES} aliases, however small`, () => {
    const text = `providers:\n  local:\n    type: openai-compatible\n    models: [&m m1, ${Array(MAX_ALIASES + 1).fill('*m').join(', ')}]\n`;

    const error = configError(text);

    expect(error.issues).toEqual([
      {
        path: '',
        line: 4,
        column: expect.any(Number),
        message: `too many YAML aliases: more than ${MAX_ALIASES} (a configuration needs far fewer; is this an alias bomb?)`,
      },
    ]);
  });

  it('rejects an alias inside the collection it refers to', () => {
    const error = configError('providers:\n  local: &loop\n    type: openai-compatible\n    headers: *loop\n');

    expect(error.issues).toEqual([
      { path: '', line: 4, column: 14, message: 'alias *loop is inside the collection it refers to, so it never ends' },
    ]);
  });

  it('rejects an alias whose anchor comes later or not at all', () => {
    const error = configError('providers:\n  local:\n    type: openai-compatible\n    headers: *shared\n  other:\n    headers: &shared {}\n');

    expect(error.issues).toEqual([
      { path: '', line: 4, column: 14, message: 'alias *shared has no anchor &shared before it' },
    ]);
  });
});

describe('nesting', () => {
  it(`loads collections nested a few dozen levels deep (in a payload rule's params)`, () => {
    const deep = '{a: '.repeat(40) + '1' + '}'.repeat(40);
    const text = `routing:\n  payload:\n    default:\n      - models: ["*"]\n        params: {x: ${deep}}\n`;

    const config = parseGatewayConfig(text, SOURCE, {});

    let value: unknown = config.routing.payload.default[0].params.x;
    for (let i = 0; i < 40; i++) value = (value as { a: unknown }).a;
    expect(value).toBe(1);
  });

  it.each([
    ['flow', (n: number) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`, 1],
    ['block', (n: number) => `a:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x\n`, undefined],
  ])('rejects %s collections nested thousands deep, every time it is asked', (_kind, text, line) => {
    // Parsed repeatedly, as hot reload would: the yaml composer overflowing its stack more than
    // once used to abort the whole process (a V8 fatal error, not an exception).
    for (let attempt = 0; attempt < 5; attempt++) {
      const error = configError(text(5000));
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0].message).toBe(`collections are nested more than ${MAX_NESTING} levels deep`);
      if (line !== undefined) expect(error.issues[0].line).toBe(line);
      expect(error.issues[0].column).toEqual(expect.any(Number));
    }
  });
});
