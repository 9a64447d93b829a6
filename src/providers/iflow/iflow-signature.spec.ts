// iFlow's request signature with a fixed clock and session: the expected hex values were computed
// outside this code base (Python's hmac module) from the reference's formula.
import { IflowSigner, iflowSignature, iflowSigningHeaders } from './iflow-signature';

const SESSION = 'session-3b241101-e2bb-4255-8caf-4136c566a962';
const AT = 1_767_225_600_000;

describe('iFlow signature', () => {
  it('is hex(HMAC-SHA256(apiKey, "iFlow-Cli:<session-id>:<timestamp>"))', () => {
    expect(iflowSignature('sk-test-0123456789abcdef', SESSION, AT)).toBe('39d33ea14f8927b85dc09075ea9f8d928cda51c98c6ca7e55d3330d5650e5f92');
    expect(iflowSignature('sk-other', SESSION, AT)).toBe('435b12645c43c243425e4e2a360fb984da68670302d82676d784d1e00c7146b4');
  });

  it('changes with the time and the session', () => {
    const base = iflowSignature('sk-test-0123456789abcdef', SESSION, AT);
    expect(iflowSignature('sk-test-0123456789abcdef', SESSION, AT + 1)).not.toBe(base);
    expect(iflowSignature('sk-test-0123456789abcdef', SESSION.replace('a962', 'a963'), AT)).not.toBe(base);
  });

  it('builds the four headers the iFlow CLI sends', () => {
    expect(iflowSigningHeaders('sk-test-0123456789abcdef', SESSION, AT)).toEqual({
      'user-agent': 'iFlow-Cli',
      'session-id': SESSION,
      'x-iflow-timestamp': '1767225600000',
      'x-iflow-signature': '39d33ea14f8927b85dc09075ea9f8d928cda51c98c6ca7e55d3330d5650e5f92',
    });
  });

  it('signs with the injected clock, and a new session-<uuid4> per request', () => {
    const signer = new IflowSigner();
    jest.spyOn(signer, 'now').mockReturnValue(AT);
    const first = signer.headers('sk-test-0123456789abcdef');
    const second = signer.headers('sk-test-0123456789abcdef');
    expect(first['x-iflow-timestamp']).toBe('1767225600000');
    expect(first['session-id']).toMatch(/^session-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second['session-id']).not.toBe(first['session-id']);
    expect(first['x-iflow-signature']).toBe(iflowSignature('sk-test-0123456789abcdef', first['session-id'], AT));
  });
});
