import { GatewayError } from '../../common/gateway-error';
import { errorFrame, parseClientFrame } from './ws-frames';

describe('parseClientFrame', () => {
  it('takes a response.create as the Responses body without its type', () => {
    expect(parseClientFrame('{"type":"response.create","model":"m","input":"hi","previous_response_id":"resp_1"}')).toEqual({
      kind: 'create',
      body: { model: 'm', input: 'hi', previous_response_id: 'resp_1' },
    });
  });

  it('accepts response.processed acknowledgements', () => {
    expect(parseClientFrame('{"type":"response.processed","response_id":"resp_1"}')).toEqual({ kind: 'processed' });
  });

  it.each([
    ['not json', 'invalid_json'],
    ['[1,2]', 'invalid_type'],
    ['{"type":"response.append","input":[]}', 'unsupported_message_type'],
    ['{"model":"m"}', 'unsupported_message_type'],
  ])('refuses %s with a 400 naming the problem', (text, code) => {
    const frame = parseClientFrame(text);
    expect(frame.kind).toBe('invalid');
    if (frame.kind === 'invalid') expect([frame.error.status, frame.error.code]).toEqual([400, code]);
  });
});

describe('error frames', () => {
  const limited = new GatewayError(429, 'slow down', { type: 'rate_limit_error', code: 'usage_limit_reached', headers: { 'retry-after': '30' } });

  it("carry the status, the error and its headers, as the Codex backend's do", () => {
    expect(JSON.parse(errorFrame(limited))).toEqual({
      type: 'error',
      status: 429,
      error: { type: 'rate_limit_error', code: 'usage_limit_reached', message: 'slow down', param: null },
      headers: { 'retry-after': '30' },
    });
  });
});
