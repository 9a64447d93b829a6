// Real clients out of the box (issue 12): what Claude Code 2.1, the Codex CLI 0.171 and opencode
// 1.18 send (test/fixtures/clients) replayed through byokey, with their own headers, against every
// upstream kind each can reach — a Claude upstream, an OpenAI-compatible chat upstream and Codex
// (fakes speaking the real protocols) — checking that the first request is not refused, what the
// upstream received (system turns in place, the billing line after the stable prompt, tool
// references as text, tools intact), and that a tool round trip completes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { request } from 'undici';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { CLAUDE_CODE_IDENTITY, FAKE_API_KEY, FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { CLAUDE_CODE_BILLING_LINE, clientFixture, fixtureBody } from './fixtures/clients';
import { startGateway, type RunningGateway } from './support/gateway';

/** The model each upstream serves in this gateway (the clients' current defaults where they fit). */
const MODELS = { claude: 'claude-opus-5-5', chat: 'glm-5.1', codex: 'gpt-6.2-sol' } as const;
type Upstream = keyof typeof MODELS;
const UPSTREAMS: Upstream[] = ['claude', 'chat', 'codex'];

const anthropicUpstream = new FakeAnthropicUpstream();
const openaiUpstream = new FakeOpenAIUpstream();
const codexBackend = new FakeCodexBackend();
let home: string;
let gateway: RunningGateway;

beforeAll(async () => {
  await Promise.all([anthropicUpstream.start(), openaiUpstream.start(), codexBackend.start()]);
  home = mkdtempSync(join(tmpdir(), 'byokey-clients-'));
  const store = SqliteAccountStore.open({ home });
  await store.save({ provider: 'codex', accountId: 'default', tokens: { accessToken: 'codex-token' }, claims: { chatgpt_account_id: 'acc-1' } });
  await store.close();
  gateway = await startGateway(
    `
providers:
  claude:
    base_url: ${anthropicUpstream.url}
    api_key: ${FAKE_API_KEY}
    models: [${MODELS.claude}]
  local:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
    models: [${MODELS.chat}]
  codex:
    base_url: ${codexBackend.httpUrl}
    models: [${MODELS.codex}]
`,
    { home },
  );
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([anthropicUpstream.stop(), openaiUpstream.stop(), codexBackend.stop()]);
  rmSync(home, { recursive: true, force: true });
});

/** Sends a fixture as its client does: its route, its headers, the caller's key. */
async function replay(name: string, body: unknown): Promise<{ status: number; text: string }> {
  const fixture = clientFixture(name);
  const key = fixture.client === 'claude-code' ? { 'x-api-key': 'client-key' } : { authorization: 'Bearer client-key' };
  const res = await request(`${gateway.url}${fixture.route}`, {
    method: 'POST',
    headers: { ...fixture.headers, ...key },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** A fixture body addressed to one upstream's model. */
function bodyFor(name: string, upstream: Upstream): Record<string, any> {
  return { ...fixtureBody(name), model: MODELS[upstream] };
}

/** The data of each SSE event (the `data:` lines), parsed; `[DONE]` kept as a string. */
function sseData(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

const STABLE_START = CLAUDE_CODE_IDENTITY;

describe('Claude Code 2.1 → POST /v1/messages?beta=true', () => {
  const FIRST = 'claude-code/messages-first';
  const SEARCH = 'claude-code/messages-tool-search';

  it.each(UPSTREAMS)('takes the first request for a %s upstream (no 400) and streams a whole answer', async (upstream) => {
    const { status, text } = await replay(FIRST, bodyFor(FIRST, upstream));
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    expect(text).toMatch(/^event: message_start$/m);
    expect(text).toMatch(/^event: message_stop$/m);
    expect(text).not.toMatch(/^event: error$/m);
  });

  it('hands a Claude upstream the body as it came: system turn, billing line first, adaptive thinking, effort, context_management, deferred tools', async () => {
    const body = bodyFor(FIRST, 'claude');
    const { status } = await replay(FIRST, body);
    expect(status).toBe(200);
    const sent = anthropicUpstream.lastRequest;
    expect(sent.rejected).toBeUndefined();
    expect(sent.body).toEqual(body);
    expect(sent.betas).toEqual(expect.arrayContaining(['mid-conversation-system-2026-04-07', 'advanced-tool-use-2025-11-20', 'effort-2025-11-24']));
    expect(sent.query.beta).toBe('true');
  });

  it('gives a chat upstream the system turn in place, the billing line after the stable prompt, and only what chat can take', async () => {
    const { status } = await replay(FIRST, bodyFor(FIRST, 'chat'));
    expect(status).toBe(200);
    const sent = openaiUpstream.lastRequest.body;
    expect(sent.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'system']);
    const system: string = sent.messages[0].content;
    expect(system.startsWith(STABLE_START)).toBe(true);
    expect(system.endsWith(CLAUDE_CODE_BILLING_LINE)).toBe(true);
    expect(sent.messages[2]).toEqual({ role: 'system', content: 'The user is in plan mode: research and propose, do not edit files yet.' });
    expect(sent.reasoning_effort).toBe('high');
    expect(sent.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['Bash', 'Read', 'ToolSearch', 'NotebookEdit', 'mcp__github__get_issue']);
    for (const key of ['context_management', 'output_config', 'thinking', 'metadata', 'user']) expect(sent).not.toHaveProperty(key);
    expect(JSON.stringify(sent)).not.toContain('defer_loading');
  });

  it('gives Codex the stable prompt first in instructions, the billing line last, and the system turn as a developer item in place', async () => {
    const { status } = await replay(FIRST, bodyFor(FIRST, 'codex'));
    expect(status).toBe(200);
    const sent = codexBackend.lastRequest.body;
    expect(sent.instructions.startsWith(STABLE_START)).toBe(true);
    expect(sent.instructions.endsWith(CLAUDE_CODE_BILLING_LINE)).toBe(true);
    expect(sent.input.map((item: { role?: string; type: string }) => item.role ?? item.type)).toEqual(['user', 'developer']);
    expect(sent.input[1].content).toEqual([{ type: 'input_text', text: 'The user is in plan mode: research and propose, do not edit files yet.' }]);
    expect(sent.reasoning).toMatchObject({ effort: 'high' });
  });

  it('keeps the prompt prefix a chat upstream caches the same across two Claude Code sessions', async () => {
    const session = (hash: string) => {
      const body = bodyFor(FIRST, 'chat');
      body.system[0].text = CLAUDE_CODE_BILLING_LINE.replace('7c4', hash);
      return body;
    };
    await replay(FIRST, session('aaa'));
    const first: string = openaiUpstream.lastRequest.body.messages[0].content;
    await replay(FIRST, session('bbb'));
    const second: string = openaiUpstream.lastRequest.body.messages[0].content;
    expect(first).not.toBe(second);
    const prefix = first.slice(0, first.indexOf('x-anthropic-billing-header'));
    expect(prefix.length).toBeGreaterThan(500);
    expect(second.startsWith(prefix)).toBe(true);
  });

  it('sends a Claude upstream the ToolSearch round with its system turn and tool_reference blocks unchanged', async () => {
    // The fixture's assistant turn has no thinking block (only Anthropic can sign one), which
    // Anthropic requires with thinking on: this replay turns thinking off.
    const { thinking: _thinking, ...body } = bodyFor(SEARCH, 'claude');
    const { status, text } = await replay(SEARCH, body);
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    expect(anthropicUpstream.lastRequest.body.messages).toEqual(body.messages);
  });

  it('sends a chat upstream the system turn where it stood and the tool references as text it can read', async () => {
    const { status, text } = await replay(SEARCH, bodyFor(SEARCH, 'chat'));
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    const messages = openaiUpstream.lastRequest.body.messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'system', 'assistant', 'tool']);
    expect(messages[2].content).toBe("Today's date is 2026-12-14. The date has changed since the conversation started.");
    expect(messages[4]).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_01ToolSearch0000000001',
      content: '[tool_reference: NotebookEdit]\n[tool_reference: mcp__github__get_issue]',
    });
  });

  it('sends Codex the system turn as a developer item in place and the tool references as the call output', async () => {
    const { status, text } = await replay(SEARCH, bodyFor(SEARCH, 'codex'));
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    const input = codexBackend.lastRequest.body.input;
    expect(input.map((item: { role?: string; type: string }) => (item.type === 'message' ? item.role : item.type))).toEqual([
      'user',
      'developer',
      'assistant',
      'function_call',
      'function_call_output',
    ]);
    expect(input[4]).toEqual({
      type: 'function_call_output',
      call_id: 'toolu_01ToolSearch0000000001',
      output: '[tool_reference: NotebookEdit]\n[tool_reference: mcp__github__get_issue]',
    });
  });

  it.each(UPSTREAMS)('completes a tool round trip with the Anthropic SDK on a %s upstream', async (upstream) => {
    const fixture = clientFixture(FIRST);
    const { 'x-api-key': _key, ...headers } = { ...fixture.headers, 'x-api-key': '' };
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0, defaultHeaders: headers });
    const body = bodyFor(FIRST, upstream);
    const first = await anthropic.messages.stream(body as never).finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(call).toBeDefined();
    const second = await anthropic.messages
      .stream({
        ...body,
        messages: [...body.messages, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'README.md\npackage.json\nsrc' }] }],
      } as never)
      .finalMessage();
    expect(second.role).toBe('assistant');
    // The tool's answer reached the upstream, in its own protocol.
    const received = { claude: () => anthropicUpstream.lastRequest.body, chat: () => openaiUpstream.lastRequest.body, codex: () => codexBackend.lastRequest.body }[upstream]();
    expect(JSON.stringify(received)).toContain('README.md\\npackage.json\\nsrc');
    if (upstream !== 'chat') expect(second.stop_reason).toBe('end_turn');
  });
});

describe('opencode 1.18 → POST /v1/chat/completions', () => {
  const TITLE = 'opencode/chat-title';
  const MAIN = 'opencode/chat-main';

  it.each(UPSTREAMS)('answers the title request on a %s upstream as a whole stream with usage', async (upstream) => {
    const { status, text } = await replay(TITLE, bodyFor(TITLE, upstream));
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    const events = sseData(text);
    expect(events[events.length - 1]).toBe('[DONE]');
    expect(events.some((e) => e !== '[DONE]' && e.usage && typeof e.usage.total_tokens === 'number')).toBe(true);
  });

  it.each(UPSTREAMS)('hands a %s upstream the tool schemas intact ($schema, ±2^53-1 bounds)', async (upstream) => {
    const body = bodyFor(MAIN, upstream);
    const { status, text } = await replay(MAIN, body);
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    const read = body.tools[1].function.parameters;
    expect(read.properties.offset.maximum).toBe(9007199254740991);
    const sent = {
      chat: () => openaiUpstream.lastRequest.body.tools[1].function.parameters,
      claude: () => anthropicUpstream.lastRequest.body.tools[1].input_schema,
      codex: () => codexBackend.lastRequest.body.tools[1].parameters,
    }[upstream]();
    expect(sent).toEqual(read);
  });

  it.each(UPSTREAMS)('completes a streamed tool round trip with the openai SDK on a %s upstream', async (upstream) => {
    const fixture = clientFixture(MAIN);
    const client: OpenAI = gateway.openai.withOptions({ defaultHeaders: { 'x-session-id': fixture.headers['x-session-id'], 'x-session-affinity': fixture.headers['x-session-affinity'] } });
    const body = bodyFor(MAIN, upstream) as OpenAI.ChatCompletionCreateParamsStreaming;
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for await (const chunk of await client.chat.completions.create(body)) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        const entry = calls.get(call.index) ?? { id: '', name: '', arguments: '' };
        entry.id ||= call.id ?? '';
        entry.name ||= call.function?.name ?? '';
        entry.arguments += call.function?.arguments ?? '';
        calls.set(call.index, entry);
      }
    }
    const call = calls.get(0);
    expect(call?.id).toBeTruthy();
    expect(body.tools!.map((t) => (t as { function: { name: string } }).function.name)).toContain(call!.name);
    let answer = '';
    for await (const chunk of await client.chat.completions.create({
      ...body,
      messages: [
        ...body.messages,
        { role: 'assistant', content: null, tool_calls: [{ id: call!.id, type: 'function', function: { name: call!.name, arguments: call!.arguments } }] },
        { role: 'tool', tool_call_id: call!.id, content: 'vitest 4.1' },
      ],
    })) {
      answer += chunk.choices[0]?.delta.content ?? '';
    }
    const received = { claude: () => anthropicUpstream.lastRequest.body, chat: () => openaiUpstream.lastRequest.body, codex: () => codexBackend.lastRequest.body }[upstream]();
    expect(JSON.stringify(received)).toContain('vitest 4.1');
    if (upstream !== 'chat') expect(answer).toContain('vitest 4.1');
  });
});

describe('Codex CLI 0.171 → POST /v1/responses on Codex', () => {
  const FIRST = 'codex-cli/responses-first';
  const OUTPUT = 'codex-cli/responses-tool-output';

  it('passes the first request through with its additional_tools item (namespace, custom, web_search tools) and fields intact', async () => {
    const body = fixtureBody(FIRST);
    const { status, text } = await replay(FIRST, body);
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    expect(text).toMatch(/^event: response\.completed$/m);
    const sent = codexBackend.lastRequest.body;
    expect(sent.input).toEqual(body.input);
    expect(sent.input[0].tools.map((t: { type: string; name?: string }) => `${t.type}:${t.name ?? ''}`)).toEqual([
      'namespace:functions',
      'namespace:mcp__docs',
      'custom:apply_patch',
      'web_search:',
    ]);
    expect(sent).toMatchObject({
      instructions: '',
      tools: [],
      parallel_tool_calls: true,
      reasoning: body.reasoning,
      text: body.text,
      client_metadata: body.client_metadata,
      prompt_cache_key: body.prompt_cache_key,
      include: ['reasoning.encrypted_content'],
    });
  });

  it('completes the tool round: the namespaced call and its output reach Codex, and its answer comes back', async () => {
    const body = fixtureBody(OUTPUT);
    const { status, text } = await replay(OUTPUT, body);
    expect({ status, error: status === 200 ? undefined : text }).toEqual({ status: 200, error: undefined });
    const sent = codexBackend.lastRequest.body;
    expect(sent.input.slice(-2)).toEqual(body.input.slice(-2));
    const done = sseData(text).find((e) => e?.type === 'response.output_text.done');
    expect(done?.text).toContain('Tool said: Chunk ID: 4f1a');
  });
});
