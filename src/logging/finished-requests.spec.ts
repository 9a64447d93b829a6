// registerFinishedRequests on a bare Fastify: each watcher sees only the requests it wants, all
// of them the same facts (one clock read at the start, one at the close), and a request no watcher
// wants costs no close listener.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerFinishedRequests, type FinishedRequest, type FinishedRequestWatcher } from './finished-requests';
import { noteRequest } from './request-notes';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function watcher(name: string, wants: (url: string) => boolean, seen: Array<[string, FinishedRequest]>): FinishedRequestWatcher {
  return { wants: (request) => wants(request.raw.url ?? ''), finished: (finished) => seen.push([name, finished]) };
}

function get(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
}

describe('registerFinishedRequests', () => {
  it('hands each finished request to the watchers that wanted it, with one start and one end time', async () => {
    const seen: Array<[string, FinishedRequest]> = [];
    let clock = 1000;
    app = Fastify();
    registerFinishedRequests(app, [watcher('all', () => true, seen), watcher('models', (url) => url.startsWith('/v1/'), seen)], () => (clock += 10));
    app.get('/v1/x', async (request) => {
      noteRequest(request.raw, { model: 'm1' });
      return { ok: true };
    });
    app.get('/healthz', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    await get(`${base}/v1/x`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map(([name]) => name)).toEqual(['all', 'models']);
    // Both watchers got the very same facts: the clock was read once at the start, once at the close.
    expect(seen[0][1]).toBe(seen[1][1]);
    expect(seen[0][1]).toMatchObject({ startedAt: 1010, endedAt: 1020, notes: { model: 'm1' } });
    expect(seen[0][1].raw.statusCode).toBe(200);

    await get(`${base}/healthz`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map(([name]) => name)).toEqual(['all', 'models', 'all']);
    expect(seen[2][1].notes).toBeUndefined();
  });

  it('reads no clock and listens for no close when no watcher wants the request', async () => {
    const now = jest.fn(() => 5);
    app = Fastify();
    registerFinishedRequests(app, [watcher('none', () => false, [])], now);
    let listeners = -1;
    app.get('/x', async (_request, reply) => {
      listeners = reply.raw.listenerCount('close');
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await get(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/x`);
    expect(now).not.toHaveBeenCalled();
    // Fastify itself may listen; the hook added nothing beyond that.
    const bare = Fastify();
    let bareListeners = -2;
    bare.get('/x', async (_request, reply) => {
      bareListeners = reply.raw.listenerCount('close');
      return { ok: true };
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    await get(`http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/x`);
    await bare.close();
    expect(listeners).toBe(bareListeners);
  });
});
