// The request fuzz: thousands of mutated bodies and header sets (test/support/request-mutations.ts)
// against the four POST routes, over one keep-alive undici Pool, through a gateway whose every
// upstream (chat, Claude, Codex) always answers well. So any 5xx, reset connection or hang is a
// gateway bug; every 4xx must be in the route's own error shape; every 2xx a complete answer; no
// garbage may reach an upstream; and at the end the same server still answers a valid request.
//
// FUZZ_COUNT=100000 runs longer; FUZZ_SEED=n runs another seed (the default is fixed, so `npm
// test` is repeatable); FUZZ_CASE=i rebuilds and sends only case i of that seed.
import { Writable } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import { Pool } from 'undici';
import { AnyProtocolUpstream } from './fakes/any-protocol-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';
import { Random, caseSeed, fuzzCase, type FuzzCase, type FuzzRoute } from './support/request-mutations';

const COUNT = Number(process.env.FUZZ_COUNT ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const ONLY_CASE = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 15_000;

interface Failure {
  index: number;
  route: FuzzRoute;
  mutations: string[];
  problem: string;
}

const upstream = new AnyProtocolUpstream();
/** Log lines at warn and above: the gateway logs a 5xx, a crash or a cut response there. */
const loggedProblems: string[] = [];
let gateway: RunningGateway;

beforeAll(async () => {
  await upstream.start();
  gateway = await startGateway(
    `
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.origin}/v1
    models: [fuzz-chat]
  claude:
    base_url: ${upstream.origin}
    api_key: sk-ant-fuzz
    models: [fuzz-claude]
  codex:
    base_url: ${upstream.origin}/v1
    api_key: sk-fuzz
    models: [fuzz-codex]
`,
    {
      logLevel: 'warn',
      logDestination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          loggedProblems.push(chunk.toString().slice(0, 500));
          done();
        },
      }),
    },
  );
});

afterAll(async () => {
  await gateway?.close();
  await upstream.stop();
});

/** What is wrong with the gateway's answer to one fuzz case, if anything. */
function problemWith(route: FuzzRoute, status: number, contentType: string, text: string): string | undefined {
  if (status >= 500) return `HTTP ${status}: ${text.slice(0, 300)}`;
  if (status >= 400) return errorShapeProblem(route, text);
  if (status < 200 || status >= 300) return `unexpected HTTP ${status}`;
  if (contentType.startsWith('text/event-stream')) return streamProblem(route, text);
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    return `a 2xx answer that is not JSON: ${text.slice(0, 200)}`;
  }
  const expected: Record<FuzzRoute, boolean> = {
    '/v1/chat/completions': json?.object === 'chat.completion',
    '/v1/responses': json?.object === 'response' && json?.status === 'completed',
    '/v1/messages': json?.type === 'message',
    '/v1/messages/count_tokens': typeof json?.input_tokens === 'number',
  };
  return expected[route] ? undefined : `a 2xx answer of the wrong kind: ${text.slice(0, 200)}`;
}

function errorShapeProblem(route: FuzzRoute, text: string): string | undefined {
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    return `an error body that is not JSON: ${text.slice(0, 200)}`;
  }
  if (route.startsWith('/v1/messages')) {
    const ok =
      json?.type === 'error' &&
      typeof json.error?.type === 'string' &&
      typeof json.error?.message === 'string' &&
      Object.keys(json.error).sort().join() === 'message,type';
    return ok ? undefined : `not Anthropic's error shape: ${text.slice(0, 200)}`;
  }
  const ok =
    Object.keys(json ?? {}).join() === 'error' &&
    Object.keys(json.error ?? {}).sort().join() === 'code,message,param,type' &&
    typeof json.error.message === 'string' &&
    typeof json.error.type === 'string';
  return ok ? undefined : `not OpenAI's error shape: ${text.slice(0, 200)}`;
}

/** A 2xx stream must end the way its protocol ends, with no error event on the way. */
function streamProblem(route: FuzzRoute, text: string): string | undefined {
  if (/^event: error$/m.test(text) || /^data: \{"error"/m.test(text)) return `an error inside a 2xx stream: ${text.slice(-300)}`;
  const end: Partial<Record<FuzzRoute, string>> = {
    '/v1/chat/completions': 'data: [DONE]',
    '/v1/messages': 'event: message_stop',
    '/v1/responses': 'event: response.completed',
  };
  const expected = end[route];
  if (!expected) return `a stream from ${route}`;
  return text.includes(expected) ? undefined : `a stream without ${JSON.stringify(expected)}: ${text.slice(-300)}`;
}

async function send(pool: Pool, fuzz: FuzzCase): Promise<string | undefined> {
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  try {
    const response = await pool.request({ path: fuzz.route, method: 'POST', headers: fuzz.headers, body: fuzz.body, signal });
    const text = await response.body.text();
    return problemWith(fuzz.route, response.statusCode, String(response.headers['content-type'] ?? ''), text);
  } catch (error) {
    const { name, code, message } = error as { name?: string; code?: string; message?: string };
    if (signal.aborted) return `no answer within ${REQUEST_TIMEOUT_MS} ms (a hang)`;
    return `the request failed: ${name} ${code ?? ''} ${message}`;
  }
}

it(`answers ${ONLY_CASE === undefined ? COUNT : 1} mutated requests without a 5xx, a reset or a hang, errors in the route's shape (seed ${SEED})`, async () => {
  const server = gateway.app.getHttpServer();
  const pool = new Pool(gateway.url, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const failures: Failure[] = [];
  const indices = ONLY_CASE === undefined ? Array.from({ length: COUNT }, (_, i) => i) : [ONLY_CASE];
  let next = 0;
  const worker = async () => {
    while (next < indices.length) {
      const index = indices[next++];
      const fuzz = fuzzCase(new Random(caseSeed(SEED, index)));
      const problem = await send(pool, fuzz);
      if (problem) failures.push({ index, route: fuzz.route, mutations: fuzz.mutations, problem });
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await pool.close();
  }

  const report = failures
    .slice(0, 20)
    .map((f) => `  case ${f.index} ${f.route} [${f.mutations.join('; ')}]: ${f.problem}`)
    .join('\n');
  expect({ failures: failures.length, reproduce: `FUZZ_SEED=${SEED} FUZZ_CASE=<case>`, first: report }).toEqual({
    failures: 0,
    reproduce: `FUZZ_SEED=${SEED} FUZZ_CASE=<case>`,
    first: '',
  });
  expect(upstream.garbage).toEqual([]);
  if (ONLY_CASE === undefined) {
    // Plenty of the mutated bodies were good enough to travel on, through every translation.
    const paths = ['/v1/chat/completions', '/v1/messages', '/v1/messages/count_tokens', '/v1/responses'];
    const reached = Object.fromEntries(paths.map((path) => [path, (upstream.received.get(path) ?? 0) > COUNT / 50]));
    expect(reached).toEqual(Object.fromEntries(paths.map((path) => [path, true])));
  }
  expect(loggedProblems).toEqual([]);
  // Still the one server started before the fuzz, and still answering.
  expect(gateway.app.getHttpServer()).toBe(server);
  expect(server.listening).toBe(true);
}, 600_000);

it('still answers valid requests on every route afterwards', async () => {
  const chat = await gateway.openai.chat.completions.create({ model: 'fuzz-chat', messages: [{ role: 'user', content: 'hi' }] });
  expect(chat.choices[0].message.content).toBe('ok');
  const response = await gateway.openai.responses.create({ model: 'fuzz-codex', input: 'hi' });
  expect(response.output_text).toBe('ok');
  const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
  const message = await anthropic.messages.create({ model: 'fuzz-claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  expect(message.content).toEqual([{ type: 'text', text: 'ok' }]);
  const counted = await anthropic.messages.countTokens({ model: 'fuzz-claude', messages: [{ role: 'user', content: 'hi' }] });
  expect(counted.input_tokens).toBe(7);
});
