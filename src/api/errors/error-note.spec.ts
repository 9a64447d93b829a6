// errorNote: what a failed request's log line says — the client's error, plus the upstream's own
// status and message when an upstream's answer caused it, with the credential it quoted redacted.
import { GatewayError, invalidRequest } from '../../common/gateway-error';
import { UpstreamError } from '../../upstream/upstream-error';
import { errorNote } from './error-note';
import { mapUpstreamError } from './upstream-error.mapper';

const KEY = 'sk-live-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe';

describe('errorNote', () => {
  it("carries an upstream's status and message, with the key it quoted redacted", () => {
    const upstream = new UpstreamError('upstream said no', {
      failure: 'status',
      instance: 'openai',
      status: 429,
      upstreamMessage: `Rate limit reached for key ${KEY}`,
      upstreamCode: 'rate_limit_exceeded',
      secret: KEY,
    });
    const note = errorNote(mapUpstreamError(upstream));
    expect(note).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', upstreamStatus: 429 });
    expect(note.upstreamMessage).toMatch(/^Rate limit reached for key /);
    expect(JSON.stringify(note)).not.toContain('Zx9Yw8');
    expect(note).not.toHaveProperty('inStream');
  });

  it('has no upstream fields for a refusal of the gateway, and marks an in-stream error', () => {
    expect(errorNote(invalidRequest('model is required', 'model'))).toEqual({
      status: 400,
      type: 'invalid_request_error',
      code: null,
      message: 'model is required',
    });
    const unreachable = mapUpstreamError(new UpstreamError('could not reach upstream local', { failure: 'connect', instance: 'local' }));
    expect(errorNote(unreachable, true)).toEqual({
      status: 502,
      type: 'server_error',
      code: 'upstream_unreachable',
      message: 'could not reach upstream local',
      inStream: true,
    });
    expect(errorNote(new GatewayError(503, 'draining', { type: 'server_error' }))).not.toHaveProperty('upstreamStatus');
  });
});
