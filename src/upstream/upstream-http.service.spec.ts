// UpstreamHttp: status/headers/body passthrough through an undici MockAgent, undici failures as
// UpstreamErrors (connect, timeout, aborted, lost mid-body), error-body limits, and — against a
// real local socket — that connection refusals and timeouts really surface as such.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, MockAgent } from 'undici';
import { UpstreamError } from './upstream-error';
import { UpstreamHttp, type UpstreamBody, type UpstreamRequest } from './upstream-http.service';

const ORIGIN = 'http://upstream.test';

function req(overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    instance: 'local',
    url: `${ORIGIN}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"model":"m"}',
    signal: new AbortController().signal,
    timeouts: { firstByteMs: 5000, idleMs: 5000 },
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected an UpstreamError, but the call succeeded');
}

/** A stand-in body whose iterator yields `chunks`, then throws `error`. */
function failingBody(chunks: string[], error: Error): UpstreamBody {
  return {
    async *iterator() {
      for (const chunk of chunks) yield Buffer.from(chunk);
      throw error;
    },
    destroy() {},
  } as unknown as UpstreamBody;
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('UpstreamHttp with a MockAgent', () => {
  let agent: MockAgent;
  let http: UpstreamHttp;

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    http = new UpstreamHttp(agent);
  });
  afterEach(() => agent.close().catch(() => undefined)); // the shutdown test closes it already

  it('passes method, headers and body to the upstream, and status, headers and body back', async () => {
    let seen: { method: string; headers: unknown; body: unknown } | undefined;
    agent
      .get(ORIGIN)
      .intercept({ path: '/v1/chat/completions', method: 'POST' })
      .reply((opts) => {
        seen = { method: opts.method, headers: opts.headers, body: opts.body };
        return {
          statusCode: 201,
          data: '{"id":"x"}',
          responseOptions: { headers: { 'content-type': 'application/json', 'x-ratelimit-remaining-tokens': '99' } },
        };
      });
    const response = await http.request(req({ headers: { authorization: 'Bearer k', 'x-team': 'r' } }));
    expect(seen).toEqual({ method: 'POST', headers: { authorization: 'Bearer k', 'x-team': 'r' }, body: '{"model":"m"}' });
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'x-ratelimit-remaining-tokens': '99' });
    expect(await http.text(response.body, 'local', new AbortController().signal)).toBe('{"id":"x"}');
  });

  it('resolves with an error status rather than throwing', async () => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(503, 'down', { headers: { 'retry-after': '5' } });
    const response = await http.request(req());
    expect([response.status, response.headers['retry-after']]).toEqual([503, '5']);
    expect(await http.errorText(response.body, 'local', new AbortController().signal)).toBe('down');
  });

  it('sends a GET without a body', async () => {
    agent.get(ORIGIN).intercept({ path: '/v1/models', method: 'GET' }).reply(200, '{"data":[]}');
    const response = await http.request(req({ url: `${ORIGIN}/v1/models`, method: 'GET', body: undefined }));
    expect(await http.text(response.body, 'local', new AbortController().signal)).toBe('{"data":[]}');
  });

  it.each<[string, Error]>([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')],
    ['an unknown host', withCode('getaddrinfo ENOTFOUND upstream.test', 'ENOTFOUND')],
    ['an error without a code', new Error('socket hang up')],
  ])('turns %s into a connect failure naming the instance', async (_label, cause) => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).replyWithError(cause);
    const error = await failureOf(http.request(req()));
    expect([error.failure, error.instance, error.cause]).toEqual(['connect', 'local', cause]);
    const code = (cause as { code?: string }).code;
    expect(error.message).toBe(`could not reach upstream local (${code ? `${code}: ` : ''}${cause.message})`);
  });

  it('turns a request matching no route (net connect disabled) into a connect failure', async () => {
    const error = await failureOf(http.request(req({ url: `${ORIGIN}/nowhere` })));
    expect(error.failure).toBe('connect');
    expect(error.message).toContain('UND_MOCK_ERR_MOCK_NOT_MATCHED');
  });

  it.each<[string, string]>([
    ['UND_ERR_CONNECT_TIMEOUT', 'upstream local did not accept a connection in time'],
    ['UND_ERR_HEADERS_TIMEOUT', 'upstream local did not start answering within the timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'upstream local went silent mid-response for longer than the timeout'],
  ])('turns %s into a timeout failure', async (code, message) => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).replyWithError(withCode('timed out', code));
    const error = await failureOf(http.request(req()));
    expect([error.failure, error.message]).toEqual(['timeout', message]);
  });

  it('reports a call made with an already aborted signal as aborted', async () => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, 'x');
    const error = await failureOf(http.request(req({ signal: AbortSignal.abort() })));
    expect([error.failure, error.message]).toEqual(['aborted', 'request to upstream local was cancelled']);
  });

  it('reports a call aborted while waiting for the answer as aborted', async () => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, 'x').delay(2000);
    const controller = new AbortController();
    const pending = http.request(req({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const error = await failureOf(pending);
    expect(error.failure).toBe('aborted');
  });

  it('reads an error body only up to 64 KiB', async () => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(500, 'e'.repeat(200 * 1024));
    const response = await http.request(req());
    const text = await http.errorText(response.body, 'local', new AbortController().signal);
    expect(text).toBe('e'.repeat(64 * 1024));
  });

  it('reads a whole body with text() and a limit when given', async () => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, 'abcdef');
    const response = await http.request(req());
    expect(await http.text(response.body, 'local', new AbortController().signal, 4)).toBe('abcd');
  });

  it.each<[string, Error, UpstreamError['failure'], string]>([
    [
      'a reset connection',
      withCode('other side closed', 'UND_ERR_SOCKET'),
      'connect',
      'connection to upstream local was lost mid-response (UND_ERR_SOCKET: other side closed)',
    ],
    [
      'a body timeout',
      withCode('Body Timeout Error', 'UND_ERR_BODY_TIMEOUT'),
      'timeout',
      'upstream local went silent mid-response for longer than the timeout',
    ],
  ])('turns %s while reading the body into an UpstreamError, after the chunks that came', async (_label, cause, failure, message) => {
    const got: string[] = [];
    const read = async () => {
      for await (const chunk of http.chunks(failingBody(['a', 'b'], cause), 'local', new AbortController().signal)) {
        got.push(chunk.toString());
      }
    };
    const error = await failureOf(read());
    expect(got).toEqual(['a', 'b']);
    expect([error.failure, error.message]).toEqual([failure, message]);
  });

  it('reports a body read failure after the signal was aborted as aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const read = async () => {
      for await (const _ of http.chunks(failingBody([], new Error('aborted')), 'local', controller.signal)) {
        // nothing
      }
    };
    expect((await failureOf(read())).failure).toBe('aborted');
  });

  describe('events()', () => {
    /** A body whose iterator yields `chunks` and ends (or throws `error`). */
    function body(chunks: string[], error?: Error): UpstreamBody {
      return {
        async *iterator() {
          for (const chunk of chunks) yield Buffer.from(chunk);
          if (error) throw error;
        },
        destroy() {},
      } as unknown as UpstreamBody;
    }
    async function read(b: UpstreamBody): Promise<{ events: string[]; error?: UpstreamError }> {
      const events: string[] = [];
      try {
        for await (const event of http.events(b, 'local', new AbortController().signal)) events.push(`${event.event ?? ''}|${event.data}`);
      } catch (error) {
        return { events, error: error as UpstreamError };
      }
      return { events };
    }

    it('decodes events split across and packed into chunks, and a last event without its blank line', async () => {
      const { events, error } = await read(body(['data: {"a":', '1}\n\nevent: x\ndata: 2\n\ndata: 3\n\nda', 'ta: last\n']));
      expect(error).toBeUndefined();
      expect(events).toEqual(['|{"a":1}', 'x|2', '|3', '|last']);
    });

    it('turns a lost connection into an UpstreamError after the events that came', async () => {
      const { events, error } = await read(body(['data: 1\n\ndata: 2\n\n'], withCode('other side closed', 'UND_ERR_SOCKET')));
      expect(events).toEqual(['|1', '|2']);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error?.failure).toBe('connect');
      expect(error?.message).toMatch(/lost mid-response/);
    });

    describe('with an end marker', () => {
      const end = { isEnd: (e: { data: string }) => e.data === '[DONE]', missing: () => new Error('no [DONE]') };
      function tracked(chunks: string[]): { body: UpstreamBody; fate: () => string } {
        let fate = 'untouched';
        const b = body(chunks) as unknown as Record<string, unknown>;
        b.dump = async () => {
          fate = 'dumped';
        };
        let heard = false;
        // Like undici's body: destroying it unfinished emits an error, which must be listened to.
        b.once = (name: string) => {
          if (name === 'error') heard = true;
          return b;
        };
        b.destroy = () => {
          fate = heard ? 'destroyed' : 'destroyed, its error unheard';
        };
        return { body: b as unknown as UpstreamBody, fate: () => fate };
      }

      it('stops at the marker without yielding it, and drains the body for reuse', async () => {
        const t = tracked(['data: 1\n\ndata: [DONE]\n\n']);
        const got: string[] = [];
        for await (const event of http.events(t.body, 'local', new AbortController().signal, end)) got.push(event.data);
        expect(got).toEqual(['1']);
        expect(t.fate()).toBe('dumped');
      });

      it('throws the missing-marker error when the body ends without it, and discards the body', async () => {
        const t = tracked(['data: 1\n\n']);
        const got: string[] = [];
        const read = async () => {
          for await (const event of http.events(t.body, 'local', new AbortController().signal, end)) got.push(event.data);
        };
        await expect(read()).rejects.toThrow('no [DONE]');
        expect(got).toEqual(['1']);
        expect(t.fate()).toBe('destroyed');
      });

      it('destroys the body when the reader stops early', async () => {
        const t = tracked(['data: 1\n\ndata: 2\n\ndata: [DONE]\n\n']);
        for await (const event of http.events(t.body, 'local', new AbortController().signal, end)) if (event.data === '1') break;
        expect(t.fate()).toBe('destroyed');
      });
    });

    it('refuses an endless event as a protocol failure', async () => {
      const mib = 'x'.repeat(1024 * 1024);
      const { error } = await read(body(['data: ', ...Array<string>(17).fill(mib)]));
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error?.failure).toBe('protocol');
      expect(error?.message).toMatch(/larger than the gateway accepts/);
    });
  });

  it('closes its dispatcher on shutdown', async () => {
    const close = jest.spyOn(agent, 'close');
    await http.onApplicationShutdown();
    expect(close).toHaveBeenCalledTimes(1);
    // A closed dispatcher takes no more calls.
    const error = await failureOf(http.request(req()));
    expect(error.message).toMatch(/destroyed|closed/i);
  });
});

describe('UpstreamHttp against a real socket', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  let handler: (res: import('node:http').ServerResponse) => void = () => undefined;
  const agent = new Agent({ connect: { timeout: 2000 } });
  const http = new UpstreamHttp(agent);

  beforeAll(async () => {
    server = createServer((_req, res) => handler(res));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    server.close();
    await agent.close();
  });

  it('reports a refused connection as connect with ECONNREFUSED', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const error = await failureOf(http.request(req({ url: `http://127.0.0.1:${closedPort}/v1/chat/completions` })));
    expect(error.failure).toBe('connect');
    expect(error.message).toMatch(/^could not reach upstream local \(ECONNREFUSED: /);
  });

  it('times out when the upstream never answers', async () => {
    handler = () => undefined; // never respond
    const error = await failureOf(http.request(req({ url: `http://127.0.0.1:${port}/`, timeouts: { firstByteMs: 150, idleMs: 150 } })));
    expect([error.failure, error.message]).toEqual(['timeout', 'upstream local did not start answering within the timeout']);
  });

  it('times out when the body goes silent between chunks', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    };
    // A roomy first-byte limit: only the silence after the first chunk is under test.
    const response = await http.request(req({ url: `http://127.0.0.1:${port}/`, timeouts: { firstByteMs: 5000, idleMs: 150 } }));
    const got: string[] = [];
    const read = async () => {
      for await (const chunk of http.chunks(response.body, 'local', new AbortController().signal)) got.push(chunk.toString());
    };
    const error = await failureOf(read());
    expect(got).toEqual(['data: 1\n\n']);
    expect(error.failure).toBe('timeout');
  });

  it('reports a socket destroyed mid-body as a lost connection', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n', () => setTimeout(() => res.socket?.destroy(), 20));
    };
    const response = await http.request(req({ url: `http://127.0.0.1:${port}/` }));
    const read = async () => {
      for await (const _ of http.chunks(response.body, 'local', new AbortController().signal)) {
        // drain
      }
    };
    const error = await failureOf(read());
    expect(error.failure).toBe('connect');
    expect(error.message).toMatch(/^connection to upstream local was lost mid-response/);
  });
});
