// Anthropic's Messages API through byokey, both ways round: the official Anthropic SDK against a
// Claude model (by API key and by a Claude Code login) and against non-Claude models (an
// OpenAI-compatible one and Codex), and the official OpenAI SDK against a Claude model — text,
// tools, thinking, images, usage and errors, each in the client's own dialect.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { importCredentialsFile } from '../src/auth/importers/credential-importer';
import { CLAUDE_CODE_IMPORTER } from '../src/providers/claude/claude-code.importer';
import { RateLimitSnapshots } from '../src/store/rate-limit-snapshots';
import { RequestRouter } from '../src/routing/request-router.service';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { CLAUDE_CODE_IDENTITY, FAKE_API_KEY, FAKE_OAUTH_TOKEN, FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const SONNET = 'claude-sonnet-5-5';
const anthropicUpstream = new FakeAnthropicUpstream();
const openaiUpstream = new FakeOpenAIUpstream();
const codexBackend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();
let home: string;
let gateway: RunningGateway;
let anthropic: Anthropic;

beforeAll(async () => {
  await Promise.all([anthropicUpstream.start(), openaiUpstream.start(), codexBackend.start(), oauth.start()]);
  home = mkdtempSync(join(tmpdir(), 'byokey-claude-'));
  // A Claude Code login, imported the way `byokey accounts import claude` does it.
  const credentials = join(home, 'credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({
      claudeAiOauth: { accessToken: FAKE_OAUTH_TOKEN, refreshToken: oauth.seedRefreshToken('anthropic'), expiresAt: Date.now() + 3_600_000, subscriptionType: 'max' },
    }),
  );
  const store = SqliteAccountStore.open({ home });
  await store.save(importCredentialsFile(CLAUDE_CODE_IMPORTER, credentials));
  await store.save({ provider: 'codex', accountId: 'default', tokens: { accessToken: 'codex-token' }, claims: { chatgpt_account_id: 'acc-1' } });
  await store.close();
  gateway = await startGateway(
    `
providers:
  claude:
    base_url: ${anthropicUpstream.url}
    api_key: ${FAKE_API_KEY}
  claude-max:
    type: claude
    base_url: ${anthropicUpstream.url}
    oauth:
      token_url: ${oauth.urls.anthropic.token}
  claude-max-key-header:
    type: claude
    base_url: ${anthropicUpstream.url}
    oauth_token_header: x-api-key
  local:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
    models: [llama-3.1-8b]
  codex:
    base_url: ${codexBackend.httpUrl}
`,
    { home },
  );
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([anthropicUpstream.stop(), openaiUpstream.stop(), codexBackend.stop(), oauth.stop()]);
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  anthropicUpstream.requireClaudeCodeIdentity = false;
  // A 429 rests the credential that got it; each case starts with ready credentials.
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

const WEATHER: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
];

function textOf(message: Anthropic.Message): string {
  return message.content.filter((b): b is Anthropic.TextBlock => b.type === 'text').map((b) => b.text).join('');
}

describe('Anthropic SDK → Claude by API key (passthrough)', () => {
  it('answers messages.create with the gateway key, the client version and the body as sent', async () => {
    const message = await anthropic.messages.create({ model: SONNET, max_tokens: 256, top_k: 5, messages: [{ role: 'user', content: 'hello claude' }] } as Anthropic.MessageCreateParamsNonStreaming);
    expect(textOf(message)).toBe('You said: hello claude');
    expect(message.stop_reason).toBe('end_turn');
    const sent = anthropicUpstream.lastRequest;
    expect(sent.auth).toMatchObject({ kind: 'api-key', via: 'x-api-key', token: FAKE_API_KEY });
    expect(sent.headers['anthropic-version']).toBeDefined();
    expect(sent.body.top_k).toBe(5);
    expect(sent.query.beta).toBe('true');
  });

  it('sends a non-stream Message on as the very bytes Claude sent', async () => {
    anthropicUpstream.script({ kind: 'answer', text: 'byte for byte', indent: 2 });
    const res = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'client' },
      body: JSON.stringify({ model: SONNET, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const sent = anthropicUpstream.lastRequest.sent;
    expect(text).toBe(JSON.stringify(sent[sent.length - 1], null, 2));
    expect(text).toContain('\n  "content"');
  });

  it('streams thinking with its signature, then text, and keeps the signature valid on the next turn', async () => {
    const first = await anthropic.messages
      .stream({ model: SONNET, max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 }, tools: WEATHER, messages: [{ role: 'user', content: 'weather in Paris?' }] })
      .finalMessage();
    const thinking = first.content.find((b): b is Anthropic.ThinkingBlock => b.type === 'thinking');
    const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(thinking?.signature.length).toBeGreaterThan(10);
    expect(first.stop_reason).toBe('tool_use');
    // The fake checks the thinking block comes back unchanged with the tool result.
    const second = await anthropic.messages.create({
      model: SONNET,
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: WEATHER,
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: 'sunny, 21C' }] },
      ],
    });
    expect(textOf(second)).toBe('Tool said: sunny, 21C');
  });

  it('merges the client betas into the request', async () => {
    await anthropic.messages.create({ model: SONNET, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } });
    expect(anthropicUpstream.lastRequest.betas).toContain('context-1m-2025-08-07');
  });

  it('counts tokens upstream', async () => {
    const count = await anthropic.messages.countTokens({ model: SONNET, messages: [{ role: 'user', content: 'count these tokens please' }] });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(anthropicUpstream.lastRequest.endpoint).toBe('count_tokens');
  });

  it.each([
    [{ kind: 'overloaded' as const }, 529, Anthropic.InternalServerError, 'overloaded_error'],
    [{ kind: 'rate_limit' as const, retryAfterSeconds: 33 }, 429, Anthropic.RateLimitError, 'rate_limit_error'],
  ])('passes %j on in Anthropic form', async (scenario, status, errorClass, type) => {
    anthropicUpstream.script(scenario);
    const error = await anthropic.messages.create({ model: SONNET, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect(error.status).toBe(status);
    expect(error.error).toMatchObject({ type: 'error', error: { type } });
    if (status === 429) expect(error.headers.get('retry-after')).toBe('33');
  });

  it('raises an in-stream error after content, keeping the text sent', async () => {
    anthropicUpstream.script({ kind: 'answer', text: 'partial answer here', errorAfter: 4, error: { type: 'overloaded_error', message: 'Overloaded' } });
    const stream = anthropic.messages.stream({ model: SONNET, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const error = await stream.finalMessage().catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String(error.message)).toMatch(/Overloaded|overloaded/);
    expect(text.length).toBeGreaterThan(0);
  });

  it('reports a stream cut mid-block as an error event, not a finished message', async () => {
    anthropicUpstream.script({ kind: 'answer', text: 'this will be cut', dropAfter: 4 });
    const res = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'client' },
      body: JSON.stringify({ model: SONNET, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await res.body.text();
    expect(text).toMatch(/^event: content_block_delta$/m);
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]*(ended the stream before message_stop|lost mid-response)/);
    expect(text).not.toContain('message_stop');
  });
});

describe('Anthropic errors from the gateway itself', () => {
  it('answers a missing max_tokens with 400 invalid_request_error, without calling the upstream', async () => {
    const before = anthropicUpstream.requests.length;
    const error = await anthropic.messages.create({ model: SONNET, messages: [{ role: 'user', content: 'x' }] } as never).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    expect(anthropicUpstream.requests.length).toBe(before);
  });

  it('answers a model no instance serves with 404 not_found_error', async () => {
    // Not `claude-…`: any such id goes to the claude instance (its upstream decides).
    const before = anthropicUpstream.requests.length;
    const error = await anthropic.messages.create({ model: 'nonexistent-9', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.error.error.type).toBe('not_found_error');
    expect(anthropicUpstream.requests.length).toBe(before);
  });

  it('answers malformed JSON in Anthropic form', async () => {
    const res = await request(`${gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/not valid JSON/) } });
  });
});

describe('Anthropic SDK → Claude by a Claude Code login', () => {
  it('sends the login as Claude Code: Bearer, oauth and Claude Code betas, identity headers and system prefix', async () => {
    anthropicUpstream.requireClaudeCodeIdentity = true;
    const message = await anthropic.messages.create(
      { model: `claude-max/${SONNET}`, max_tokens: 128, system: 'Answer in French.', messages: [{ role: 'user', content: 'hello from a subscription' }] },
      { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } },
    );
    expect(textOf(message)).toBe('You said: hello from a subscription');
    const sent = anthropicUpstream.lastRequest;
    expect(sent.auth).toMatchObject({ kind: 'oauth', via: 'authorization', token: FAKE_OAUTH_TOKEN });
    expect(sent.betas).toEqual(expect.arrayContaining(['oauth-2025-04-20', 'claude-code-20250219', 'context-1m-2025-08-07']));
    expect(sent.headers['x-app']).toBe('cli');
    expect(sent.headers['user-agent']).toMatch(/^claude-cli\/\d+\.\d+\.\d+ \(external, cli\)$/);
    expect(sent.body.system[1].text).toBe(CLAUDE_CODE_IDENTITY);
    expect(sent.body.system[2].text).toBe('Answer in French.');
    expect(sent.claudeCode?.fingerprintMatches).toBe(true);
    expect(JSON.parse(sent.body.metadata.user_id)).toHaveProperty('session_id');
    expect(gateway.app.get(RateLimitSnapshots).get('claude', 'claude-code')?.headers['anthropic-ratelimit-unified-5h-status']).toBeDefined();
  });

  it('can put the login token in x-api-key instead (oauth_token_header)', async () => {
    await anthropic.messages.create({ model: `claude-max-key-header/${SONNET}`, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
    expect(anthropicUpstream.lastRequest.auth).toMatchObject({ kind: 'oauth', via: 'x-api-key' });
  });

  it('refreshes the login once after a 401 and retries', async () => {
    const accepted = anthropicUpstream.oauthTokens;
    // Accept the token the fake OAuth server is about to issue, too.
    anthropicUpstream.oauthTokens = Object.assign([FAKE_OAUTH_TOKEN], { includes: (token: string) => token.startsWith('sk-ant-oat01-') });
    try {
      const before = oauth.tokenCallCount('refresh_token', 'anthropic');
      anthropicUpstream.script({ kind: 'auth_error' });
      const message = await anthropic.messages.create({ model: `claude-max/${SONNET}`, max_tokens: 64, messages: [{ role: 'user', content: 'after refresh' }] });
      expect(textOf(message)).toBe('You said: after refresh');
      expect(oauth.tokenCallCount('refresh_token', 'anthropic')).toBe(before + 1);
      expect(anthropicUpstream.lastRequest.auth?.token).not.toBe(FAKE_OAUTH_TOKEN);
    } finally {
      anthropicUpstream.oauthTokens = accepted;
    }
  });
});

describe('Anthropic SDK → non-Claude models (translated)', () => {
  it('answers a chat model non-stream as an Anthropic Message', async () => {
    const message = await anthropic.messages.create({ model: 'llama-3.1-8b', max_tokens: 64, system: 'be brief', messages: [{ role: 'user', content: 'hi llama' }] });
    expect(message.type).toBe('message');
    expect(textOf(message)).toBe('You said: hi llama');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(5);
    expect(openaiUpstream.lastRequest.body.messages[0]).toEqual({ role: 'system', content: 'be brief' });
  });

  it('streams a tool call from a chat model as a tool_use block', async () => {
    const message = await anthropic.messages
      .stream({ model: 'llama-3.1-8b', max_tokens: 64, tools: [{ name: 'shell', input_schema: { type: 'object', properties: {} } }], messages: [{ role: 'user', content: 'list files' }] })
      .finalMessage();
    const toolUse = message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(message.stop_reason).toBe('tool_use');
    expect(toolUse).toMatchObject({ id: 'call_Q1xY9z', name: 'shell', input: { command: ['ls', '-la'] } });
    expect(openaiUpstream.lastRequest.body.stream_options).toEqual({ include_usage: true });
  });

  it('sends the tool result back as a tool message and streams the answer', async () => {
    const stream = anthropic.messages.stream({
      model: 'llama-3.1-8b',
      max_tokens: 64,
      messages: [
        { role: 'user', content: 'list files' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'shell', input: { command: ['ls'] } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'a.txt' }, { type: 'text', text: 'thanks' }] },
      ],
    });
    const message = await stream.finalMessage();
    expect(textOf(message)).toBe('You said: thanks');
    const sent = openaiUpstream.lastRequest.body.messages;
    expect(sent.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(sent[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'a.txt' });
  });

  it('answers a Codex model through the Responses API', async () => {
    const message = await anthropic.messages.create({ model: 'gpt-5.1-codex', max_tokens: 64, messages: [{ role: 'user', content: 'hi codex' }] });
    expect(textOf(message)).toBe('You said: hi codex');
    expect(message.content[0].type).toBe('thinking');
    expect(codexBackend.lastRequest.body).toMatchObject({ store: false, stream: true });
  });

  it('estimates count_tokens for a non-Claude model', async () => {
    const count = await anthropic.messages.countTokens({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'a'.repeat(400) }] });
    expect(count.input_tokens).toBeGreaterThanOrEqual(100);
    expect(count.input_tokens).toBeLessThan(140);
  });

  it.each([
    ['HTML', '<html>captive portal</html>'],
    ['an object that is not JSON after all', '{"id": "chatcmpl-1", "choices": oops}'],
  ])('turns a chat upstream 200 whose body is %s into an Anthropic 502', async (_case, rawBody) => {
    openaiUpstream.script({ kind: 'json', rawBody });
    const res = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'client' },
      body: JSON.stringify({ model: 'llama-3.1-8b', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.statusCode).toBe(502);
    expect(await res.body.json()).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringMatching(/upstream local sent a body that is not JSON/) } });
  });

  it('turns an upstream failure before content into an Anthropic HTTP error', async () => {
    openaiUpstream.script({ kind: 'error', status: 429, headers: { 'retry-after': '5' }, body: { error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } } });
    const error = await anthropic.messages.create({ model: 'llama-3.1-8b', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(error.headers.get('retry-after')).toBe('5');
  });
});

describe('OpenAI SDK → Claude (translated)', () => {
  it('answers a chat completion with usage counting cache reads', async () => {
    const completion = await gateway.openai.chat.completions.create({ model: SONNET, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello from openai' }] });
    expect(completion.choices[0].message.content).toBe('You said: hello from openai');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    const sent = anthropicUpstream.lastRequest.body;
    expect(sent.system).toEqual([{ type: 'text', text: 'be brief' }]);
    expect(sent.max_tokens).toBeGreaterThan(0);
  });

  it('streams reasoning and text for reasoning_effort, with signed thinking blocks to send back', async () => {
    const stream = await gateway.openai.chat.completions.create({ model: SONNET, reasoning_effort: 'low', messages: [{ role: 'user', content: 'think first' }], stream: true, stream_options: { include_usage: true } });
    let reasoning = '';
    let content = '';
    let signed = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string; thinking_blocks?: unknown[] } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      content += delta?.content ?? '';
      signed += delta?.thinking_blocks?.length ?? 0;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(reasoning).toMatch(/think first/);
    expect(content).toBe('You said: think first');
    expect(signed).toBe(1);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(anthropicUpstream.lastRequest.body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });

  it('round-trips a tool call and its result', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER[0].input_schema } }];
    const first = await gateway.openai.chat.completions.create({ model: SONNET, tools, messages: [{ role: 'user', content: 'weather in Oslo?' }] });
    const call = first.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toHaveProperty('city');
    const second = await gateway.openai.chat.completions.create({
      model: SONNET,
      tools,
      messages: [
        { role: 'user', content: 'weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'snow, -3C' },
      ],
    });
    expect(second.choices[0].message.content).toBe('Tool said: snow, -3C');
  });

  it('sends images as image blocks', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await gateway.openai.chat.completions.create({
      model: SONNET,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] }],
    });
    const content = anthropicUpstream.lastRequest.body.messages[0].content;
    expect(content[1]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } });
    expect(content[2]).toEqual({ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } });
  });

  it('answers an overloaded Claude with a 503 overloaded_error in OpenAI form', async () => {
    anthropicUpstream.script({ kind: 'overloaded' });
    const error = await gateway.openai.chat.completions.create({ model: SONNET, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(error.status).toBe(503);
    expect(error.type).toBe('overloaded_error');
  });
});
