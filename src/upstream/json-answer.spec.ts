// readJsonAnswer: the raw text kept byte for byte, the parse done at once and kept, and a body
// that is not a JSON object rejected before it can reach a client.
import { UpstreamError } from './upstream-error';
import { readJsonAnswer } from './json-answer';

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

  it('parses once and hands out the same object every time', () => {
    const answer = readJsonAnswer('{"a":[1,2]}', 'up');
    const first = answer.parsed();
    expect(first).toEqual({ a: [1, 2] });
    expect(answer.parsed()).toBe(first);
  });

  it.each([
    ['HTML', '<html>captive portal</html>'],
    ['an empty body', ''],
    ['whitespace', ' \n '],
    ['a truncated object', '{"id":"x","choices":['],
    ['plain text', 'Internal Server Error'],
    ['an object-shaped body that is not JSON', '{this is not json}'],
    ['a bad value inside braces', '{"a": nope}'],
  ])('rejects %s at once, as a protocol failure naming the instance', (_case, text) => {
    const error = protocolError(() => readJsonAnswer(text, 'local'));
    expect([error.failure, error.instance, error.message]).toEqual(['protocol', 'local', 'upstream local sent a body that is not JSON']);
  });

  it.each([
    ['an array', '[1]'],
    ['a string', ' "overloaded" '],
    ['null', 'null'],
    ['a number', '42'],
  ])('rejects JSON that is not an object (%s): no API answers a 200 with one', (_case, text) => {
    const error = protocolError(() => readJsonAnswer(text, 'local'));
    expect([error.failure, error.message]).toEqual(['protocol', 'upstream local sent a body that is not a JSON object']);
  });
});
