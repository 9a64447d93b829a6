// The typed errors of failed streams (chat, Messages, Responses) carry what the upstream said
// with secrets redacted, and keep the raw event out of what a logger prints (enumerable fields).
import { chatErrorOf } from './chat-stream-error';
import { messagesStreamErrorOf } from './messages-stream-error';
import { responsesStreamErrorOf } from './responses-stream-error';

const QUOTE = 'upstream rejected Authorization: Bearer tok-8c1e2f3a4b5c6d7e8f9a (key sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2)';
const CLEAN = 'upstream rejected Authorization: Bearer [redacted] (key sk-proj-[redacted])';

describe('stream errors redact what the upstream said', () => {
  it.each([
    ['chat', () => chatErrorOf({ error: { message: QUOTE, type: 'invalid_request_error', param: 'sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2' } })!],
    ['Messages', () => messagesStreamErrorOf({ type: 'error', error: { type: 'authentication_error', message: QUOTE } })],
    ['Responses', () => responsesStreamErrorOf({ type: 'error', error: { type: 'invalid_request_error', message: QUOTE } } as never)!],
  ])('%s', (_name, make) => {
    const error = make();
    expect(error.message).toBe(CLEAN);
    expect(error.stack).not.toContain('8c1e2f3a');
    // What pino's error serializer copies: the enumerable fields.
    const logged = JSON.stringify({ ...error });
    expect(logged).not.toMatch(/8c1e2f3a|Zx9Yw8/);
    // The raw event stays readable for code that classifies it.
    const raw = (error as { payload?: unknown; event?: unknown }).payload ?? (error as { event?: unknown }).event;
    expect(JSON.stringify(raw)).toContain('8c1e2f3a');
  });
});
