// The pure parts of the Copilot plugin: who started a turn and whether it has images, in each
// protocol; which endpoint serves a model; Copilot's several-choices answers made into one; the
// premium quota read as a quota window; and the plugin found by the CLI and given an implicit
// instance once a Copilot login exists.
import { quotaWindows } from '../../admin/providers/quota-windows';
import type { ChatCompletion } from '../../protocol/openai-chat';
import type { SseEvent } from '../../protocol/sse';
import { pluginOptionsOf } from '../../registry/plugin-options';
import { withImplicitInstances } from '../../registry/implicit-instances';
import { parseGatewayConfig } from '../../config/config.loader';
import { quotaUsed } from '../../routing/quota';
import { PROVIDER_PLUGIN_MODULES } from '../index';
import { completionFromStream, copilotChatEvents, mendCopilotCompletion } from './copilot-chat-answer';
import { copilotHeaders, hasImages, initiatorOf } from './copilot-headers';
import { copilotProtocol, readCopilotModelList } from './copilot-model-list';

describe('X-Initiator', () => {
  it.each([
    ['a user turn', 'openai-chat', { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'hi' }] }, 'user'],
    ['a tool result', 'openai-chat', { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', tool_calls: [] }, { role: 'tool', content: 'r' }] }, 'agent'],
    ['an assistant prefill', 'openai-chat', { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Sure' }] }, 'agent'],
    ['a user turn after tools', 'openai-chat', { messages: [{ role: 'tool', content: 'r' }, { role: 'user', content: 'thanks' }] }, 'user'],
    ['a Messages user turn', 'anthropic-messages', { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }, 'user'],
    ['a Messages tool_result', 'anthropic-messages', { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'r' }] }] }, 'agent'],
    ['a Responses string input', 'openai-responses', { input: 'hi' }, 'user'],
    ['a Responses function_call_output', 'openai-responses', { input: [{ role: 'user', content: 'hi' }, { type: 'function_call_output', call_id: 'c', output: 'r' }] }, 'agent'],
    ['a Responses user message', 'openai-responses', { input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] }, 'user'],
  ] as const)('is %s → %s', (_what, protocol, body, expected) => {
    expect(initiatorOf(protocol, body)).toBe(expected);
  });

  it('sets the vision header only when a message carries an image, in each protocol', () => {
    expect(hasImages('openai-chat', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:' } }] }] })).toBe(true);
    expect(hasImages('openai-chat', { messages: [{ role: 'user', content: 'no image' }] })).toBe(false);
    expect(hasImages('anthropic-messages', { messages: [{ role: 'user', content: [{ type: 'tool_result', content: [{ type: 'image', source: {} }] }] }] })).toBe(true);
    expect(hasImages('openai-responses', { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:' }] }] })).toBe(true);
    const headers = copilotHeaders({ copilotToken: 't', protocol: 'openai-chat', body: { messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }, stream: true });
    expect(headers).toMatchObject({ 'copilot-vision-request': 'true', 'x-initiator': 'user', 'accept-encoding': 'identity', authorization: 'Bearer t' });
    expect(copilotHeaders({ copilotToken: 't', protocol: 'openai-chat', body: { messages: [] } })['copilot-vision-request']).toBeUndefined();
  });

  it('lets an instance override the editor versions, never the token', () => {
    const headers = copilotHeaders({ copilotToken: 't', overrides: { 'Editor-Version': 'vscode/2.0.0', Authorization: 'Bearer mine' } });
    expect(headers['editor-version']).toBe('vscode/2.0.0');
    expect(headers.authorization).toBe('Bearer t');
  });
});

describe('the model list', () => {
  it('serves Claude over Messages, chat where offered, Responses where only it is, and leaves out embeddings', () => {
    const models = readCopilotModelList(
      {
        data: [
          { id: 'gpt-4.1', name: 'GPT-4.1', vendor: 'Azure OpenAI', capabilities: { type: 'chat' } },
          { id: 'claude-sonnet-4.5', vendor: 'Anthropic', capabilities: { type: 'chat' }, supported_endpoints: ['/chat/completions', '/v1/messages'] },
          { id: 'gpt-5.1-codex', vendor: 'OpenAI', capabilities: { type: 'chat' }, supported_endpoints: ['/responses'] },
          { id: 'gpt-5', vendor: 'OpenAI', capabilities: { type: 'chat' }, supported_endpoints: ['/chat/completions', '/responses'] },
          { id: 'text-embedding-3-small', capabilities: { type: 'embeddings' } },
          { name: 'no id' },
        ],
      },
      'copilot',
    );
    expect(models).toEqual([
      { id: 'gpt-4.1', displayName: 'GPT-4.1' },
      { id: 'claude-sonnet-4.5', protocol: 'anthropic-messages' },
      { id: 'gpt-5.1-codex', protocol: 'openai-responses' },
      { id: 'gpt-5' },
    ]);
    expect(copilotProtocol({ id: 'claude-x', supported_endpoints: ['/chat/completions'] })).toBe('openai-chat');
    expect(() => readCopilotModelList({ models: [] }, 'copilot')).toThrow('without a "data" array');
  });
});

const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1' };
const event = (json: object): SseEvent => ({ data: JSON.stringify(json), json: json as Record<string, unknown> });
async function* feed(...chunks: object[]): AsyncGenerator<SseEvent> {
  for (const chunk of chunks) yield event(chunk);
}
async function run(fold: boolean, ...chunks: object[]): Promise<any[]> {
  const out: any[] = [];
  for await (const e of copilotChatEvents(feed(...chunks), fold)) {
    expect(JSON.parse(e.data)).toEqual(e.json);
    out.push(e.json);
  }
  return out;
}

describe('several choices', () => {
  const streamed = [
    { ...base, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] },
    { ...base, choices: [{ index: 1, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 2, delta: { tool_calls: [{ index: 0, id: 'call_2', type: 'function', function: { name: 'g', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] },
    { ...base, choices: [{ index: 1, delta: {}, finish_reason: 'tool_calls' }] },
    { ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
  ];

  it('folds every index into choice 0, keeps tool calls apart, and finishes once', async () => {
    const out = await run(true, ...streamed);
    expect(out.flatMap((c) => c.choices.map((choice: any) => choice.index))).toEqual(out.flatMap((c) => c.choices.map(() => 0)));
    const calls = out.flatMap((c) => c.choices.flatMap((choice: any) => choice.delta.tool_calls ?? []));
    expect(calls.map((c: any) => [c.index, c.id])).toEqual([[0, 'call_1'], [0, undefined], [1, 'call_2']]);
    expect(out.flatMap((c) => c.choices.map((choice: any) => choice.finish_reason)).filter(Boolean)).toEqual(['tool_calls']);
    // The finish goes out before the usage chunk that ends the stream.
    expect(out.slice(-2).map((c) => [c.choices[0]?.finish_reason, c.usage])).toEqual([['tool_calls', undefined], [undefined, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }]]);
    const whole = await completionFromStream(copilotChatEvents(feed(...streamed), true));
    expect(whole.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: 'Hi', tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: '{}' } }, { id: 'call_2', function: { name: 'g', arguments: '{}' } }] },
    });
    expect(whole.usage?.total_tokens).toBe(3);
  });

  it('leaves the choices of a request for several (n > 1) as they came, reasoning renamed', async () => {
    const out = await run(false, { ...base, choices: [{ index: 1, delta: { reasoning_text: 'hmm' }, finish_reason: null }] });
    expect(out).toEqual([{ ...base, choices: [{ index: 1, delta: { reasoning_content: 'hmm' }, finish_reason: null }] }]);
  });

  it('passes a plain one-choice stream through untouched', async () => {
    const chunks = [{ ...base, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] }, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }];
    const events = chunks.map(event);
    const out: SseEvent[] = [];
    for await (const e of copilotChatEvents((async function* () { yield* events; })(), true)) out.push(e);
    expect(out).toEqual(events);
    expect(out[0]).toBe(events[0]);
  });

  it('makes a whole answer of several choices one', () => {
    const completion = {
      ...base,
      object: 'chat.completion',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi', reasoning_text: 'r' }, finish_reason: 'stop', logprobs: null },
        { index: 1, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls', logprobs: null },
      ],
    } as unknown as ChatCompletion;
    expect(mendCopilotCompletion(completion, true)).toBe(true);
    expect(completion.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Hi', reasoning_content: 'r', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls', logprobs: null },
    ]);
  });
});

describe('premium quota', () => {
  const snapshot = (premium: object) => ({
    provider: 'copilot',
    accountId: 'a',
    headers: {},
    frame: { type: 'copilot.quota', quota_reset_date: '2026-07-01', quota_snapshots: { premium_interactions: premium } },
    capturedAt: 1,
  });

  it('is a quota window and a share used for routing', () => {
    expect(quotaWindows(snapshot({ percent_remaining: 12.5, unlimited: false })).windows).toEqual([{ window: 'premium', usedPercent: 87.5, resetsAt: Date.parse('2026-07-01') }]);
    expect(quotaUsed(snapshot({ percent_remaining: 12.5, unlimited: false }))).toBeCloseTo(0.875);
    expect(quotaWindows(snapshot({ percent_remaining: 0, unlimited: true })).windows).toEqual([{ window: 'premium', status: 'unlimited' }]);
    expect(quotaUsed(snapshot({ percent_remaining: 0, unlimited: true }))).toBe(0);
    expect(quotaUsed({ ...snapshot({}), frame: { type: 'other' } })).toBeUndefined();
  });
});

describe('the plugin', () => {
  it('takes copilot logins and gets an implicit instance once one exists, with the default providers.yaml', () => {
    const plugins = pluginOptionsOf(PROVIDER_PLUGIN_MODULES);
    expect(plugins.get('copilot')).toMatchObject({ type: 'copilot', accounts: 'copilot' });
    const file = parseGatewayConfig('providers:\n  openai:\n    type: openai-compatible\n    api_key: ""\n    models: [gpt-4.1]\n', '/etc/providers.yaml', {});
    const config = withImplicitInstances(file, plugins.values(), new Set(['copilot']));
    expect(config.providers.map((i) => `${i.name}:${i.type}${i.implicit ? ' (implicit)' : ''}`)).toEqual(['openai:openai-compatible', 'copilot:copilot (implicit)']);
  });
});
