import { ANTIGRAVITY_CODE_ASSIST, ANTIGRAVITY_HOSTS, sessionIdOf } from './antigravity.variant';

describe('Antigravity Code Assist variant', () => {
  const request = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }, { role: 'model', parts: [{ text: 'ok' }] }, { role: 'user', parts: [{ text: 'more' }] }] });

  it('keeps one session id per conversation (its first user turn), another for another conversation', () => {
    expect(sessionIdOf(request('hello'))).toBe(sessionIdOf({ contents: request('hello').contents.slice(0, 1) }));
    expect(sessionIdOf(request('hello'))).not.toBe(sessionIdOf(request('goodbye')));
    expect(sessionIdOf(request('hello'))).toMatch(/^-\d+$/);
  });

  it('wraps the request with Antigravity fields and a fresh request id each time', () => {
    const first = ANTIGRAVITY_CODE_ASSIST.envelope(request('hi'), 'gemini-3-flash', 'proj-1');
    const second = ANTIGRAVITY_CODE_ASSIST.envelope(request('hi'), 'gemini-3-flash', 'proj-1');
    expect(first).toMatchObject({ model: 'gemini-3-flash', project: 'proj-1', userAgent: 'antigravity', requestType: 'agent', request: { sessionId: sessionIdOf(request('hi')) } });
    expect(first.requestId).toMatch(/^agent-[0-9a-f-]{36}$/);
    expect(second.requestId).not.toBe(first.requestId);
  });

  it('maps public Gemini 3 names, tries daily, sandbox, then prod unless told otherwise', () => {
    expect(ANTIGRAVITY_CODE_ASSIST.upstreamModel('gemini-3-pro-preview')).toBe('gemini-3-pro-high');
    expect(ANTIGRAVITY_CODE_ASSIST.upstreamModel('claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    expect(ANTIGRAVITY_CODE_ASSIST.hosts({})).toEqual(ANTIGRAVITY_HOSTS);
    expect(ANTIGRAVITY_HOSTS[0]).toBe('https://daily-cloudcode-pa.googleapis.com');
    expect(ANTIGRAVITY_CODE_ASSIST.hosts({ base_url: 'http://one' })).toEqual(['http://one']);
    expect(ANTIGRAVITY_CODE_ASSIST.hosts({ base_urls: ['http://a', 'http://b'] } as never)).toEqual(['http://a', 'http://b']);
  });
});
