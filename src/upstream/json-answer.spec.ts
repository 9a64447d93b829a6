// readJsonAnswer: the raw text kept byte for byte, the parse done lazily and once, and a body
// that is not JSON rejected before it can reach a client.
import { UpstreamError } from './upstream-error';
import { looksLikeJsonObject, readJsonAnswer } from './json-answer';

function protocolError(run: () => unknown): UpstreamError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}

describe('readJsonAnswer', () => {
  it('keeps the text exactly as it came, whitespace and key order included', () => {
    const text = '\n{ "z": 1,\n  "a": "é"  }\r\n';
    expect(readJsonAnswer(text, 'up').raw).toBe(text);
  });

  it('does not parse an object-looking body until asked, then parses it once', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const answer = readJsonAnswer('{"a":[1,2]}', 'up');
      expect(parse).not.toHaveBeenCalled();
      const first = answer.parsed();
      expect(first).toEqual({ a: [1, 2] });
      expect(answer.parsed()).toBe(first);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it.each([
    ['HTML', '<html>captive portal</html>'],
    ['an empty body', ''],
    ['whitespace', ' \n '],
    ['a truncated object', '{"id":"x","choices":['],
    ['plain text', 'Internal Server Error'],
  ])('rejects %s at once, as a protocol failure naming the instance', (_case, text) => {
    const error = protocolError(() => readJsonAnswer(text, 'local'));
    expect([error.failure, error.instance, error.message]).toEqual(['protocol', 'local', 'upstream local answered with a body that is not JSON']);
  });

  it('accepts JSON that is not an object (parsed at once, since the cheap check could not vouch for it)', () => {
    expect(readJsonAnswer('[1]', 'up').parsed()).toEqual([1]);
    expect(readJsonAnswer(' "overloaded" ', 'up').parsed()).toBe('overloaded');
  });

  it('throws the protocol error from parsed() when an object-looking body is not JSON after all', () => {
    const answer = readJsonAnswer('{"a": nope}', 'local');
    expect(answer.raw).toBe('{"a": nope}');
    const error = protocolError(() => answer.parsed());
    expect([error.failure, error.instance]).toEqual(['protocol', 'local']);
  });
});

describe('looksLikeJsonObject', () => {
  it.each([
    ['{}', true],
    [' \t\r\n{"a":1}\n', true],
    ['{', false],
    ['}', false],
    ['[{}]', false],
    ['\u00a0{}', false],
    ['\ufeff{}', false],
    ['{} x', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeJsonObject(text)).toBe(expected);
  });
});
