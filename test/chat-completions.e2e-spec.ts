// POST /v1/chat/completions through the real gateway to fake OpenAI-compatible upstreams,
// driven by the official openai SDK (and raw HTTP where the bytes matter): what a user sees.
import OpenAI from 'openai';
import { request } from 'undici';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const USER = [{ role: 'user' as const, content: 'hello' }];

async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<OpenAI.ChatCompletionChunk[]> {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function text(chunks: OpenAI.ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

async function postRaw(gateway: RunningGateway, body: string | object, headers: Record<string, string> = {}) {
  const res = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('POST /v1/chat/completions (openai-compatible upstream)', () => {
  const upstream = new FakeOpenAIUpstream();
  const pooled = new FakeOpenAIUpstream();
  let gateway: RunningGateway;

  beforeAll(async () => {
    await upstream.start();
    await pooled.start();
    upstream.apiKey = 'sk-upstream';
    gateway = await startGateway(`
server:
  sse_keepalive_ms: 150
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-upstream
    models: [llama-3.1-8b, meta-llama/llama-3.1-70b]
    headers:
      X-Team: research
  slow:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-upstream
    timeout_ms: 400
    models: [slow-model]
  dead:
    type: openai-compatible
    base_url: http://127.0.0.1:9/v1
    models: [dead-model]
  pool:
    type: openai-compatible
    base_url: ${pooled.url}
    api_keys: [sk-one, {key: sk-two}]
    models: [pool-model]
  off:
    type: openai-compatible
    enabled: false
    base_url: ${upstream.url}
    models: [off-model]
  # A 429 or 401 rests the credential that got it; these tests use credentials of their own.
  limited:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-upstream
    models: [limited-model]
  rejected:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-upstream
    models: [rejected-model]
`);
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream.stop();
    await pooled.stop();
  });

  describe('happy paths', () => {
    it('answers a non-stream request with the upstream completion', async () => {
      const completion = await gateway.openai.chat.completions.create({ model: 'llama-3.1-8b', messages: USER });
      expect(completion.object).toBe('chat.completion');
      expect(completion.choices[0].message.content).toBe('You said: hello');
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    });

    it('sends a non-stream answer on as the very bytes the upstream sent', async () => {
      // Key order, indentation and the trailing newline are the upstream's, not what JSON.stringify would make.
      const raw =
        '{\n  "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},\n  "model": "llama-3.1-8b",\n' +
        '  "id": "chatcmpl-raw", "object": "chat.completion", "created": 1,\n' +
        '  "choices": [{"index": 0, "message": {"role": "assistant", "content": "h\\u00e9llo \u00e9"}, "finish_reason": "stop", "logprobs": null}],\n' +
        '  "vendor_extra": {"kept": true}\n}\n';
      upstream.script({ kind: 'json', rawBody: raw });
      const res = await postRaw(gateway, { model: 'llama-3.1-8b', messages: USER });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.text).toBe(raw);
      expect(JSON.parse(res.text).choices[0].message.content).toBe('h\u00e9llo \u00e9');
    });

    it('forwards the body as sent, with the gateway key and instance headers instead of the client key', async () => {
      await gateway.openai.chat.completions.create({
        model: 'llama-3.1-8b',
        messages: USER,
        temperature: 0.3,
        // A field the gateway has never heard of must reach the upstream untouched.
        ...({ vendor_extension: { top_k: 40 } } as object),
      });
      const sent = upstream.lastRequest;
      expect(sent.url).toBe('/v1/chat/completions');
      expect(sent.headers.authorization).toBe('Bearer sk-upstream');
      expect(sent.headers['x-team']).toBe('research');
      expect(sent.body).toEqual({ model: 'llama-3.1-8b', messages: USER, temperature: 0.3, vendor_extension: { top_k: 40 } });
    });

    it('sends a body it forwards unchanged as the client\'s own bytes: a big integer, 1.0 and the spacing survive', async () => {
      // JSON.parse and JSON.stringify would make the seed 12345678901234567000 and the temperature 1.
      const raw = '{ "model": "llama-3.1-8b",\n  "messages": [{"role": "user", "content": "h\\u00e9llo"}],\n  "seed": 12345678901234567890, "temperature": 1.0 }';
      for (const stream of [false, true]) {
        const body = stream ? raw.replace(' }', ', "stream": true, "stream_options": {"include_usage": true} }') : raw;
        const res = await postRaw(gateway, body);
        expect(res.status).toBe(200);
        expect(upstream.lastRequest.text).toBe(body);
      }
      // A stream that did not ask for usage is asked for it: the field appended to the same bytes.
      const streamed = raw.replace(' }', ', "stream": true }');
      expect((await postRaw(gateway, streamed)).status).toBe(200);
      expect(upstream.lastRequest.text).toBe(`${streamed.slice(0, -1)},"stream_options":{"include_usage":true}}`);
    });

    it('serializes a body again when it must: another model id sent, usage asked for beside other options, or a key named twice', async () => {
      await postRaw(gateway, '{"model": "local/llama-3.1-8b", "messages": [{"role": "user", "content": "hi"}], "seed": 1.0}');
      expect(upstream.lastRequest.text).toBe('{"model":"llama-3.1-8b","messages":[{"role":"user","content":"hi"}],"seed":1}');
      await postRaw(gateway, '{"model": "llama-3.1-8b", "messages": [{"role": "user", "content": "hi"}], "stream": true, "stream_options": {"include_obfuscation": false}}');
      expect(upstream.lastRequest.text).toBe('{"model":"llama-3.1-8b","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}}');
      // The gateway routed, checked and counted the last of two models: the upstream must not see the first.
      await postRaw(gateway, '{"model": "dead-model", "model": "llama-3.1-8b", "messages": [{"role": "user", "content": "hi"}]}');
      expect(upstream.lastRequest.text).toBe('{"model":"llama-3.1-8b","messages":[{"role":"user","content":"hi"}]}');
    });

    it('serves a listed model id that contains a slash, and sends it unchanged', async () => {
      await gateway.openai.chat.completions.create({ model: 'meta-llama/llama-3.1-70b', messages: USER });
      expect(upstream.lastRequest.body.model).toBe('meta-llama/llama-3.1-70b');
    });

    it('routes `instance/model` to that instance and sends the bare model upstream', async () => {
      const completion = await gateway.openai.chat.completions.create({ model: 'local/some-unlisted-model', messages: USER });
      expect(completion.choices[0].message.content).toBe('You said: hello');
      expect(upstream.lastRequest.body.model).toBe('some-unlisted-model');
    });

    it('streams chunks, with the role first and finish_reason last, and no usage unless asked', async () => {
      const chunks = await collect(
        await gateway.openai.chat.completions.create({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'stream please' }], stream: true }),
      );
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(text(chunks)).toBe('You said: stream please');
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
      expect(chunks.every((c) => c.usage === undefined)).toBe(true);
    });

    it('passes the usage chunk (choices: []) before [DONE] when stream_options.include_usage is set', async () => {
      const chunks = await collect(
        await gateway.openai.chat.completions.create({
          model: 'llama-3.1-8b',
          messages: USER,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual({
        prompt_tokens: 12,
        completion_tokens: 5,
        total_tokens: 17,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    });

    it('streams tool-call deltas that reassemble into the call', async () => {
      const stream = gateway.openai.chat.completions.stream({
        model: 'llama-3.1-8b',
        messages: [{ role: 'user', content: 'list files' }],
        tools: [{ type: 'function', function: { name: 'shell', parameters: { type: 'object', properties: {} } } }],
      });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0].message.tool_calls?.[0];
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      expect(call).toMatchObject({ id: 'call_Q1xY9z', type: 'function', function: { name: 'shell', arguments: '{"command":["ls","-la"]}' } });
    });

    it('returns tool calls in a non-stream answer', async () => {
      const completion = await gateway.openai.chat.completions.create({
        model: 'llama-3.1-8b',
        messages: [{ role: 'user', content: 'list files' }],
        tools: [{ type: 'function', function: { name: 'shell', parameters: { type: 'object', properties: {} } } }],
      });
      expect(completion.choices[0].message.content).toBeNull();
      expect(completion.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'shell' } });
    });

    it('frames the stream exactly as OpenAI does: data lines, blank-line separated, ending in [DONE]', async () => {
      const res = await postRaw(gateway, { model: 'llama-3.1-8b', messages: USER, stream: true });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text.endsWith('data: [DONE]\n\n')).toBe(true);
      const frames = res.text.split('\n\n').filter(Boolean);
      expect(frames.length).toBeGreaterThan(3);
      for (const frame of frames) expect(frame).toMatch(/^data: /);
      expect(res.text).not.toMatch(/^event:/m);
      for (const frame of frames.slice(0, -1)) expect(JSON.parse(frame.slice(6)).object).toBe('chat.completion.chunk');
    });

    it('hands out api_keys in turn', async () => {
      for (let i = 0; i < 4; i++) await gateway.openai.chat.completions.create({ model: 'pool-model', messages: USER });
      expect(pooled.requests.slice(-4).map((r) => r.headers.authorization)).toEqual([
        'Bearer sk-one',
        'Bearer sk-two',
        'Bearer sk-one',
        'Bearer sk-two',
      ]);
    });
  });

  describe('request ids', () => {
    it('echoes the client x-request-id', async () => {
      const res = await postRaw(gateway, { model: 'llama-3.1-8b', messages: USER }, { 'x-request-id': 'trace-abc-123' });
      expect(res.headers['x-request-id']).toBe('trace-abc-123');
    });

    it('generates one when the client sends none, also on errors', async () => {
      const ok = await postRaw(gateway, { model: 'llama-3.1-8b', messages: USER });
      const bad = await postRaw(gateway, '{');
      for (const res of [ok, bad]) expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(ok.headers['x-request-id']).not.toBe(bad.headers['x-request-id']);
    });

    it('is what the SDK reports as the request id', async () => {
      const completion = await gateway.openai.chat.completions.create({ model: 'llama-3.1-8b', messages: USER }, { headers: { 'x-request-id': 'sdk-req-7' } });
      expect(completion._request_id).toBe('sdk-req-7');
    });
  });

  describe('bad input gets a 400-class OpenAI error naming the problem', () => {
    it.each([
      ['malformed JSON', '{"model": "llama-3.1-8b", "messages": [', 400, null, 'invalid_json', /not valid JSON/],
      ['an empty body', '', 400, null, 'invalid_json', /empty/],
      ['a JSON array', '[1,2]', 400, null, null, /must be a JSON object/],
      ['a missing model', { messages: USER }, 400, 'model', 'missing_required_parameter', /`model`/],
      ['a numeric model', { model: 42, messages: USER }, 400, 'model', 'invalid_type', /`model` must be a non-empty string/],
      ['missing messages', { model: 'llama-3.1-8b' }, 400, 'messages', 'missing_required_parameter', /`messages`/],
      ['messages not an array', { model: 'llama-3.1-8b', messages: 'hi' }, 400, 'messages', 'invalid_type', /must be an array/],
      ['empty messages', { model: 'llama-3.1-8b', messages: [] }, 400, 'messages', 'empty_array', /at least one message/],
      ['a bad role', { model: 'llama-3.1-8b', messages: [{ role: 'robot', content: 'x' }] }, 400, 'messages[0].role', 'invalid_value', /robot/],
      ['numeric content', { model: 'llama-3.1-8b', messages: [{ role: 'user', content: 5 }] }, 400, 'messages[0].content', 'invalid_type', /content/],
      ['a string stream flag', { model: 'llama-3.1-8b', messages: USER, stream: 'yes' }, 400, 'stream', 'invalid_type', /`stream` must be a boolean/],
      ['a string temperature', { model: 'llama-3.1-8b', messages: USER, temperature: 'hot' }, 400, 'temperature', 'invalid_type', /number/],
      ['a fractional max_tokens', { model: 'llama-3.1-8b', messages: USER, max_tokens: 1.5 }, 400, 'max_tokens', 'invalid_type', /integer/],
      ['a tool without a name', { model: 'llama-3.1-8b', messages: USER, tools: [{ type: 'function', function: {} }] }, 400, 'tools[0].function.name', 'invalid_type', /name/],
    ])('%s', async (_case, body, status, param, code, message) => {
      const before = upstream.requests.length;
      const res = await postRaw(gateway, body as string | object);
      expect(res.status).toBe(status);
      const error = JSON.parse(res.text).error;
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(error.type).toBe('invalid_request_error');
      expect(error.param).toBe(param);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(upstream.requests.length).toBe(before);
    });

    it('rejects a body that is not JSON with 415', async () => {
      const res = await postRaw(gateway, 'model=x', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(JSON.parse(res.text).error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_media_type' });
    });

    it('answers an unknown model with 404 model_not_found and how to list models', async () => {
      const error = await gateway.openai.chat.completions.create({ model: 'gpt-nonexistent', messages: USER }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.code).toBe('model_not_found');
      expect(error.param).toBe('model');
      expect(error.message).toMatch(/gpt-nonexistent/);
      expect(error.message).toMatch(/\/v1\/models/);
    });

    it('says so when the model belongs to a disabled instance', async () => {
      const error = await gateway.openai.chat.completions.create({ model: 'off-model', messages: USER }).catch((e) => e);
      expect(error.status).toBe(404);
      expect(error.message).toMatch(/`off`.*disabled/);
    });

    it('answers unknown /v1 routes with an OpenAI-shaped 404', async () => {
      const res = await request(`${gateway.url}/v1/completions-typo`, { method: 'GET' });
      expect(res.statusCode).toBe(404);
      expect(((await res.body.json()) as any).error).toMatchObject({ type: 'not_found_error', code: 'unknown_url' });
    });
  });

  describe('upstream failures before the first byte are HTTP errors', () => {
    it('keeps a 429 and its retry-after', async () => {
      upstream.script({
        kind: 'error',
        status: 429,
        headers: { 'retry-after': '17' },
        body: { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      });
      const error = await gateway.openai.chat.completions.create({ model: 'limited-model', messages: USER }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.headers.get('retry-after')).toBe('17');
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.message).toMatch(/Rate limit reached for requests/);
    });

    it('keeps a 400 about the request, with the upstream message and param', async () => {
      upstream.script({
        kind: 'error',
        status: 400,
        body: { error: { message: "Invalid value for 'logit_bias'", type: 'invalid_request_error', param: 'logit_bias', code: null } },
      });
      const error = await gateway.openai.chat.completions.create({ model: 'llama-3.1-8b', messages: USER }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe('logit_bias');
      expect(error.message).toMatch(/Invalid value for 'logit_bias'/);
    });

    it('says the gateway credential was rejected on an upstream 401', async () => {
      upstream.script({ kind: 'error', status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } });
      const error = await gateway.openai.chat.completions.create({ model: 'rejected-model', messages: USER }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error.message).toMatch(/upstream rejected rejected the gateway's credential/);
    });

    it.each([
      ['a 500', { kind: 'error' as const, status: 500, rawBody: 'Internal Server Error' }, 502, 'upstream_error', /HTTP 500.*Internal Server Error/],
      ['a 503 with JSON', { kind: 'error' as const, status: 503, body: { error: { message: 'overloaded', type: 'server_error', param: null, code: null } } }, 502, 'upstream_error', /overloaded/],
      ['a dropped connection', { kind: 'destroy' as const }, 502, 'upstream_unreachable', /could not reach upstream local/],
      ['a body that is not JSON', { kind: 'json' as const, rawBody: '<html>oops</html>' }, 502, 'upstream_protocol_error', /not JSON/],
      ['a truncated JSON body', { kind: 'json' as const, rawBody: '{"id":"chatcmpl-1","choices":[' }, 502, 'upstream_protocol_error', /not JSON/],
      ['an empty 200', { kind: 'json' as const, rawBody: '' }, 502, 'upstream_protocol_error', /not JSON/],
    ])('maps %s to %i', async (_case, scenario, status, code, message) => {
      upstream.script(scenario);
      const error = await gateway.openai.chat.completions.create({ model: 'llama-3.1-8b', messages: USER }).catch((e) => e);
      expect(error.status).toBe(status);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });

    it('answers 502 when the upstream refuses connections', async () => {
      const error = await gateway.openai.chat.completions.create({ model: 'dead-model', messages: USER }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error.status).toBe(502);
      expect(error.code).toBe('upstream_unreachable');
      expect(error.message).toMatch(/ECONNREFUSED/);
    });

    it('answers 504 when the upstream does not answer within timeout_ms, and hangs up on it', async () => {
      upstream.script({ kind: 'hang' });
      const aborted = upstream.abortedResponses;
      const started = Date.now();
      const error = await gateway.openai.chat.completions.create({ model: 'slow-model', messages: USER }).catch((e) => e);
      expect(error.status).toBe(504);
      expect(error.code).toBe('upstream_timeout');
      // timeout_ms is 400; without it the hanging upstream would be waited on for the 600 s default.
      expect(Date.now() - started).toBeLessThan(10_000);
      await upstream.waitForAborts(aborted + 1);
    });

    it('turns a stream that fails before its first event into an HTTP error', async () => {
      upstream.script({ kind: 'stream', events: [], dropAfter: 0 });
      const error = await gateway.openai.chat.completions.create({ model: 'llama-3.1-8b', messages: USER, stream: true }).catch((e) => e);
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/lost mid-response|could not reach/);
    });
  });

  describe('failures after the first byte are in-stream errors, and nothing sent is lost', () => {
    const chunk = (content: string) => ({
      id: 'chatcmpl-x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'llama-3.1-8b',
      choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
    });

    async function readUntilError(model: string) {
      const received: string[] = [];
      const stream = await gateway.openai.chat.completions.create({ model, messages: USER, stream: true });
      const error = await (async () => {
        for await (const c of stream) received.push(c.choices[0]?.delta.content ?? '');
      })().then(
        () => undefined,
        (e) => e,
      );
      return { received, error };
    }

    it('reports a dropped upstream connection as an OpenAI error event', async () => {
      upstream.script({ kind: 'stream', events: [chunk('one '), chunk('two '), chunk('three')], dropAfter: 2 });
      const { received, error } = await readUntilError('llama-3.1-8b');
      expect(received).toEqual(['one ', 'two ']);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error.message).toMatch(/connection to upstream local was lost mid-response/);
    });

    it('treats a stream that ends without [DONE] as an error, not a success', async () => {
      upstream.script({ kind: 'stream', events: [chunk('partial')], done: false });
      const { received, error } = await readUntilError('llama-3.1-8b');
      expect(received).toEqual(['partial']);
      expect(error?.message).toMatch(/ended the stream before \[DONE\]/);
    });

    it('passes an upstream error event through to the client', async () => {
      upstream.script({
        kind: 'stream',
        events: [chunk('a'), { error: { message: 'model crashed', type: 'server_error', param: null, code: 'engine_failure' } }],
        done: true,
      });
      const { received, error } = await readUntilError('llama-3.1-8b');
      expect(received).toEqual(['a']);
      expect(error?.message).toMatch(/model crashed/);
    });

    it('ends with a timeout error when the upstream goes silent mid-stream', async () => {
      upstream.script({ kind: 'stream', events: [chunk('before '), chunk('never')], hangAfter: 1 });
      const aborted = upstream.abortedResponses;
      const { received, error } = await readUntilError('slow-model');
      expect(received).toEqual(['before ']);
      expect(error?.message).toMatch(/went silent/);
      await upstream.waitForAborts(aborted + 1);
    });

    it('writes the error event as a data line in OpenAI shape, without [DONE]', async () => {
      upstream.script({ kind: 'stream', events: [chunk('x')], dropAfter: 1 });
      const res = await postRaw(gateway, { model: 'llama-3.1-8b', messages: USER, stream: true });
      const frames = res.text.split('\n\n').filter(Boolean);
      expect(JSON.parse(frames[0].slice(6)).choices[0].delta.content).toBe('x');
      const last = JSON.parse(frames[frames.length - 1].slice(6));
      expect(last.error).toMatchObject({ type: 'server_error', code: 'upstream_unreachable', param: null });
      expect(res.text).not.toContain('[DONE]');
    });
  });

  describe('streaming behaviour', () => {
    it('sends SSE comment keepalives while the upstream is silent', async () => {
      const chunkA = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] };
      upstream.script({ kind: 'stream', events: [chunkA, chunkA], delayMs: 700 });
      const res = await postRaw(gateway, { model: 'llama-3.1-8b', messages: USER, stream: true });
      expect(res.text).toMatch(/^: keep-alive$/m);
      expect(res.text.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('keeps a Gemini client\'s JSON array (no alt=sse) alive with whitespace, never a comment', async () => {
      const chunk = (delta: object, finish: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
      upstream.script({ kind: 'stream', events: [chunk({ role: 'assistant', content: 'slow ' }), chunk({ content: 'answer' }), chunk({}, 'stop')], initialDelayMs: 700, delayMs: 400 });
      const res = await request(`${gateway.url}/v1beta/models/llama-3.1-8b:streamGenerateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const raw = await res.body.text();
      // The array opened after one keepalive interval, newlines kept it alive until the first chunk.
      expect(raw).toMatch(/^\[\n+\{/);
      expect(raw).not.toContain('keep-alive');
      const elements = JSON.parse(raw) as Array<{ candidates?: Array<{ content?: { parts?: Array<{ text?: string }> }; finishReason?: string }> }>;
      expect(elements.flatMap((e) => e.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('')).toBe('slow answer');
      expect(elements.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    });

    it('aborts the upstream at once when the client disconnects mid-stream', async () => {
      const events = Array.from({ length: 100 }, (_, i) => ({
        id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm',
        choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }],
      }));
      upstream.script({ kind: 'stream', events, delayMs: 100 });
      const before = upstream.abortedResponses;
      const controller = new AbortController();
      const stream = await gateway.openai.chat.completions.create(
        { model: 'llama-3.1-8b', messages: USER, stream: true },
        { signal: controller.signal },
      );
      const started = Date.now();
      let received = 0;
      for await (const _ of stream) {
        received++;
        controller.abort();
        break;
      }
      expect(received).toBe(1);
      await upstream.waitForAborts(before + 1);
      expect(upstream.abortedResponses).toBe(before + 1);
      // Milliseconds; far less than the 10 s the whole stream would take (a stream left to run ends
      // finished, not aborted). 5 s is a loaded machine's room.
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('aborts the upstream when the client leaves before the first byte', async () => {
      upstream.script({ kind: 'hang' });
      const before = upstream.abortedResponses;
      const seen = upstream.requests.length;
      const controller = new AbortController();
      const pending = gateway.openai.chat.completions
        .create({ model: 'llama-3.1-8b', messages: USER, stream: true }, { signal: controller.signal })
        .catch((e) => e);
      // Leave once the request is at the upstream (a fixed wait could end before it gets there).
      for (const deadline = Date.now() + 5000; upstream.requests.length === seen; ) {
        if (Date.now() > deadline) throw new Error('the request never reached the upstream');
        await new Promise((r) => setTimeout(r, 10));
      }
      controller.abort();
      expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
      await upstream.waitForAborts(before + 1);
      expect(upstream.abortedResponses).toBe(before + 1);
    });
  });
});

describe('request body limit', () => {
  const upstream = new FakeOpenAIUpstream();
  let gateway: RunningGateway;

  beforeAll(async () => {
    await upstream.start();
    gateway = await startGateway(`
server:
  body_limit: 2kb
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    models: [m]
`);
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream.stop();
  });

  it('rejects an oversized body with 413 in OpenAI shape, naming the limit', async () => {
    const error = await gateway.openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(4096) }] })
      .catch((e) => e);
    expect(error.status).toBe(413);
    expect(error.type).toBe('request_too_large');
    expect(error.message).toMatch(/2048 bytes.*server\.body_limit/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('accepts a body under the limit', async () => {
    const completion = await gateway.openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(100) }] });
    expect(completion.choices[0].message.content).toBe(`You said: ${'x'.repeat(100)}`);
  });
});
