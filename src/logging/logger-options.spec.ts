// The root logger: JSON lines at the configured level, and requests or responses logged whole
// reduce to what identifies them — never their headers, which carry API keys.
import { PassThrough } from 'node:stream';
import { createRootLogger } from './logger-options';

function capture(): { lines: Record<string, unknown>[]; destination: NodeJS.WritableStream } {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (text: string) => lines.push(JSON.parse(text) as Record<string, unknown>) } as unknown as NodeJS.WritableStream;
  return { lines, destination };
}

describe('createRootLogger', () => {
  it('writes JSON lines at and above its level', () => {
    const { lines, destination } = capture();
    const logger = createRootLogger('info', destination);
    logger.debug('hidden');
    logger.info({ reqId: 'r-1' }, 'shown');
    expect(lines).toEqual([expect.objectContaining({ level: 30, reqId: 'r-1', msg: 'shown' })]);
  });

  it('keeps only method and url of a req, and only the status of a res', () => {
    const { lines, destination } = capture();
    createRootLogger('info', destination).info(
      {
        req: { method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer sk-secret' } },
        res: { statusCode: 200, headers: { 'set-cookie': 'session=secret' } },
      },
      'request completed',
    );
    expect(lines[0]).toMatchObject({ req: { method: 'POST', url: '/v1/chat/completions' }, res: { statusCode: 200 } });
    expect(JSON.stringify(lines[0])).not.toContain('secret');
  });

  it('redacts key-shaped secrets from a logged error, its stack and its cause', () => {
    const { lines, destination } = capture();
    const key = 'sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe';
    const cause = new Error(`GET https://example.test/v1?key=${key} failed`);
    createRootLogger('info', destination).error({ err: new Error(`unexpected answer quoting ${key}`, { cause }) }, 'unexpected error');
    const line = JSON.stringify(lines[0]);
    expect(line).not.toContain('Zx9Yw8');
    expect(lines[0]).toMatchObject({ err: { message: expect.stringContaining('quoting sk-proj-[redacted]') } });
    expect((lines[0].err as { stack: string }).stack).toContain('?key=sk-proj-[redacted] failed');
  });

  it('in the pretty format, writes readable text (not JSON) at once, with the fields, the same redaction and the level gate', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const logger = createRootLogger('info', out, 'pretty');
    logger.debug('hidden');
    logger.info({ reqId: 'r-9', status: 200 }, 'request completed');
    logger.error({ err: new Error('quoting sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe') }, 'unexpected error');
    // Synchronous: the text is there before the call returns, as a fatal line before exit needs.
    expect(text).toMatch(/INFO \(\d+\): request completed\n\s+reqId: "r-9"\n\s+status: 200/);
    expect(text).toContain('ERROR');
    expect(text).not.toContain('hidden');
    expect(text).not.toContain('Zx9Yw8');
    expect(() => JSON.parse(text.split('\n')[0])).toThrow();
  });
});
