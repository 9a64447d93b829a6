// Amp (ampcode.com's coding agent) pointed at the gateway. Its model calls go to
// /api/provider/<dialect>/…: the official openai SDK, @anthropic-ai/sdk and @google/genai with
// their base URLs under those prefixes get answers from the fakes (an OpenAI-compatible
// upstream, Anthropic's API), need a client key when keys are on (refused in each prefix's
// dialect), and are metered under the prefixed route. Amp's own API calls (/api/user,
// /api/threads, …) pass through to a fake ampcode.com — method, path, raw query and body bytes
// as sent, the answer streamed as it comes, the upstream call cut when the client leaves, the
// gateway's client key never forwarded — and are unknown routes without `amp:` in the file.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { request } from 'undici';
import { FAKE_API_KEY, FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { AMP_USER, FakeAmpUpstream } from './fakes/amp-upstream.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const CLIENT_KEY = 'byokey-amp-client-key-1';
const ADMIN_KEY = 'admin-secret-for-amp-tests';
const AMP_UPSTREAM_KEY = 'amp-shared-upstream-key';
const LLAMA = 'llama-3.1-8b';
const SONNET = 'claude-sonnet-5-5';

const openaiUpstream = new FakeOpenAIUpstream();
const anthropicUpstream = new FakeAnthropicUpstream();
const amp = new FakeAmpUpstream();
/** Keys on, `amp:` without an upstream key: the client's own Amp credentials pass through. */
let gateway: RunningGateway;
/** Open, `amp:` with an upstream key that replaces the client's. */
let keyed: RunningGateway;
/** No `amp:` at all. */
let plain: RunningGateway;

function providers(): string {
  return `
providers:
  local:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
    api_keys: [sk-local]
    models: [${LLAMA}]
  claude:
    base_url: ${anthropicUpstream.url}
    api_key: ${FAKE_API_KEY}
`;
}

beforeAll(async () => {
  await Promise.all([openaiUpstream.start(), anthropicUpstream.start(), amp.start()]);
  openaiUpstream.apiKey = 'sk-local';
  gateway = await startGateway(`
auth:
  mode: keys
  keys: [${CLIENT_KEY}]
admin:
  key: ${ADMIN_KEY}
amp:
  upstream_url: ${amp.origin}/
${providers()}`);
  keyed = await startGateway(`
amp:
  upstream_url: ${amp.origin}
  upstream_key: ${AMP_UPSTREAM_KEY}
${providers()}`);
  plain = await startGateway(providers());
});

afterAll(async () => {
  await Promise.all([gateway?.close(), keyed?.close(), plain?.close()]);
  await Promise.all([openaiUpstream.stop(), anthropicUpstream.stop(), amp.stop()]);
});

afterEach(() => {
  openaiUpstream.clearScript();
  amp.reset();
});

const openai = (key = CLIENT_KEY) => new OpenAI({ baseURL: `${gateway.url}/api/provider/openai/v1`, apiKey: key, maxRetries: 0 });
const anthropic = (key = CLIENT_KEY) => new Anthropic({ baseURL: `${gateway.url}/api/provider/anthropic`, apiKey: key, maxRetries: 0 });
const genai = (key = CLIENT_KEY) => new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: `${gateway.url}/api/provider/google` } });

/** The request's usage record, once the writer has stored it (it writes every second). */
async function recordOf(requestId: string | null): Promise<Record<string, unknown>> {
  expect(requestId).toBeTruthy();
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await request(`${gateway.url}/admin/v1/usage/records?limit=100`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const body = (await res.body.json()) as { data: Array<Record<string, unknown>> };
    const found = body.data.find((r) => r.request_id === requestId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no usage record for request ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('model calls under /api/provider/', () => {
  test('openai SDK: chat completions, whole and streamed, metered under the Amp route', async () => {
    const { data, response } = await openai().chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'hello amp' }] }).withResponse();
    expect(data.choices[0].message.content).toBe('You said: hello amp');
    expect(openaiUpstream.requests.at(-1)?.url).toBe('/v1/chat/completions');
    const record = await recordOf(response.headers.get('x-request-id'));
    expect(record).toMatchObject({ route: '/api/provider/openai/v1/chat/completions', model_requested: LLAMA, instance: 'local', status: 200, stream: false, key_id: 'static:0' });

    const stream = await openai().chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'stream it' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('You said: stream it');
  });

  test('openai SDK: Responses, translated to the chat upstream and metered under its Amp route', async () => {
    const { data, response } = await openai().responses.create({ model: LLAMA, input: 'respond please' }).withResponse();
    expect(data.output_text).toBe('You said: respond please');
    const record = await recordOf(response.headers.get('x-request-id'));
    expect(record).toMatchObject({ route: '/api/provider/openai/v1/responses', model_requested: LLAMA, instance: 'local', status: 200 });
  });

  test('openai SDK: the model list', async () => {
    const ids = [];
    for await (const model of openai().models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining([LLAMA, SONNET]));
  });

  test('Anthropic SDK: messages, whole and streamed, count_tokens and the model list', async () => {
    const { data, response } = await anthropic().messages.create({ model: SONNET, max_tokens: 64, messages: [{ role: 'user', content: 'hi claude' }] }).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text' });
    expect(anthropicUpstream.lastRequest.body.messages).toEqual([{ role: 'user', content: 'hi claude' }]);
    const record = await recordOf(response.headers.get('x-request-id'));
    expect(record).toMatchObject({ route: '/api/provider/anthropic/v1/messages', model_requested: SONNET, instance: 'claude', status: 200 });

    const streamed = await anthropic().messages.stream({ model: SONNET, max_tokens: 64, messages: [{ role: 'user', content: 'stream, claude' }] }).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'text' });

    const counted = await anthropic().messages.countTokens({ model: SONNET, messages: [{ role: 'user', content: 'count me' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);

    const ids = [];
    for await (const model of anthropic().models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining([SONNET, LLAMA]));
  });

  test('@google/genai: generateContent, its stream and countTokens, metered under the Amp route; the model list', async () => {
    const whole = await genai().models.generateContent({ model: LLAMA, contents: 'hello gemini route' });
    expect(whole.text).toBe('You said: hello gemini route');

    let streamed = '';
    for await (const chunk of await genai().models.generateContentStream({ model: LLAMA, contents: 'stream gemini route' })) streamed += chunk.text ?? '';
    expect(streamed).toBe('You said: stream gemini route');

    const counted = await genai().models.countTokens({ model: LLAMA, contents: 'count these words' });
    expect(counted.totalTokens).toBeGreaterThan(0);

    const names = [];
    for await (const model of await genai().models.list()) names.push(model.name);
    expect(names).toEqual(expect.arrayContaining([`models/${LLAMA}`, `models/${SONNET}`]));
  });

  test("Amp's Vertex-style path (v1beta1/publishers/google/models/{model}:generateContent) is the Gemini route too, and metered", async () => {
    const res = await request(`${gateway.url}/api/provider/google/v1beta1/publishers/google/models/${LLAMA}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'vertex style' }] }] }),
    });
    const body = (await res.body.json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
    expect(res.statusCode).toBe(200);
    expect(body.candidates[0].content.parts[0].text).toBe('You said: vertex style');
    const record = await recordOf(res.headers['x-request-id'] as string);
    expect(record).toMatchObject({ route: '/api/provider/google/v1beta1/publishers/google/models/*', model_requested: LLAMA, instance: 'local', status: 200 });
    // What the chat upstream counted, carried through the Gemini translation.
    expect((record.tokens as { input: number; output: number }).input).toBeGreaterThan(0);
    expect((record.tokens as { input: number; output: number }).output).toBeGreaterThan(0);
  });

  test('needs a client key, refused in each prefix’s dialect', async () => {
    const refusedOpenAI = await openai('not-a-key').chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(refusedOpenAI).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refusedOpenAI as InstanceType<typeof OpenAI.APIError>).type).toBe('authentication_error');

    const refusedAnthropic = await anthropic('not-a-key').messages.create({ model: SONNET, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(refusedAnthropic).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((refusedAnthropic as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const refusedGoogle = await genai('not-a-key').models.generateContent({ model: LLAMA, contents: 'x' }).catch((e: unknown) => e);
    expect(refusedGoogle).toBeInstanceOf(ApiError);
    expect((refusedGoogle as ApiError).status).toBe(401);
    expect(JSON.parse((refusedGoogle as ApiError).message)).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });

    // An unknown model comes back in the prefix's dialect too.
    const unknown = await anthropic().messages.create({ model: 'no-such-model', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect((unknown as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  test('served with no `amp:` in the file as well', async () => {
    const client = new OpenAI({ baseURL: `${plain.url}/api/provider/openai/v1`, apiKey: 'anything', maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: LLAMA, messages: [{ role: 'user', content: 'plain' }] });
    expect(answer.choices[0].message.content).toBe('You said: plain');
  });
});

describe('pass-through of Amp’s own API to the Amp upstream', () => {
  test('forwards method, path and raw query; the client key stays, Amp’s own credentials and the answer pass', async () => {
    const res = await request(`${gateway.url}/api/user?x=a%2Bb&x=c&empty=`, {
      headers: { 'x-api-key': CLIENT_KEY, authorization: 'Bearer amp-user-token', 'x-forwarded-for': '10.1.2.3', 'x-amp-client': 'cli' },
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual(AMP_USER);
    expect(amp.last).toMatchObject({ method: 'GET', url: '/api/user?x=a%2Bb&x=c&empty=' });
    expect(amp.last.headers.authorization).toBe('Bearer amp-user-token');
    expect(amp.last.headers['x-amp-client']).toBe('cli');
    expect(amp.last.headers['x-api-key']).toBeUndefined();
    expect(amp.last.headers['x-forwarded-for']).toBeUndefined();
    // The gateway's request id, not one of the upstream's.
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  test('forwards a JSON body byte for byte, and other methods and content types; passes status and headers back', async () => {
    const json = '{\n  "title" : "T-1",  "n": 1.0\n}';
    const posted = await request(`${gateway.url}/api/threads/T-1?draft=1`, { method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' }, body: json });
    expect(posted.statusCode).toBe(201);
    expect(posted.headers['x-amp-fake']).toBe('echo');
    expect(await posted.body.json()).toEqual({ method: 'POST', url: '/api/threads/T-1?draft=1', body: json });
    // The gateway's key was the bearer: not forwarded.
    expect(amp.last.headers.authorization).toBeUndefined();

    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const patched = await request(`${gateway.url}/api/telemetry`, { method: 'PATCH', headers: { 'x-api-key': CLIENT_KEY, 'content-type': 'application/octet-stream' }, body: bytes });
    expect(patched.statusCode).toBe(201);
    await patched.body.dump();
    expect(amp.last.method).toBe('PATCH');
    expect(amp.last.body.equals(bytes)).toBe(true);
    expect(amp.last.headers['content-type']).toBe('application/octet-stream');

    const deleted = await request(`${gateway.url}/api/threads/T-1`, { method: 'DELETE', headers: { 'x-api-key': CLIENT_KEY } });
    expect(deleted.statusCode).toBe(201);
    await deleted.body.dump();
    expect(amp.last).toMatchObject({ method: 'DELETE', url: '/api/threads/T-1' });
    expect(amp.last.body.length).toBe(0);
  });

  test('passes Amp’s management API (/v0/management/*) through the same way', async () => {
    const json = '{"enabled":true}';
    const res = await request(`${gateway.url}/v0/management/settings/amp?scope=user`, {
      method: 'PUT',
      headers: { 'x-api-key': CLIENT_KEY, authorization: 'Bearer amp-user-token', 'content-type': 'application/json' },
      body: json,
    });
    expect(res.statusCode).toBe(201);
    expect(await res.body.json()).toEqual({ method: 'PUT', url: '/v0/management/settings/amp?scope=user', body: json });
    expect(amp.last.headers.authorization).toBe('Bearer amp-user-token');
    expect(amp.last.headers['x-api-key']).toBeUndefined();
  });

  test('streams the answer: the first part arrives before the upstream has finished', async () => {
    const res = await request(`${gateway.url}/api/stream`, { headers: { 'x-api-key': CLIENT_KEY } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const reader = res.body[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(Buffer.from(first.value as Buffer).toString('utf8')).toBe('data: {"part":1}\n\n');
    amp.release();
    let rest = '';
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest += Buffer.from(next.value as Buffer).toString('utf8');
    expect(rest).toBe('data: {"part":2}\n\n');
  });

  test('a client that leaves mid-answer cuts the upstream call', async () => {
    const res = await request(`${gateway.url}/api/hang`, { headers: { 'x-api-key': CLIENT_KEY } });
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    res.body.destroy();
    await amp.waitForCut();
  });

  test('needs a client key like every public route; nothing reaches the upstream without one', async () => {
    const res = await request(`${gateway.url}/api/user`, { headers: { authorization: 'Bearer amp-user-token' } });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toMatchObject({ error: { type: 'authentication_error' } });
    expect(amp.requests).toHaveLength(0);
  });

  test('/api/provider/ paths the gateway does not serve are unknown routes, not passed through', async () => {
    const res = await request(`${gateway.url}/api/provider/openai/v1/embeddings-nope`, { method: 'POST', headers: { 'x-api-key': CLIENT_KEY, 'content-type': 'application/json' }, body: '{}' });
    expect(res.statusCode).toBe(404);
    await res.body.dump();
    expect(amp.requests).toHaveLength(0);
  });

  test('amp.upstream_key replaces whatever credentials the client sent', async () => {
    const res = await request(`${keyed.url}/api/user`, { headers: { authorization: 'Bearer amp-user-token', 'x-goog-api-key': 'something' } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(amp.last.headers.authorization).toBe(`Bearer ${AMP_UPSTREAM_KEY}`);
    expect(amp.last.headers['x-api-key']).toBe(AMP_UPSTREAM_KEY);
    expect(amp.last.headers['x-goog-api-key']).toBeUndefined();
  });

  test('a web page of another site cannot use the pass-through (nor its upstream key) through a visitor\'s browser', async () => {
    const res = await request(`${keyed.url}/api/threads`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: 'delete everything' });
    expect(res.statusCode).toBe(403);
    expect(await res.body.json()).toMatchObject({ error: { code: 'cross_site_request' } });
    expect(amp.requests).toHaveLength(0);
  });

  test('an Amp upstream that cannot be reached is a 502 naming it', async () => {
    const unreachable = await startGateway(`amp:\n  upstream_url: http://127.0.0.1:1\n`);
    try {
      const res = await request(`${unreachable.url}/api/user`);
      expect(res.statusCode).toBe(502);
      expect(await res.body.json()).toMatchObject({ error: { type: 'server_error', message: expect.stringContaining('amp') } });
    } finally {
      await unreachable.close();
    }
  });

  test('the CLI\'s login pages redirect to the Amp upstream\'s, the query kept verbatim', async () => {
    const cli = await request(`${gateway.url}/auth/cli-login?authToken=abc123&callbackPort=35789&x=a%2Bb`);
    expect(cli.statusCode).toBe(302);
    expect(cli.headers.location).toBe(`${amp.origin}/auth/cli-login?authToken=abc123&callbackPort=35789&x=a%2Bb`);
    await cli.body.dump();
    const login = await request(`${gateway.url}/v1/login`);
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toBe(`${amp.origin}/login`);
    await login.body.dump();
  });

  test('without `amp:` in the file the paths are unknown routes', async () => {
    for (const path of ['/auth/cli-login?authToken=abc', '/v1/login']) {
      const res = await request(`${plain.url}${path}`);
      expect(res.statusCode).toBe(404);
      await res.body.dump();
    }
    const management = await request(`${plain.url}/v0/management/settings`);
    expect(management.statusCode).toBe(404);
    await management.body.dump();
    const got = await request(`${plain.url}/api/user`);
    expect(got.statusCode).toBe(404);
    expect(await got.body.json()).toMatchObject({ error: { type: 'not_found_error', code: 'unknown_url', message: 'Unknown route: GET /api/user.' } });
    const posted = await request(`${plain.url}/api/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(posted.statusCode).toBe(404);
    await posted.body.dump();
    expect(amp.requests).toHaveLength(0);
  });
});
