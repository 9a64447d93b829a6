// The request log watcher on a bare Fastify (through finished-requests.ts, as the gateway has it): one line per finished request with what the request
// noted (model, instance, credential label, key, tokens, attempts, times), `request errored` for
// a 5xx, an upstream's failure or a response the client cut (hijacked streams included), gated
// by the level, and no hook at all when the level hides both lines.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRootLogger, type LogLevel } from './logger-options';
import { registerFinishedRequests } from './finished-requests';
import { requestLogWatcher, requestLineFields, type RequestLogLine } from './request-logging';
import { noteRequest } from './request-notes';

type Line = { level: number; msg: string; reqId: string; status: number; durationMs: number; ttfbMs?: number } & Record<string, unknown>;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A server with routes that answer, fail, and stream without end; and the lines it logs. */
async function serve(level: LogLevel): Promise<{ url: string; lines: Line[]; streaming: Promise<void> }> {
  const lines: Line[] = [];
  const destination = { write: (text: string) => lines.push(JSON.parse(text) as Line) } as unknown as NodeJS.WritableStream;
  let started!: () => void;
  const streaming = new Promise<void>((resolve) => (started = resolve));
  app = Fastify({ genReqId: (req) => String(req.headers['x-request-id']) });
  const watcher = requestLogWatcher(createRootLogger(level, destination));
  registerFinishedRequests(app, watcher ? [watcher] : []);
  app.get('/ok', async () => ({ ok: true }));
  app.post('/v1/chat/:kind', async (request) => {
    noteRequest(request.raw, { model: 'alias-1', stream: false, keyId: 'k1', keyName: 'ci-bot' });
    noteRequest(request.raw, { instance: 'local', modelServed: 'gpt-real', credential: 'api_keys[1]', attempts: 2 });
    noteRequest(request.raw, { tokens: { input: 12, output: 5, cached: 3, reasoning: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { ok: true };
  });
  app.get('/upstream-429', async (request, reply) => {
    noteRequest(request.raw, { model: 'gpt-x', instance: 'openai', credential: 'api_keys[0]', attempts: 1 });
    noteRequest(request.raw, {
      error: {
        status: 429,
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
        message: 'Rate limit reached (from upstream openai, HTTP 429)',
        upstreamStatus: 429,
        upstreamMessage: 'Rate limit reached',
      },
    });
    return reply.code(429).send({ error: 'slow down' });
  });
  app.get('/fail', async (_request, reply) => reply.code(502).send({ error: 'upstream down' }));
  app.get('/refused', async (request, reply) => {
    noteRequest(request.raw, { model: 'gpt-x' });
    noteRequest(request.raw, { error: { status: 400, type: 'invalid_request_error', code: 'bad_role', message: 'messages.1.role is not allowed' } });
    return reply.code(400).send({ error: 'no' });
  });
  app.get('/broke-mid-stream', async (request, reply) => {
    noteRequest(request.raw, { model: 'claude-x', instance: 'claude' });
    noteRequest(request.raw, { error: { status: 502, type: 'server_error', code: 'upstream_protocol_error', message: 'not JSON', inStream: true } });
    return reply.code(200).send('data: ok\n\n');
  });
  app.get('/stream', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write('data: first\n\n', () => started());
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, lines, streaming };
}

function get(url: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers: { 'x-request-id': id } }, (res) => res.resume().on('end', () => resolve(res.statusCode!))).on('error', reject).end();
  });
}

function post(url: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { method: 'POST', headers: { 'x-request-id': id } }, (res) => res.resume().on('end', () => resolve(res.statusCode!)))
      .on('error', reject)
      .end();
  });
}

/**
 * Waits for the server to log `count` lines (at the response's `close`, which it may see after
 * the client got the answer; waited for, not timed), then a moment more for any line too many.
 */
async function settle(lines: Line[], count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (lines.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('requestLogWatcher', () => {
  it('logs a completed request at info, with its id, method, url, route, status and time, and no fields nobody noted', async () => {
    const { url, lines } = await serve('info');
    expect(await get(`${url}/ok?x=1`, 'req-ok')).toBe(200);
    await settle(lines);
    expect(lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: expect.any(Number),
        hostname: expect.any(String),
        reqId: 'req-ok',
        method: 'GET',
        url: '/ok?x=1',
        route: '/ok',
        status: 200,
        durationMs: expect.any(Number),
        msg: 'request completed',
      },
    ]);
  });

  it('carries what the request noted: model asked and served, instance, credential label, key name, tokens, attempts, first byte', async () => {
    const { url, lines } = await serve('info');
    expect(await post(`${url}/v1/chat/completions`, 'req-model')).toBe(200);
    await settle(lines);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        reqId: 'req-model',
        method: 'POST',
        url: '/v1/chat/completions',
        route: '/v1/chat/:kind',
        status: 200,
        model: 'alias-1',
        modelServed: 'gpt-real',
        instance: 'local',
        credential: 'api_keys[1]',
        key: 'ci-bot',
        stream: false,
        attempts: 2,
        tokens: { input: 12, output: 5, cached: 3, reasoning: 1 },
      }),
    ]);
    // A whole answer's first byte goes out with its last.
    expect(lines[0].durationMs).toBeGreaterThanOrEqual(19);
    expect(lines[0].ttfbMs).toBe(lines[0].durationMs);
    // The key's id is for usage records, not for the log.
    expect(lines[0]).not.toHaveProperty('keyId');
  });

  it("logs a failure that came from an upstream at warn, with the upstream's status and message, though it is a 4xx", async () => {
    const { url, lines } = await serve('warn');
    expect(await get(`${url}/upstream-429`, 'req-429')).toBe(429);
    await settle(lines);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'request errored',
        status: 429,
        model: 'gpt-x',
        instance: 'openai',
        credential: 'api_keys[0]',
        error: expect.objectContaining({ type: 'rate_limit_error', upstreamStatus: 429, upstreamMessage: 'Rate limit reached' }),
      }),
    ]);
  });

  it('logs a 5xx as request errored, at warn', async () => {
    const { url, lines } = await serve('info');
    expect(await get(`${url}/fail`, 'req-fail')).toBe(502);
    await settle(lines);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'request errored', reqId: 'req-fail', status: 502 })]);
  });

  it('says why a 4xx was refused (type, code, message) with the model, at info', async () => {
    const { url, lines } = await serve('info');
    expect(await get(`${url}/refused`, 'req-400')).toBe(400);
    await settle(lines);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request refused',
        model: 'gpt-x',
        status: 400,
        error: { status: 400, type: 'invalid_request_error', code: 'bad_role', message: 'messages.1.role is not allowed' },
      }),
    ]);
  });

  it('logs a 200 stream that ended in an error event as request errored, with the instance and the reason', async () => {
    const { url, lines } = await serve('warn');
    expect(await get(`${url}/broke-mid-stream`, 'req-mid')).toBe(200);
    await settle(lines);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'request errored', model: 'claude-x', instance: 'claude', error: expect.objectContaining({ code: 'upstream_protocol_error', inStream: true }) }),
    ]);
  });

  it('logs a hijacked stream the client left before its end as request errored', async () => {
    const { url, lines, streaming } = await serve('info');
    const client = httpRequest(`${url}/stream`, { headers: { 'x-request-id': 'req-cut' } });
    client.on('response', () => undefined).on('error', () => undefined).end();
    await streaming;
    client.destroy();
    await settle(lines);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'request errored', reqId: 'req-cut', status: 200 })]);
  });

  it('at warn, logs only errored requests', async () => {
    const { url, lines } = await serve('warn');
    await get(`${url}/ok`, 'req-ok');
    await get(`${url}/fail`, 'req-fail');
    await settle(lines);
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([['request errored', 'req-fail']]);
  });

  it.each<LogLevel>(['error', 'fatal', 'silent'])('at %s, is no watcher at all', (level) => {
    expect(requestLogWatcher(createRootLogger(level))).toBeUndefined();
  });

  it('with no watcher, adds no hook at all', () => {
    const fastify = Fastify();
    const addHook = jest.spyOn(fastify, 'addHook');
    registerFinishedRequests(fastify, []);
    expect(addHook).not.toHaveBeenCalled();
  });
});

describe('requestLineFields', () => {
  /** Strings from plain to hostile: quotes, backslashes, controls, unicode, emoji, lone surrogates. */
  const STRINGS = ['', 'gpt-5', 'claude-sonnet-5-5(high)', 'a"b', 'back\\slash', 'line\nbreak', 'tab\t', '\u0000\u001f', 'é ü 中文', '😀', '\ud800', 'x\udfffy', '/v1/chat/completions?x=1&y="2"'];
  const pick = <T>(values: readonly T[], i: number): T => values[i % values.length];

  it('writes exactly what JSON.stringify writes for the line, for every kind of value', () => {
    for (let i = 0; i < 400; i++) {
      const maybe = <T>(value: T): T | undefined => (i % 3 === 1 ? undefined : value);
      const line: RequestLogLine = {
        reqId: pick(STRINGS, i + 1),
        method: maybe(pick(['GET', 'POST'], i)),
        url: maybe(pick(STRINGS, i + 2)),
        route: maybe(pick(STRINGS, i + 3)),
        status: pick([200, 404, 502, 499], i),
        model: maybe(pick(STRINGS, i + 4)),
        modelServed: maybe(pick(STRINGS, i * 7)),
        instance: maybe(pick(STRINGS, i * 5)),
        credential: maybe(pick(STRINGS, i * 3)),
        key: maybe(pick(STRINGS, i * 11)),
        stream: maybe(i % 2 === 0),
        attempts: maybe(pick([0, 1, 3], i)),
        tokens: maybe({ input: i, output: 2 * i, cached: 0, reasoning: i % 5 }),
        ttfbMs: maybe(pick([0, 12, 1234.5, Number.NaN], i)),
        durationMs: pick([0, 5, 99999, Number.POSITIVE_INFINITY], i),
        error: maybe({ status: 502, type: 'server_error', code: 'upstream_unreachable', message: pick(STRINGS, i), inStream: i % 2 === 0 }),
      } as RequestLogLine;
      expect(`{${requestLineFields(line).slice(1)}}`).toBe(JSON.stringify(line));
    }
  });
});
