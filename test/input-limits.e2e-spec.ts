// Input the gateway must refuse, in the route's own error shape and without falling over: JSON
// nested thousands of levels deep, bodies far past server.body_limit (announced by Content-Length
// or streamed chunked), and bytes that are not valid HTTP at all (bad request lines, oversized
// headers, broken chunks, CONNECT). Raw sockets, since no client library sends these.
import { request } from 'undici';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { connect } from 'node:net';
import { exchange, parseResponse, upload, type RawResponse } from './support/raw-http';
import { startGateway, type RunningGateway } from './support/gateway';

const MiB = 1024 * 1024;
const ROUTES = ['/v1/chat/completions', '/v1/responses', '/v1/messages', '/v1/messages/count_tokens'] as const;
const isAnthropic = (route: string) => route.startsWith('/v1/messages');

/** OpenAI's error shape, exactly: `{"error":{"message","type","param","code"}}`. */
function expectOpenAIError(response: RawResponse, status: number, code: string): void {
  expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({ status, contentType: 'application/json; charset=utf-8' });
  expect(Object.keys(response.json)).toEqual(['error']);
  expect(Object.keys(response.json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(response.json.error.code).toBe(code);
  expect(typeof response.json.error.message).toBe('string');
}

/** Anthropic's error shape: `{"type":"error","error":{"type","message"}}`. */
function expectAnthropicError(response: RawResponse, status: number, type: string): void {
  expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({ status, contentType: 'application/json; charset=utf-8' });
  expect(response.json.type).toBe('error');
  expect(Object.keys(response.json.error).sort()).toEqual(['message', 'type']);
  expect(response.json.error.type).toBe(type);
  expect(typeof response.json.error.message).toBe('string');
}

function expectErrorInDialect(route: string, response: RawResponse, status: number, code: string, anthropicType: string): void {
  if (isAnthropic(route)) expectAnthropicError(response, status, anthropicType);
  else expectOpenAIError(response, status, code);
}

function post(route: string, body: string, headers = ''): string {
  return `POST ${route} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`;
}

const upstream = new FakeOpenAIUpstream();
let gateway: RunningGateway;
let port: number;

beforeAll(async () => {
  await upstream.start();
  // The default server settings: the body limit under test is the one users get.
  gateway = await startGateway(`
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    models: [llama-3.1-8b]
`);
  port = Number(new URL(gateway.url).port);
});

afterAll(async () => {
  await gateway?.close();
  await upstream.stop();
});

describe('JSON nesting', () => {
  const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it.each(ROUTES)('refuses a body nested 10,000 levels deep on %s with 400 json_too_deep', async (route) => {
    const body = `{"model":"llama-3.1-8b","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"input":"hi","extra":${deep(10_000)}}`;
    const before = upstream.requests.length;
    const { response } = await exchange(port, post(route, body, 'Connection: close\r\n'));
    expectErrorInDialect(route, response, 400, 'json_too_deep', 'invalid_request_error');
    expect(response.body).toMatch(/more than 128 levels deep/);
    expect(upstream.requests.length).toBe(before);
  });

  it('passes on a body nested 100 levels deep, through translation too', async () => {
    const extra = deep(100);
    const chat = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"model":"llama-3.1-8b","messages":[{"role":"user","content":"hi"}],"vendor":${extra}}`,
    });
    expect(chat.statusCode).toBe(200);
    expect(((await chat.body.json()) as any).choices[0].message.content).toBe('You said: hi');
    // Messages → chat: the deep field sits in a tool schema, which the translator carries over.
    const tool = `{"name":"f","input_schema":{"type":"object","properties":{"x":{"default":${extra}}}}}`;
    const messages = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"model":"llama-3.1-8b","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[${tool}]}`,
    });
    expect(messages.statusCode).toBe(200);
    expect(((await messages.body.json()) as any).type).toBe('message');
  });
});

describe('bodies past server.body_limit (default 32 MiB)', () => {
  it.each(ROUTES)('answers 413 on %s from Content-Length alone, before the 100 MB body is sent', async (route) => {
    const head = `POST ${route} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${100 * MiB}\r\n\r\n`;
    const rssBefore = process.memoryUsage().rss;
    const sent = await upload(port, head, 100 * MiB, { chunked: false });
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expectErrorInDialect(route, sent.response, 413, 'request_too_large', 'request_too_large');
    expect(sent.response.body).toMatch(/33554432 bytes; raise server\.body_limit/);
    // Only what sat in socket buffers went out before the answer; nothing was buffered.
    expect(sent.sentBeforeAnswer).toBeLessThan(16 * MiB);
    expect(rssGrowth).toBeLessThan(32 * MiB);
  });

  it.each(['/v1/chat/completions', '/v1/messages'])('answers 413 on %s to a chunked body without Content-Length once it passes the limit', async (route) => {
    const head = `POST ${route} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const sent = await upload(port, head, 100 * MiB, { chunked: true });
    expectErrorInDialect(route, sent.response, 413, 'request_too_large', 'request_too_large');
    // Read up to the limit, then refused: the other 60 MB were never sent.
    expect(sent.sentBeforeAnswer).toBeGreaterThan(32 * MiB);
    expect(sent.sentBeforeAnswer).toBeLessThan(48 * MiB);
  });

  it('lets a client that uploads all 100 MB before reading still read its 413 (no reset)', async () => {
    const head = `POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const sent = await upload(port, head, 100 * MiB, { chunked: true, keepSending: true });
    expect(sent.sent).toBe(100 * MiB);
    expectAnthropicError(sent.response, 413, 'request_too_large');
  });

  it('cuts a client that stalls in the middle of a refused body after a short linger', async () => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => undefined);
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${100 * MiB}\r\n\r\n{"model":`);
    const started = Date.now();
    const closedAt = await closed;
    expectOpenAIError(parseResponse(Buffer.concat(received))!, 413, 'request_too_large');
    // Cut after the 2 s linger (REFUSED_BODY_LINGER_MS; a timer is never early, so the lower bound
    // holds on any machine). Nothing else would ever cut it (no request timeout): 10 s is a loaded
    // machine's room.
    expect(closedAt - started).toBeGreaterThanOrEqual(1500);
    expect(closedAt - started).toBeLessThan(10_000);
  });
});

describe('malformed HTTP', () => {
  it('answers headers past 16 KiB with 431 in OpenAI shape, then closes', async () => {
    const { response, closed } = await exchange(port, `GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectOpenAIError(response, 431, 'headers_too_large');
    expect(response.json.error.message).toMatch(/headers are larger than this gateway accepts/);
    expect(closed).toBe(true);
  });

  it('answers oversized headers on /v1/messages in Anthropic shape', async () => {
    const { response } = await exchange(port, `POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectAnthropicError(response, 431, 'invalid_request_error');
  });

  it.each<[string, string, string]>([
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', /Invalid method/.source],
    ['an unknown method', 'BREW /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n\r\n', /Invalid method/.source],
    ['an HTTP version that does not exist', 'GET /v1/models HTTP/9.9\r\nHost: localhost\r\n\r\n', /Invalid HTTP version/.source],
    ['a header line without a colon', 'GET /v1/models HTTP/1.1\r\nHost: localhost\r\nnot a header\r\n\r\n', /header/.source],
    ['a TLS handshake on the plain port', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', /Invalid method/.source],
    ['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', /PRI/.source],
  ])('answers %s with 400 malformed_http in OpenAI shape, then closes', async (_label, bytes, reason) => {
    const { response, closed } = await exchange(port, bytes);
    expectOpenAIError(response, 400, 'malformed_http');
    expect(response.json.error.message).toMatch(new RegExp(`not valid HTTP/1\\.1: .*${reason}`));
    expect(closed).toBe(true);
  });

  it.each<[string, string]>([
    ['a broken chunk size', 'POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['two Content-Lengths', 'POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['Content-Length with chunked encoding', 'POST /v1/messages?beta=true HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n'],
  ])('answers %s on /v1/messages with 400 in Anthropic shape', async (_label, bytes) => {
    const { response, closed } = await exchange(port, bytes);
    expectAnthropicError(response, 400, 'invalid_request_error');
    expect(response.json.error.message).toMatch(/not valid HTTP\/1\.1/);
    expect(closed).toBe(true);
  });

  it('answers CONNECT with 405 in OpenAI shape instead of a silent close', async () => {
    const { response, closed } = await exchange(port, 'CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n');
    expectOpenAIError(response, 405, 'method_not_allowed');
    expect(response.json.error.message).toMatch(/not a proxy/);
    expect(closed).toBe(true);
  });

  it.each<[string, string]>([
    ['PURGE', '/v1/chat/completions'],
    ['OPTIONS', '/v1/messages'],
    ['GET', '/v1/responses'],
    ['POST', '/v1/nope'],
  ])('answers %s %s (no such route) with 404 in the route dialect', async (method, route) => {
    const { response } = await exchange(port, `${method} ${route} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expectErrorInDialect(route, response, 404, 'unknown_url', 'not_found_error');
  });

  it.each(ROUTES)('answers a form-encoded body on %s with 415 in the route dialect', async (route) => {
    const body = 'model=llama-3.1-8b';
    const { response } = await exchange(
      port,
      `POST ${route} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expectErrorInDialect(route, response, 415, 'unsupported_media_type', 'invalid_request_error');
  });

  it('still serves requests afterwards', async () => {
    const completion = await gateway.openai.chat.completions.create({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'still there?' }] });
    expect(completion.choices[0].message.content).toBe('You said: still there?');
  });
});
