// Checks the fake Anthropic upstream against reference/wire-protocols.md §3 with the official
// @anthropic-ai/sdk as the client (and raw fetch where the SDK hides the wire), so gateway tests
// built on the fake can trust what it accepts, rejects and sends.
import Anthropic from '@anthropic-ai/sdk';
import {
  CLAUDE_CODE_IDENTITY,
  ERRORS,
  FAKE_API_KEY,
  FAKE_OAUTH_TOKEN,
  FakeAnthropicUpstream,
  MID_CONVERSATION_SYSTEM_BETA,
  OAUTH_BETA,
  claudeCodeFingerprint,
  claudeCodeSystem,
  countInputTokens,
} from './fakes/anthropic-upstream.fake';

type Json = Record<string, any>;

const MODEL = 'claude-sonnet-4-6';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

let fake: FakeAnthropicUpstream;

beforeEach(async () => {
  fake = new FakeAnthropicUpstream();
  await fake.start();
});

afterEach(async () => {
  await fake.stop();
});

function apiKeyClient(options: Json = {}): Anthropic {
  return new Anthropic({ baseURL: fake.url, apiKey: FAKE_API_KEY, maxRetries: 0, ...options });
}

function oauthClient(options: Json = {}): Anthropic {
  return new Anthropic({
    baseURL: fake.url,
    authToken: FAKE_OAUTH_TOKEN,
    maxRetries: 0,
    defaultHeaders: { 'anthropic-beta': OAUTH_BETA },
    ...options,
  });
}

/** The SDK's types reject some invalid bodies the tests must send; this keeps the casts in one place. */
function params(overrides: Json = {}): any {
  return { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'hello there' }], ...overrides };
}

/** A raw POST, for what the SDK would not send or would hide (headers, framing). */
async function post(path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const API_HEADERS = { 'x-api-key': FAKE_API_KEY, 'anthropic-version': '2023-06-01' };

interface SseEvent {
  event: string;
  data: Json;
}

/** Strict SSE parse: every block is exactly `event: X` + `data: {json}` with data.type === X. */
function parseSse(text: string): SseEvent[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^event: \S+$/);
      expect(lines[1]).toMatch(/^data: \{/);
      const event = lines[0].slice('event: '.length);
      const data = JSON.parse(lines[1].slice('data: '.length));
      expect(data.type).toBe(event);
      return { event, data };
    });
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function expectApiError(promise: Promise<unknown>, errorClass: Function, status: number, type: string, message?: string) {
  const err = await failure(promise);
  expect(err).toBeInstanceOf(errorClass);
  expect(err.status).toBe(status);
  expect(err.type).toBe(type);
  if (message !== undefined) expect(err.apiMessage).toBe(message);
  expect(err.requestID).toMatch(/^req_/);
  expect(err.error).toMatchObject({ type: 'error', error: { type }, request_id: err.requestID });
  return err;
}

describe('answers', () => {
  it('answers messages.create (non-stream) with a Message echoing the last user text', async () => {
    const message = await apiKeyClient().messages.create(params({ messages: [{ role: 'user', content: 'what is 2+2?' }] }));
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: 'You said: what is 2+2?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.input_tokens).toBe(countInputTokens(fake.lastRequest.body));
    expect(message.usage.output_tokens).toBeGreaterThan(0);

    const request = fake.lastRequest;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages', endpoint: 'messages', stream: false, messageId: message.id });
    expect(request.auth).toEqual({ kind: 'api-key', via: 'authorization', token: FAKE_API_KEY });
    expect(request.headers['anthropic-version']).toBeTruthy();
    expect(request.body.messages).toEqual([{ role: 'user', content: 'what is 2+2?' }]);
  });

  it('streams text as Sample C: named events, a ping after the first block start, several deltas, message_stop', async () => {
    const res = await post('/v1/messages?beta=true', params({ stream: true, messages: [{ role: 'user', content: 'say hi to the fake' }] }), API_HEADERS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.text).not.toContain('[DONE]');
    const events = parseSse(res.text);
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const deltas = events.filter((e) => e.event === 'content_block_delta');
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    expect(deltas.every((d) => d.data.index === 0 && d.data.delta.type === 'text_delta')).toBe(true);
    expect(deltas.map((d) => d.data.delta.text).join('')).toBe('You said: say hi to the fake');

    const start = events[0].data.message;
    expect(start).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, content: [], stop_reason: null, stop_sequence: null });
    expect(start.usage).toEqual(expect.objectContaining({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }));
    const messageDelta = events.find((e) => e.event === 'message_delta')!.data;
    expect(messageDelta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    // Cumulative: the final output count, and the input counts again.
    expect(messageDelta.usage.output_tokens).toBeGreaterThan(1);
    expect(messageDelta.usage.input_tokens).toBe(start.usage.input_tokens);

    expect(fake.lastRequest).toMatchObject({ path: '/v1/messages', query: { beta: 'true' }, stream: true });
    expect(fake.lastRequest.auth).toMatchObject({ kind: 'api-key', via: 'x-api-key' });
    expect(fake.lastRequest.sent.map((e) => e.type)).toEqual(names);
  });

  it('streams through messages.stream() to a final message, skipping the ping', async () => {
    const stream = apiKeyClient().messages.stream(params({ messages: [{ role: 'user', content: 'stream me please' }] }));
    const pieces: string[] = [];
    stream.on('text', (delta) => pieces.push(delta));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'You said: stream me please' }]);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(pieces.join('')).toBe('You said: stream me please');
    expect(message.stop_reason).toBe('end_turn');
    expect(fake.lastRequest.body.stream).toBe(true);
  });

  it('thinks first when thinking is enabled, closing the block with a signature it remembers', async () => {
    const body = params({ max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'think about it' }] });
    const message = await apiKeyClient().messages.stream(body).finalMessage();
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const thinking = message.content[0] as Anthropic.ThinkingBlock;
    expect(thinking.thinking).toContain('think about it');
    expect(thinking.signature).toMatch(/^Eq/);
    expect(fake.issuedSignature(thinking.signature, thinking.thinking)).toBe(true);
    expect(fake.issuedSignature(thinking.signature, thinking.thinking + ' edited')).toBe(false);
    expect(message.content[1]).toEqual({ type: 'text', text: 'You said: think about it' });

    // On the wire: thinking_delta(s), then signature_delta just before the block's stop.
    const sent = fake.lastRequest.sent;
    const block0 = sent.filter((e) => e.index === 0).map((e) => e.delta?.type ?? e.type);
    expect(block0[0]).toBe('content_block_start');
    expect(block0.slice(-2)).toEqual(['signature_delta', 'content_block_stop']);
    expect(block0).toContain('thinking_delta');
  });

  it('calls the first tool with arguments streamed as input_json_delta fragments (Sample D), then answers its result', async () => {
    const client = apiKeyClient();
    const question = { role: 'user' as const, content: 'weather in Paris?' };
    const first = await client.messages.stream(params({ tools: [WEATHER_TOOL], messages: [question] })).finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toHaveLength(1);
    const call = first.content[0] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'weather in Paris?' } });
    expect(call.id).toMatch(/^toolu_/);
    const fragments = fake.lastRequest.sent.filter((e) => e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json);
    expect(fragments[0]).toBe('');
    expect(fragments.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(fragments.join(''))).toEqual({ city: 'weather in Paris?' });
    expect(fake.lastRequest.sent.find((e) => e.type === 'content_block_start')!.content_block).toEqual({
      type: 'tool_use',
      id: call.id,
      name: 'get_weather',
      input: {},
    });

    const second = await client.messages.create(
      params({
        tools: [WEATHER_TOOL],
        messages: [
          question,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny, 24°C' }] },
        ],
      }),
    );
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: Sunny, 24°C' }]);
    expect(second.stop_reason).toBe('end_turn');
  });

  it('with thinking and tools answers thinking + tool_use, and accepts the signed thinking sent back with the result', async () => {
    const client = apiKeyClient();
    const base = { max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, tools: [WEATHER_TOOL] };
    const question = { role: 'user', content: 'weather in Oslo?' };
    const first = await client.messages.stream(params({ ...base, messages: [question] })).finalMessage();
    expect(first.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    const call = first.content[1] as Anthropic.ToolUseBlock;
    const result = { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'Snow' }] }] };

    const second = await client.messages.create(params({ ...base, messages: [question, { role: 'assistant', content: first.content }, result] }));
    expect(second.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(second.content[1]).toMatchObject({ text: 'Tool said: Snow' });

    // Dropping the thinking block (what a lossy translation does) is refused.
    const withoutThinking = first.content.filter((b) => b.type !== 'thinking');
    const err = await expectApiError(
      client.messages.create(params({ ...base, messages: [question, { role: 'assistant', content: withoutThinking }, result] })),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
    );
    expect(err.apiMessage).toMatch(/^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`/);

    // A thinking block whose text changed no longer matches its signature.
    const tampered = [{ ...(first.content[0] as Anthropic.ThinkingBlock), thinking: 'something else' }, call];
    await expectApiError(
      client.messages.create(params({ ...base, messages: [question, { role: 'assistant', content: tampered }, result] })),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
      'messages.1.content.0: Invalid `signature` in `thinking` block',
    );
  });

  it('reports usage with cache fields: written on the first cached prefix, read on the next', async () => {
    const client = apiKeyClient();
    const body = params({
      system: [{ type: 'text', text: 'You are a terse assistant. '.repeat(40), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'first question' }],
    });
    const first = await client.messages.create(body);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(200);
    expect(first.usage.cache_read_input_tokens).toBe(0);

    const second = await client.messages.stream({ ...body, messages: [{ role: 'user', content: 'second question, a bit longer' }] }).finalMessage();
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeGreaterThan(0);

    const counted = await client.messages.countTokens({ model: MODEL, system: body.system, messages: [{ role: 'user', content: 'second question, a bit longer' }] });
    const u = second.usage;
    expect(u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0)).toBe(counted.input_tokens);
  });

  it('ends a text answer at a stop sequence or at max_tokens', async () => {
    const client = apiKeyClient();
    const stopped = await client.messages.create(params({ stop_sequences: ['there'], messages: [{ role: 'user', content: 'hello there friend' }] }));
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'there', content: [{ type: 'text', text: 'You said: hello ' }] });
    const cut = await client.messages.stream(params({ max_tokens: 2, messages: [{ role: 'user', content: 'a long question indeed' }] })).finalMessage();
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.content).toEqual([{ type: 'text', text: 'You said' }]); // 2 tokens = 8 characters
  });

  it('counts tokens deterministically at /v1/messages/count_tokens', async () => {
    const client = apiKeyClient();
    const body = { model: MODEL, messages: [{ role: 'user' as const, content: 'count these words please' }], tools: [WEATHER_TOOL] };
    const a = await client.messages.countTokens(body);
    const b = await client.messages.countTokens(body);
    expect(a).toEqual({ input_tokens: countInputTokens(body) });
    expect(b).toEqual(a);
    const longer = await client.messages.countTokens({ ...body, messages: [{ role: 'user', content: 'count these words please, and these too' }] });
    expect(longer.input_tokens).toBeGreaterThan(a.input_tokens);
    expect(fake.lastRequest).toMatchObject({ path: '/v1/messages/count_tokens', endpoint: 'count_tokens' });

    const err = await expectApiError(
      client.messages.countTokens({ ...body, max_tokens: 10 } as any),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
      'max_tokens: Extra inputs are not permitted',
    );
    expect(err).toBeDefined();
  });
});

describe('validation', () => {
  const invalid: Array<[string, Json, string]> = [
    ['max_tokens missing', { max_tokens: undefined }, ERRORS.maxTokensRequired],
    ['messages missing', { messages: undefined }, ERRORS.messagesRequired],
    ['messages empty', { messages: [] }, ERRORS.messagesEmpty],
    ['first message from the assistant', { messages: [{ role: 'assistant', content: 'hi' }, { role: 'user', content: 'hello' }] }, ERRORS.firstMessageUser],
    [
      'two user turns in a row',
      { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] },
      'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    ],
    [
      'a tool_result for an unknown tool_use id',
      {
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: {} }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_A', content: 'x' },
              { type: 'tool_result', tool_use_id: 'toolu_B', content: 'y' },
            ],
          },
        ],
      },
      'messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_B. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    ],
    [
      'a tool_use left without its tool_result',
      {
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: {} }] },
          { role: 'user', content: 'never mind' },
        ],
      },
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_A. Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
    ],
    [
      'a thinking block with a signature the fake never issued',
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'EqForged' }, { type: 'text', text: 'b' }] },
          { role: 'user', content: 'c' },
        ],
      },
      'messages.1.content.0: Invalid `signature` in `thinking` block',
    ],
    ['a thinking budget under 1024', { max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1023 } }, ERRORS.budgetTooSmall],
    ['a thinking budget not below max_tokens', { max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2048 } }, ERRORS.budgetNotBelowMax],
    ['temperature other than 1 with thinking', { max_tokens: 4096, temperature: 0.5, thinking: { type: 'enabled', budget_tokens: 1024 } }, ERRORS.temperatureWithThinking],
    ['an empty text block', { messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, ERRORS.emptyText],
    ['an OpenAI-only field', { stream_options: { include_usage: true } }, 'stream_options: Extra inputs are not permitted'],
    [
      'an OpenAI-style image part',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }] },
      "messages.0.content.0: Input tag 'image_url' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'tool_result', 'search_result', 'container_upload'",
    ],
    ['a tool without input_schema', { tools: [{ name: 'get_weather', description: 'x' }] }, 'tools.0.custom.input_schema: Field required'],
  ];

  it.each(invalid)('rejects %s with 400 invalid_request_error', async (_what, overrides, message) => {
    const err = await expectApiError(apiKeyClient().messages.create(params(overrides)), Anthropic.BadRequestError, 400, 'invalid_request_error', message);
    expect(fake.lastRequest.rejected).toEqual({ status: 400, type: 'invalid_request_error', message });
    expect(err.headers.get('request-id')).toBe(fake.lastRequest.requestId);
  });

  it('accepts thinking with temperature 1 and adaptive thinking', async () => {
    const client = apiKeyClient();
    const one = await client.messages.create(params({ max_tokens: 4096, temperature: 1, thinking: { type: 'enabled', budget_tokens: 1024 } }));
    expect(one.content[0].type).toBe('thinking');
    const adaptive = await client.messages.create(params({ thinking: { type: 'adaptive' } }));
    expect(adaptive.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const off = await client.messages.create(params({ thinking: { type: 'disabled' }, temperature: 0.2 }));
    expect(off.content.map((b) => b.type)).toEqual(['text']);
  });

  it('requires anthropic-version (any value accepted)', async () => {
    const client = apiKeyClient({ defaultHeaders: { 'anthropic-version': null } });
    await expectApiError(client.messages.create(params()), Anthropic.BadRequestError, 400, 'invalid_request_error', ERRORS.versionRequired);
    expect(fake.lastRequest.headers['anthropic-version']).toBeUndefined();
    const dated = await post('/v1/messages', params(), { ...API_HEADERS, 'anthropic-version': '2099-01-01' });
    expect(dated.status).toBe(200);
  });

  it('rejects a missing or unknown API key with 401 authentication_error', async () => {
    await expectApiError(
      apiKeyClient({ apiKey: 'sk-ant-api03-wrong' }).messages.create(params()),
      Anthropic.AuthenticationError,
      401,
      'authentication_error',
      // The SDK sends its apiKey as Bearer; an unknown Bearer token without the oauth beta reads as OAuth.
      ERRORS.oauthNotSupported,
    );
    const wrongKey = await post('/v1/messages', params(), { ...API_HEADERS, 'x-api-key': 'sk-ant-api03-wrong' });
    expect(wrongKey.status).toBe(401);
    expect(JSON.parse(wrongKey.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: ERRORS.invalidApiKey } });
    const none = await post('/v1/messages', params(), { 'anthropic-version': '2023-06-01' });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error.message).toBe(ERRORS.apiKeyRequired);
  });

  it('answers 400 to a body that is not JSON, 404 to other paths', async () => {
    const notJson = await post('/v1/messages', '{"model":', API_HEADERS);
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: ERRORS.invalidJson } });
    const other = await post('/v1/complete', params(), API_HEADERS);
    expect(other.status).toBe(404);
    expect(JSON.parse(other.text).error.type).toBe('not_found_error');
  });

  it('rejects the retired prompt-caching beta', async () => {
    const res = await post('/v1/messages', params(), { ...API_HEADERS, 'anthropic-beta': 'claude-code-20250219,prompt-caching-2024-07-31' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.message).toMatch(/^Unexpected value\(s\) `prompt-caching-2024-07-31` for the `anthropic-beta` header/);
  });
});

describe('mid-conversation system turns', () => {
  const messages = [
    { role: 'user', content: 'first' },
    { role: 'system', content: 'Plan mode is on.' },
    { role: 'assistant', content: 'ok' },
    { role: 'system', content: [{ type: 'text', text: 'A reminder.' }] },
    { role: 'user', content: 'second' },
  ];

  it("refuses role \"system\" without the beta, as the API did before it", async () => {
    await expectApiError(apiKeyClient().messages.create(params({ messages })), Anthropic.BadRequestError, 400, 'invalid_request_error', "messages.1.role: Input should be 'user' or 'assistant'");
  });

  it('takes them anywhere under the mid-conversation-system beta and answers the last user turn', async () => {
    const client = apiKeyClient({ defaultHeaders: { 'anthropic-beta': MID_CONVERSATION_SYSTEM_BETA } });
    const message = await client.messages.create(params({ messages }));
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'You said: second' })]);
  });

  it('still checks the conversation around them, and their content', async () => {
    const client = apiKeyClient({ defaultHeaders: { 'anthropic-beta': MID_CONVERSATION_SYSTEM_BETA } });
    await expectApiError(
      client.messages.create(params({ messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'x' }, { role: 'user', content: 'b' }] })),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
      'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    );
    await expectApiError(
      client.messages.create(params({ messages: [{ role: 'user', content: 'a' }, { role: 'system', content: '' }] })),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
      'messages.1.content: system messages take only non-empty text',
    );
  });
});

describe('OAuth (Claude Code credentials)', () => {
  it('refuses a Bearer OAuth token without the oauth beta', async () => {
    const client = oauthClient({ defaultHeaders: {} });
    await expectApiError(client.messages.create(params()), Anthropic.AuthenticationError, 401, 'authentication_error', ERRORS.oauthNotSupported);
    expect(fake.lastRequest.auth).toBeUndefined();
  });

  it('accepts a Bearer OAuth token with the beta, and reports the unified 5h/7d windows instead of the API-key family', async () => {
    const { data, response } = await oauthClient().messages.create(params()).withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'You said: hello there' }]);
    expect(fake.lastRequest.auth).toEqual({ kind: 'oauth', via: 'authorization', token: FAKE_OAUTH_TOKEN });
    expect(fake.lastRequest.betas).toContain(OAUTH_BETA);
    const h = response.headers;
    expect(h.get('request-id')).toBe(fake.lastRequest.requestId);
    expect(h.get('anthropic-ratelimit-unified-status')).toBe('allowed');
    expect(h.get('anthropic-ratelimit-unified-5h-status')).toBe('allowed');
    expect(h.get('anthropic-ratelimit-unified-7d-status')).toBe('allowed');
    const now = Date.now() / 1000;
    expect(Number(h.get('anthropic-ratelimit-unified-5h-reset'))).toBeGreaterThan(now);
    expect(Number(h.get('anthropic-ratelimit-unified-7d-reset'))).toBeGreaterThan(Number(h.get('anthropic-ratelimit-unified-5h-reset')));
    expect(h.get('anthropic-ratelimit-requests-limit')).toBeNull();
  });

  it('rejects an unknown Bearer token sent with the beta', async () => {
    await expectApiError(
      oauthClient({ authToken: 'sk-ant-oat01-revoked' }).messages.create(params()),
      Anthropic.AuthenticationError,
      401,
      'authentication_error',
      ERRORS.invalidBearer,
    );
  });

  it('also accepts the OAuth token in x-api-key, and records where it came', async () => {
    const res = await post('/v1/messages', params(), { 'x-api-key': FAKE_OAUTH_TOKEN, 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(200);
    expect(fake.lastRequest.auth).toEqual({ kind: 'oauth', via: 'x-api-key', token: FAKE_OAUTH_TOKEN });
    expect(res.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed');
  });

  it('in Claude Code identity mode refuses OAuth requests without the Claude Code system blocks', async () => {
    fake.requireClaudeCodeIdentity = true;
    const client = oauthClient();
    await expectApiError(client.messages.create(params()), Anthropic.BadRequestError, 400, 'invalid_request_error', ERRORS.claudeCodeOnly);
    await expectApiError(
      client.messages.create(params({ system: [{ type: 'text', text: CLAUDE_CODE_IDENTITY }] })),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
      ERRORS.claudeCodeOnly,
    );
    const ccSystem = [...claudeCodeSystem('hello there'), { type: 'text', text: 'You are a helpful assistant.' }];
    const ok = await client.messages.stream(params({ system: ccSystem })).finalMessage();
    expect(ok.content).toEqual([{ type: 'text', text: 'You said: hello there' }]);
    expect(fake.lastRequest.claudeCode).toMatchObject({ identityBlock: true, version: '2.1.109', entrypoint: 'cli', fingerprintMatches: true });

    // A wrong fingerprint is recorded but not refused: the notes don't say which signal is decisive.
    const wrong = claudeCodeFingerprint('hello there', '2.1.109') === '000' ? '001' : '000';
    const badPrint = [{ type: 'text', text: `x-anthropic-billing-header: cc_version=2.1.109.${wrong}; cc_entrypoint=vscode;` }, ccSystem[1]];
    await client.messages.create(params({ system: badPrint }));
    expect(fake.lastRequest.claudeCode).toMatchObject({ identityBlock: true, fingerprint: wrong, entrypoint: 'vscode', fingerprintMatches: false });

    // API keys are not subject to it.
    const plain = await apiKeyClient().messages.create(params());
    expect(plain.content[0]).toMatchObject({ type: 'text' });
  });
});

describe('headers', () => {
  it('sends request-id and the API-key rate-limit family on every answer, draining as it goes', async () => {
    const client = apiKeyClient();
    const first = await client.messages.create(params()).withResponse();
    const second = await client.messages.create(params()).withResponse();
    for (const { response } of [first, second]) {
      expect(response.headers.get('request-id')).toMatch(/^req_/);
      expect(response.headers.get('anthropic-organization-id')).toBeTruthy();
      for (const family of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
        expect(Number(response.headers.get(`anthropic-ratelimit-${family}-limit`))).toBeGreaterThan(0);
        expect(response.headers.get(`anthropic-ratelimit-${family}-remaining`)).toMatch(/^\d+$/);
        expect(response.headers.get(`anthropic-ratelimit-${family}-reset`)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
      expect(response.headers.get('anthropic-ratelimit-unified-status')).toBeNull();
    }
    expect(Number(second.response.headers.get('anthropic-ratelimit-requests-remaining'))).toBe(
      Number(first.response.headers.get('anthropic-ratelimit-requests-remaining')) - 1,
    );
    expect(first.response.headers.get('request-id')).not.toBe(second.response.headers.get('request-id'));

    const streamed = await post('/v1/messages', params({ stream: true }), API_HEADERS);
    expect(streamed.headers.get('anthropic-ratelimit-requests-limit')).toBeTruthy();
    expect(streamed.headers.get('request-id')).toBe(fake.lastRequest.requestId);
  });
});

describe('scripted failures', () => {
  it('maps a scripted 529 to the SDK OverloadedError, then answers normally', async () => {
    fake.script({ kind: 'overloaded' });
    const client = apiKeyClient();
    const err = await expectApiError(client.messages.create(params()), Anthropic.OverloadedError, 529, 'overloaded_error', 'Overloaded');
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    const ok = await client.messages.create(params());
    expect(ok.content[0]).toMatchObject({ type: 'text' });
  });

  it('maps a scripted 429 to RateLimitError with retry-after and exhausted rate-limit headers', async () => {
    fake.script({ kind: 'rate_limit', retryAfterSeconds: 17 });
    const err = await expectApiError(apiKeyClient().messages.create(params()), Anthropic.RateLimitError, 429, 'rate_limit_error', ERRORS.rateLimitedApiKey);
    expect(err.headers.get('retry-after')).toBe('17');
    expect(err.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');

    fake.script({ kind: 'rate_limit', retryAfterSeconds: 600 });
    const oauthErr = await expectApiError(oauthClient().messages.create(params()), Anthropic.RateLimitError, 429, 'rate_limit_error', ERRORS.rateLimitedOAuth);
    expect(oauthErr.headers.get('anthropic-ratelimit-unified-status')).toBe('rejected');
    expect(oauthErr.headers.get('anthropic-ratelimit-unified-5h-status')).toBe('rejected');
    expect(Number(oauthErr.headers.get('anthropic-ratelimit-unified-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 590);
  });

  it('scripts a 401, a 400 with a given message, and any error type', async () => {
    const client = oauthClient();
    fake.script(
      { kind: 'auth_error' },
      { kind: 'bad_request', message: 'prompt is too long: 210000 tokens > 200000 maximum' },
      { kind: 'error', type: 'permission_error', message: 'Your account does not have access to this model.' },
    );
    await expectApiError(client.messages.create(params()), Anthropic.AuthenticationError, 401, 'authentication_error', ERRORS.oauthExpired);
    await expectApiError(
      client.messages.create(params()),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
      'prompt is too long: 210000 tokens > 200000 maximum',
    );
    await expectApiError(client.messages.create(params()), Anthropic.PermissionDeniedError, 403, 'permission_error');
  });

  it('keeps a scripted failure for its endpoint: count_tokens does not take a messages scenario', async () => {
    fake.script({ kind: 'overloaded' }, { kind: 'overloaded', endpoint: 'count_tokens' });
    const client = apiKeyClient();
    await expectApiError(client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), Anthropic.OverloadedError, 529, 'overloaded_error');
    await expectApiError(client.messages.create(params()), Anthropic.OverloadedError, 529, 'overloaded_error');
    await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
  });

  it('raises an in-stream `event: error` through the SDK after the first events', async () => {
    fake.script({ kind: 'answer', errorAfter: 4 });
    const stream = apiKeyClient().messages.stream(params());
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const err = await failure(stream.finalMessage());
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err.status).toBeUndefined();
    expect(err.type).toBe('overloaded_error');
    expect(err.error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(texts.length).toBe(1);
    expect(fake.lastRequest.sent.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'error']);

    // On the wire the error is a named event too, and the response ends after it.
    fake.script({ kind: 'answer', errorAfter: 1 });
    const raw = await post('/v1/messages', params({ stream: true }), API_HEADERS);
    expect(raw.status).toBe(200);
    expect(parseSse(raw.text).map((e) => e.event)).toEqual(['message_start', 'error']);
  });

  it('cuts the stream mid-block (socket destroyed), which the SDK raises', async () => {
    fake.script({ kind: 'answer', dropAfter: 4 });
    const stream = apiKeyClient().messages.stream(params({ messages: [{ role: 'user', content: 'one two three four five' }] }));
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const err = await failure(stream.finalMessage());
    // Not an APIError (no status, no body): the SDK surfaces undici's "terminated" as an AnthropicError.
    expect(err).toBeInstanceOf(Anthropic.AnthropicError);
    expect(err).not.toBeInstanceOf(Anthropic.APIError);
    expect(err.message).toMatch(/terminated/);
    expect(texts).toEqual(['You ']);
    expect(fake.droppedResponses).toBe(1);
    expect(fake.lastRequest.sent.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta']);
  });

  it('waits between events when asked', async () => {
    fake.eventDelayMs = 40;
    const started = Date.now();
    await apiKeyClient().messages.stream(params()).finalMessage();
    const events = fake.lastRequest.sent.length;
    expect(events).toBeGreaterThanOrEqual(8);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40 * (events - 1) - 20);
  });

  it('holds a stream until released, counting a client that gave up as an aborted response', async () => {
    fake.script({ kind: 'answer', holdAfter: 3 }, { kind: 'answer', holdAfter: 3 });
    const client = apiKeyClient();

    const abandoned = client.messages.stream(params());
    const abandonedDone = failure(abandoned.finalMessage());
    await fake.waitForHolds(1);
    expect(fake.abortedResponses).toBe(0);
    abandoned.abort();
    expect(await abandonedDone).toBeInstanceOf(Anthropic.APIUserAbortError);
    await fake.waitForAborts(1);
    expect(fake.clientDisconnects).toEqual([expect.objectContaining({ requestId: fake.requests[0].requestId, eventsSent: 3 })]);

    const kept = client.messages.stream(params());
    await fake.waitForHolds(2);
    const finished = fake.finishedResponses;
    fake.release();
    const message = await kept.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'You said: hello there' }]);
    expect(fake.finishedResponses).toBe(finished + 1);
    expect(fake.abortedResponses).toBe(1);
  });

  it('holds a non-stream answer too, and can close the connection without answering', async () => {
    fake.script({ kind: 'answer', holdAfter: 0 }, { kind: 'destroy' });
    const client = apiKeyClient();
    const controller = new AbortController();
    const pending = failure(client.messages.create(params(), { signal: controller.signal }));
    await fake.waitForHolds(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(Anthropic.APIUserAbortError);
    await fake.waitForAborts(1);

    const err = await failure(client.messages.create(params()));
    expect(err).toBeInstanceOf(Anthropic.APIConnectionError);
  });
});
