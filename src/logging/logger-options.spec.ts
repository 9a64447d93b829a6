// The root logger: JSON lines at the configured level, and requests or responses logged whole
// reduce to what identifies them — never their headers, which carry API keys.
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
});
