// Upstream JSON that is not JSON (or not an object where one is due) fails as a protocol error
// naming the upstream and what it sent.
import { parseUpstreamJson, parseUpstreamObject } from './parse-upstream-json';
import { UpstreamError } from './upstream-error';

function failure(read: () => unknown): UpstreamError {
  try {
    read();
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error('expected an UpstreamError');
}

describe('parseUpstreamJson', () => {
  it('parses any JSON value', () => {
    expect(parseUpstreamJson('{"type":"ping"}', 'claude', 'an event')).toEqual({ type: 'ping' });
    expect(parseUpstreamJson('[1]', 'claude', 'an event')).toEqual([1]);
  });

  it.each(['<html>portal</html>', '{"type":"message_start"', ''])('fails %j as a protocol error naming the upstream and what it sent', (text) => {
    const error = failure(() => parseUpstreamJson(text, 'codex', 'a websocket frame'));
    expect([error.failure, error.instance, error.message]).toEqual(['protocol', 'codex', 'upstream codex sent a websocket frame that is not JSON']);
  });
});

describe('parseUpstreamObject', () => {
  it('parses an object', () => {
    expect(parseUpstreamObject('{"a":1}', 'local', 'a body')).toEqual({ a: 1 });
  });

  it.each(['null', '[]', '"text"', '42'])('fails JSON that is not an object (%s)', (text) => {
    const error = failure(() => parseUpstreamObject(text, 'local', 'a stream chunk'));
    expect([error.failure, error.message]).toEqual(['protocol', 'upstream local sent a stream chunk that is not a JSON object']);
  });

  it('fails text that is not JSON with the not-JSON message', () => {
    expect(failure(() => parseUpstreamObject('{oops}', 'local', 'a body')).message).toBe('upstream local sent a body that is not JSON');
  });
});
