// Upstream JSON that is not JSON (or not an object where one is due) fails as a protocol error
// naming the upstream and what it sent.
import { parseUpstreamJson, parseUpstreamObject } from './parse-upstream-json';

/** A protocol UpstreamError with this message. */
const protocolError = (instance: string, message: string) => expect.objectContaining({ name: 'UpstreamError', failure: 'protocol', instance, message });

describe('parseUpstreamJson', () => {
  it('parses any JSON value', () => {
    expect(parseUpstreamJson('{"type":"ping"}', 'claude', 'an event')).toEqual({ type: 'ping' });
    expect(parseUpstreamJson('[1]', 'claude', 'an event')).toEqual([1]);
  });

  it.each(['<html>portal</html>', '{"type":"message_start"', ''])('fails %j as a protocol error naming the upstream and what it sent', (text) => {
    expect(() => parseUpstreamJson(text, 'codex', 'a websocket frame')).toThrow(protocolError('codex', 'upstream codex sent a websocket frame that is not JSON'));
  });
});

describe('parseUpstreamObject', () => {
  it('parses an object', () => {
    expect(parseUpstreamObject('{"a":1}', 'local', 'a body')).toEqual({ a: 1 });
  });

  it.each(['null', '[]', '"text"', '42'])('fails JSON that is not an object (%s)', (text) => {
    expect(() => parseUpstreamObject(text, 'local', 'a stream chunk')).toThrow(protocolError('local', 'upstream local sent a stream chunk that is not a JSON object'));
  });

  it('fails text that is not JSON with the not-JSON message', () => {
    expect(() => parseUpstreamObject('{oops}', 'local', 'a body')).toThrow(protocolError('local', 'upstream local sent a body that is not JSON'));
  });
});
