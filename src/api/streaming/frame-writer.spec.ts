// FrameWriter against a real HTTP socket: frames of one tick leave in one write, headers set on
// the reply go out with the head, and a client that stops reading makes write() say so until
// the socket drains — with one drain listener per stall, however many writes come meanwhile.
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyReply } from 'fastify';
import { FrameWriter } from './frame-writer';

let server: Server;
let responses: ServerResponse[];

beforeEach(async () => {
  responses = [];
  server = createServer((_req, res) => responses.push(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterEach(async () => {
  server.closeAllConnections();
  server.close();
});

/** A reply as FrameWriter uses it: the raw response, and a header set earlier (x-request-id). */
function replyFor(res: ServerResponse): FastifyReply {
  return { hijack() {}, raw: res, getHeaders: () => ({ 'x-request-id': 'req-1' }) } as unknown as FastifyReply;
}


describe('FrameWriter', () => {
  it('sends the head with the reply headers, and the frames of one tick in one write', async () => {
    const { port } = server.address() as AddressInfo;
    const req = request({ host: '127.0.0.1', port, method: 'GET' });
    req.end();
    const response = once(req, 'response') as Promise<[IncomingMessage]>;
    while (responses.length === 0) await new Promise((r) => setTimeout(r, 5));
    const res = responses[0];
    const writes = jest.spyOn(res, 'write');
    const out = FrameWriter.start(replyFor(res), { 'content-type': 'text/event-stream' });
    expect(out.write('data: 1\n\n')).toBe(true);
    expect(out.write('data: 2\n\n')).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveBeenCalledTimes(1);
    expect(writes.mock.calls[0][0]).toBe('data: 1\n\ndata: 2\n\n');
    out.write('data: 3\n\n');
    out.end();
    const [answer] = await response;
    expect(answer.headers['x-request-id']).toBe('req-1');
    expect(answer.headers['content-type']).toBe('text/event-stream');
    let body = '';
    for await (const chunk of answer) body += chunk;
    expect(body).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n');
    expect(out.open).toBe(false);
  });

  it('reports a client that does not read, and resumes once the socket drains', async () => {
    const { port } = server.address() as AddressInfo;
    const req = request({ host: '127.0.0.1', port, method: 'GET' });
    req.end();
    const response = once(req, 'response') as Promise<[IncomingMessage]>;
    while (responses.length === 0) await new Promise((r) => setTimeout(r, 5));
    const res = responses[0];
    const out = FrameWriter.start(replyFor(res), {});
    out.write(': open\n\n'); // the head leaves with the first frame
    const [answer] = await response;
    answer.pause();

    const frame = `data: ${'x'.repeat(64 * 1024)}\n\n`;
    let flowing = true;
    for (let i = 0; i < 200 && flowing; i++) {
      out.write(frame);
      await new Promise((r) => setImmediate(r));
      flowing = out.write('');
    }
    expect(flowing).toBe(false);
    // More writes while stalled (keepalives) add no listeners.
    for (let i = 0; i < 5; i++) {
      out.write(': keep-alive\n\n');
      await new Promise((r) => setImmediate(r));
    }
    expect(res.listenerCount('drain')).toBe(1);

    const drained = out.drained(new AbortController().signal);
    answer.resume();
    await drained;
    expect(out.write('data: after\n\n')).toBe(true);
    out.end();
    await once(answer, 'end');
  });

  it('stops waiting for a drain when the signal aborts', async () => {
    const { port } = server.address() as AddressInfo;
    const req = request({ host: '127.0.0.1', port, method: 'GET' });
    req.end();
    const response = once(req, 'response') as Promise<[IncomingMessage]>;
    while (responses.length === 0) await new Promise((r) => setTimeout(r, 5));
    const out = FrameWriter.start(replyFor(responses[0]), {});
    out.write(': open\n\n'); // the head leaves with the first frame
    const [answer] = await response;
    answer.pause();
    const frame = `data: ${'x'.repeat(64 * 1024)}\n\n`;
    for (let i = 0; i < 200 && out.write(''); i++) {
      out.write(frame);
      await new Promise((r) => setImmediate(r));
    }
    const abort = new AbortController();
    const waiting = out.drained(abort.signal);
    abort.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow();
    req.destroy();
  });
});
