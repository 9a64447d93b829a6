// OpenAICompatibleExecutor over an undici MockAgent: the request it sends (URL, auth, headers,
// body passthrough), and what it makes of JSON, streams, error statuses and broken answers.
import { MockAgent } from 'undici';
import type { ProviderInstanceConfig } from '../../config/gateway-config';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { SseEvent } from '../../protocol/sse';
import type { Credential, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { OPENAI_DEFAULT_BASE_URL, OpenAICompatibleExecutor } from './openai-compatible.executor';

const ORIGIN = 'http://vllm.test';

interface Seen {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

function instanceConfig(settings: ProviderInstanceConfig['settings'] = {}): ProviderInstanceConfig {
  return { name: 'local', type: 'openai-compatible', enabled: true, settings: { base_url: `${ORIGIN}/v1`, ...settings }, raw: {} };
}

const chatBody = (): ChatCompletionRequest => ({
  model: 'llama-3.1-8b',
  messages: [{ role: 'user', content: 'hi' }],
  temperature: 0.2,
  vendor_flag: { keep: ['me', 1] },
});

function call(overrides: Partial<UpstreamCall<ChatCompletionRequest>> = {}): UpstreamCall<ChatCompletionRequest> {
  const body = overrides.body ?? chatBody();
  return {
    instance: instanceConfig(),
    credential: { kind: 'api-key', id: 'api_key', key: 'sk-test' },
    model: body.model,
    body,
    stream: false,
    signal: new AbortController().signal,
    requestId: 'req-1',
    ...overrides,
  };
}

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'llama-3.1-8b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

const chunk = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'llama-3.1-8b',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

const sse = (...frames: Array<object | string>) =>
  frames.map((f) => `data: ${typeof f === 'string' ? f : JSON.stringify(f)}\n\n`).join('');

async function collect(events: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}

function streamOf(result: UpstreamResult): AsyncIterable<SseEvent> {
  if (result.kind !== 'stream') throw new Error(`expected a stream result, got ${result.kind}`);
  return result.events;
}

describe('OpenAICompatibleExecutor', () => {
  let agent: MockAgent;
  let http: UpstreamHttp;
  let executor: OpenAICompatibleExecutor;
  let seen: Seen[];

  /** Answers the next POST to origin+path, recording the request. */
  function upstream(
    status: number,
    data: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    origin = ORIGIN,
    path = '/v1/chat/completions',
  ): void {
    agent
      .get(origin)
      .intercept({ path, method: 'POST' })
      .reply((opts) => {
        seen.push({
          origin,
          path: opts.path,
          method: opts.method,
          headers: opts.headers as Record<string, string>,
          body: String(opts.body),
        });
        return { statusCode: status, data, responseOptions: { headers } };
      });
  }

  beforeEach(() => {
    seen = [];
    agent = new MockAgent();
    agent.disableNetConnect();
    http = new UpstreamHttp(agent);
    executor = new OpenAICompatibleExecutor(new OpenAIChatForwarder(http), http);
  });
  afterEach(() => agent.close());

  it('speaks openai-chat', () => {
    expect(executor.protocol).toBe('openai-chat');
  });

  describe('the request it sends', () => {
    it.each<[string, string]>([
      ['without a trailing slash', `${ORIGIN}/v1`],
      ['with a trailing slash', `${ORIGIN}/v1/`],
      ['with several trailing slashes', `${ORIGIN}/v1//`],
    ])('posts to <base_url>/chat/completions, base_url %s', async (_label, baseUrl) => {
      upstream(200, JSON.stringify(completion));
      await executor.execute(call({ instance: instanceConfig({ base_url: baseUrl }) }));
      expect(seen.map((s) => [s.method, s.origin, s.path])).toEqual([['POST', ORIGIN, '/v1/chat/completions']]);
    });

    it("defaults to OpenAI's base URL", async () => {
      const url = new URL(OPENAI_DEFAULT_BASE_URL);
      upstream(200, JSON.stringify(completion), undefined, url.origin, `${url.pathname}/chat/completions`);
      await executor.execute(call({ instance: { ...instanceConfig(), settings: {} } }));
      expect(seen.map((s) => `${s.origin}${s.path}`)).toEqual(['https://api.openai.com/v1/chat/completions']);
    });

    it("uses a key's own base_url over the instance's", async () => {
      upstream(200, JSON.stringify(completion), undefined, 'http://eu.vllm.test', '/v2/chat/completions');
      const credential: Credential = { kind: 'api-key', id: 'api_keys[1]', key: 'sk-eu', baseUrl: 'http://eu.vllm.test/v2/' };
      await executor.execute(call({ credential }));
      expect(seen.map((s) => [`${s.origin}${s.path}`, s.headers.authorization])).toEqual([
        ['http://eu.vllm.test/v2/chat/completions', 'Bearer sk-eu'],
      ]);
    });

    it('sends Authorization: Bearer <key>, JSON content type, and the instance headers', async () => {
      upstream(200, JSON.stringify(completion));
      await executor.execute(call({ instance: instanceConfig({ headers: { 'X-Team': 'research', 'HTTP-Referer': 'https://app' } }) }));
      // Header names are case-insensitive on the wire; compare them lower-cased.
      const sent = Object.fromEntries(Object.entries(seen[0].headers).map(([k, v]) => [k.toLowerCase(), v]));
      expect(sent).toEqual({
        'x-team': 'research',
        'http-referer': 'https://app',
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: 'Bearer sk-test',
      });
    });

    // Bug: the gateway's own headers override instance headers only when both are spelled in
    // lower case, so `Content-Type:` in providers.yaml goes out next to `content-type:`, and a
    // configured `Authorization:` next to the key's `authorization:` (two headers on the wire).
    it.each<[string, string, string]>([
      ['Content-Type', 'text/plain', 'application/json'],
      ['Accept', 'text/html', 'application/json'],
      ['Authorization', 'Bearer from-headers', 'Bearer sk-test'],
    ])('sends one %s header, the gateway’s, whatever case the instance headers use', async (name, configured, expected) => {
      upstream(200, JSON.stringify(completion));
      await executor.execute(call({ instance: instanceConfig({ headers: { [name]: configured } }) }));
      const sent = Object.entries(seen[0].headers).filter(([key]) => key.toLowerCase() === name.toLowerCase());
      expect(sent.map(([, value]) => value)).toEqual([expected]);
    });

    it('sends no Authorization header without a key', async () => {
      upstream(200, JSON.stringify(completion));
      await executor.execute(call({ credential: { kind: 'none' } }));
      expect(Object.keys(seen[0].headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    });

    it('asks for text/event-stream when streaming', async () => {
      upstream(200, sse('[DONE]'), { 'content-type': 'text/event-stream' });
      await collect(streamOf(await executor.execute(call({ stream: true, body: { ...chatBody(), stream: true } }))));
      expect(seen[0].headers.accept).toBe('text/event-stream');
    });

    it('sends the body unchanged, unknown fields included, when the model needs no rewrite', async () => {
      upstream(200, JSON.stringify(completion));
      const body = chatBody();
      const before = JSON.stringify(body);
      await executor.execute(call({ body, model: 'llama-3.1-8b' }));
      expect(seen[0].body).toBe(before);
      expect(JSON.stringify(body)).toBe(before);
    });

    it('rewrites only `model` when the upstream knows the model by another id', async () => {
      upstream(200, JSON.stringify(completion));
      const body = { ...chatBody(), model: 'local/llama-3.1-8b' };
      await executor.execute(call({ body, model: 'llama-3.1-8b' }));
      expect(JSON.parse(seen[0].body)).toStrictEqual({ ...chatBody(), model: 'llama-3.1-8b' });
      expect(Object.keys(JSON.parse(seen[0].body))).toEqual(Object.keys(body));
      expect(body.model).toBe('local/llama-3.1-8b'); // the client's object is not mutated
    });

    it("uses the instance's timeout_ms, else the 10 minute default", async () => {
      const request = jest.spyOn(http, 'request');
      upstream(200, JSON.stringify(completion));
      upstream(200, JSON.stringify(completion));
      await executor.execute(call({ instance: instanceConfig({ timeout_ms: 1234 }) }));
      await executor.execute(call());
      expect(request.mock.calls.map(([r]) => [r.timeouts.firstByteMs, r.instance])).toEqual([
        [1234, 'local'],
        [600_000, 'local'],
      ]);
    });
  });

  describe('a JSON answer', () => {
    it('resolves with status, kept headers, the body as it came and the parsed body', async () => {
      // Pretty-printed, keys in the upstream's order: `raw` must be these very bytes.
      const { usage, ...rest } = completion;
      const text = `${JSON.stringify({ usage, ...rest }, null, 2)}\n`;
      upstream(200, text, {
        'content-type': 'application/json',
        'x-ratelimit-remaining-requests': '59',
        'set-cookie': 'a=b',
      });
      const result = await executor.execute(call());
      if (result.kind !== 'json') throw new Error(`expected a JSON result, got ${result.kind}`);
      expect({ kind: result.kind, status: result.status, headers: result.headers, raw: result.raw }).toStrictEqual({
        kind: 'json',
        status: 200,
        headers: { 'x-ratelimit-remaining-requests': '59' },
        raw: text,
      });
      expect(result.parsed()).toStrictEqual(completion);
    });

    it('rejects a 200 whose body is JSON but not an object: no completion looks like that', async () => {
      upstream(200, ' "model overloaded" ');
      await expect(executor.execute(call())).rejects.toMatchObject({ failure: 'protocol', message: 'upstream local sent a body that is not a JSON object' });
    });

    it.each([
      ['OpenAI/OpenRouter', { error: { message: 'provider down', code: 503 } }, 503],
      ['vLLM', { object: 'error', message: 'provider down', type: 'InternalServerError', code: 500 }, 500],
      ['a bare error string', { error: 'provider down' }, 502],
    ])('rejects a 200 that carries an error payload (%s) with its status', async (_case, body, status) => {
      upstream(200, JSON.stringify(body));
      await expect(executor.execute(call())).rejects.toMatchObject({ failure: 'status', status, upstreamMessage: 'provider down' });
    });

    it('reads a stream chunk once: the executor hands it on parsed, with its bytes unchanged', async () => {
      const chunk = '{"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}';
      upstream(200, `data: ${chunk}\n\ndata: [DONE]\n\n`, { 'content-type': 'text/event-stream' });
      const result = await executor.execute(call({ stream: true }));
      if (result.kind !== 'stream') throw new Error('expected a stream');
      const events = [];
      for await (const event of result.events) events.push(event);
      expect(events).toEqual([{ data: chunk, json: JSON.parse(chunk) }]);
    });

    it('redacts the key it sent from an error chunk that quotes it (the error a client and the log see)', async () => {
      const key = 'vllm-local-Q7x2Lp9Wz4Kr';
      const chunk = JSON.stringify({ error: { message: `token "${key}" rejected (Authorization: Bearer abc123def456)`, code: 401 } });
      upstream(200, `data: ${chunk}\n\ndata: [DONE]\n\n`, { 'content-type': 'text/event-stream' });
      const result = await executor.execute(call({ stream: true, credential: { kind: 'api-key', id: 'api_key', key } }));
      if (result.kind !== 'stream') throw new Error('expected a stream');
      const failure = await (async () => {
        try {
          for await (const _ of result.events) continue;
        } catch (error) {
          return error as UpstreamError;
        }
        throw new Error('expected the stream to fail');
      })();
      expect(failure.upstreamMessage).toBe('token "[redacted]" rejected (Authorization: Bearer [redacted])');
      expect(failure.message).not.toContain(key);
    });

    it.each([
      ['not JSON', 'data: {not json\n\ndata: [DONE]\n\n', 'protocol'],
      ['JSON but not an object', 'data: [1,2]\n\ndata: [DONE]\n\n', 'protocol'],
      ['an error chunk before [DONE]', 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: {"error":{"message":"provider failed","code":502}}\n\ndata: [DONE]\n\n', 'stream'],
    ])('ends a stream whose chunk is %s with an error, never with [DONE]', async (_case, text, failure) => {
      upstream(200, text, { 'content-type': 'text/event-stream' });
      const result = await executor.execute(call({ stream: true }));
      if (result.kind !== 'stream') throw new Error('expected a stream');
      const seen: string[] = [];
      await expect(
        (async () => {
          for await (const event of result.events) seen.push(event.data);
        })(),
      ).rejects.toMatchObject({ failure });
      expect(seen.every((data) => data !== '[DONE]')).toBe(true);
    });

    it.each([
      ['HTML', '<html>captive portal</html>'],
      ['a truncated object', '{"id":"chatcmpl-1","choices":['],
      ['nothing at all', ''],
    ])('rejects a 200 whose body is %s as a protocol failure', async (_case, text) => {
      upstream(200, text, { 'content-type': 'text/html' });
      const error = await rejection(executor.execute(call()));
      expect([error.failure, error.instance, error.message]).toEqual([
        'protocol',
        'local',
        'upstream local sent a body that is not JSON',
      ]);
    });
  });

  describe('an error status', () => {
    it('rejects a 429 as a status failure keeping retry-after', async () => {
      upstream(
        429,
        JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }),
        { 'content-type': 'application/json', 'retry-after': '20', 'retry-after-ms': '19500', 'x-ratelimit-remaining-requests': '0' },
      );
      const error = await rejection(executor.execute(call()));
      expect(error).toMatchObject({
        failure: 'status',
        instance: 'local',
        status: 429,
        upstreamMessage: 'Rate limit reached',
        upstreamCode: 'rate_limit_exceeded',
        headers: { 'retry-after': '20', 'retry-after-ms': '19500' },
        message: 'upstream local answered 429: Rate limit reached',
      });
    });

    it('rejects before any stream starts when a streaming call gets a 401', async () => {
      upstream(401, JSON.stringify({ error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } }));
      const error = await rejection(executor.execute(call({ stream: true })));
      expect([error.failure, error.status, error.upstreamMessage]).toEqual(['status', 401, 'Invalid API key']);
    });

    it('reads a plain-text 5xx body as the message', async () => {
      upstream(502, 'Bad Gateway', { 'content-type': 'text/plain' });
      const error = await rejection(executor.execute(call()));
      expect([error.status, error.upstreamMessage]).toEqual([502, 'Bad Gateway']);
    });
  });

  describe('a stream', () => {
    it('yields every event up to [DONE], without [DONE], with status and kept headers', async () => {
      const frames = [chunk('Hel'), chunk('lo'), { ...chunk(''), choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }];
      upstream(200, `: keepalive\n\n${sse(...frames, '[DONE]')}`, {
        'content-type': 'text/event-stream',
        'x-ratelimit-remaining-tokens': '1000',
      });
      const result = await executor.execute(call({ stream: true }));
      expect(result).toMatchObject({ kind: 'stream', status: 200, headers: { 'x-ratelimit-remaining-tokens': '1000' } });
      const events = await collect(streamOf(result));
      expect(events.map((e) => JSON.parse(e.data))).toEqual(frames);
    });

    it('ignores anything the upstream sends after [DONE]', async () => {
      upstream(200, sse(chunk('a'), '[DONE]', chunk('late')), { 'content-type': 'text/event-stream' });
      const events = await collect(streamOf(await executor.execute(call({ stream: true }))));
      expect(events.map((e) => JSON.parse(e.data).choices[0].delta.content)).toEqual(['a']);
    });

    it('fails with a protocol error when the stream ends without [DONE], after the events it got', async () => {
      upstream(200, sse(chunk('a'), chunk('b')), { 'content-type': 'text/event-stream' });
      const result = await executor.execute(call({ stream: true }));
      const got: string[] = [];
      const drain = async () => {
        for await (const event of streamOf(result)) got.push(JSON.parse(event.data).choices[0].delta.content);
      };
      const error = await rejection(drain());
      expect(got).toEqual(['a', 'b']);
      expect([error.failure, error.instance, error.message]).toEqual([
        'protocol',
        'local',
        'upstream local ended the stream before [DONE]',
      ]);
    });

    it('fails with a protocol error on an empty 200 stream', async () => {
      upstream(200, '', { 'content-type': 'text/event-stream' });
      const error = await rejection(collect(streamOf(await executor.execute(call({ stream: true })))));
      expect(error.failure).toBe('protocol');
    });
  });

  it('reports a call whose signal is already aborted as aborted', async () => {
    upstream(200, JSON.stringify(completion));
    const error = await rejection(executor.execute(call({ signal: AbortSignal.abort() })));
    expect(error.failure).toBe('aborted');
  });

  it('reports an unreachable upstream as a connect failure', async () => {
    agent.get(ORIGIN).intercept({ path: '/v1/chat/completions', method: 'POST' }).replyWithError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
    );
    const error = await rejection(executor.execute(call()));
    expect([error.failure, error.instance]).toEqual(['connect', 'local']);
  });

  describe('listModels', () => {
    function models(status: number, body: unknown, origin = ORIGIN): void {
      agent
        .get(origin)
        .intercept({ path: '/v1/models', method: 'GET' })
        .reply((opts) => {
          seen.push({ origin, path: opts.path, method: opts.method, headers: opts.headers as Record<string, string>, body: '' });
          return { statusCode: status, data: JSON.stringify(body), responseOptions: { headers: { 'content-type': 'application/json' } } };
        });
    }
    const list = (credential: Credential = { kind: 'api-key', id: 'api_key', key: 'sk-test' }, settings: ProviderInstanceConfig['settings'] = {}) =>
      executor.listModels({ instance: instanceConfig(settings), credential, signal: new AbortController().signal });

    it("GETs <base_url>/models with the key and the instance's headers, and reads OpenAI's list shape", async () => {
      models(200, {
        object: 'list',
        data: [
          { id: 'llama-4-scout', object: 'model', created: 1767225600, owned_by: 'vllm' },
          { id: 'qwen3-coder', object: 'model', created: 0, owned_by: 'vllm' },
          { object: 'model' },
        ],
      });
      expect(await list(undefined, { headers: { 'X-Team': 'research' } })).toEqual([{ id: 'llama-4-scout', created: 1767225600 }, { id: 'qwen3-coder' }]);
      expect(seen[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
      expect(seen[0].headers).toMatchObject({ authorization: 'Bearer sk-test', 'x-team': 'research' });
    });

    it("uses a key's own base_url, and sends no authorization without a key", async () => {
      models(200, { object: 'list', data: [{ id: 'eu-model' }] }, 'http://eu.test');
      expect(await list({ kind: 'api-key', id: 'api_keys[0]', key: 'sk-eu', baseUrl: 'http://eu.test/v1' })).toEqual([{ id: 'eu-model' }]);
      models(200, { object: 'list', data: [] });
      await list({ kind: 'none' });
      expect(seen[1].headers.authorization).toBeUndefined();
    });

    it('rejects with the status error of an error answer, and a protocol error for a body without data', async () => {
      models(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      expect(await rejection(list())).toMatchObject({ failure: 'status', status: 401, upstreamMessage: 'Incorrect API key provided.' });
      models(200, { models: [] });
      expect(await rejection(list())).toMatchObject({ failure: 'protocol', message: 'upstream local answered its model list without a "data" array' });
    });
  });
});
