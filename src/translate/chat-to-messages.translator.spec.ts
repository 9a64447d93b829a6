import type { ChatCompletionRequest, ChatMessage, ChatThinkingBlock } from '../protocol/openai-chat';
import { assembleChatStream } from './fixtures/assemble-chat-stream';
import { SAMPLE_D_THINKING_TOOL, events } from './fixtures/messages-stream-samples';
import { ChatToMessagesTranslator, defaultMaxTokensFor, thinkingBudgetFor } from './chat-to-messages.translator';
import { MessagesToChatStreamTranslator } from './messages-to-chat-stream.translator';

const translator = new ChatToMessagesTranslator();
const MODEL = 'claude-sonnet-5-5';

function request(messages: ChatMessage[], extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: MODEL, messages, ...extra };
}

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('ChatToMessagesTranslator', () => {
  describe('system, turns and max_tokens', () => {
    it('lifts system and developer messages into system blocks and keeps a lone user string as a string', () => {
      const body = translator.translate(
        request(
          [
            { role: 'system', content: 'You are terse.' },
            { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }, { type: 'text', text: 'No emoji.' }] },
            { role: 'user', content: 'Hi' },
          ],
          { stream: true },
        ),
      );
      expect(body).toEqual({
        model: MODEL,
        max_tokens: 64000,
        system: [
          { type: 'text', text: 'You are terse.' },
          { type: 'text', text: 'Answer in French.' },
          { type: 'text', text: 'No emoji.' },
        ],
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      });
    });

    it('lifts a system message from mid-conversation into system too, after the earlier ones', () => {
      const body = translator.translate(
        request([
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'system', content: 'From now on, answer in German.' },
          { role: 'user', content: 'How are you?' },
        ]),
      );
      expect(body.system).toEqual([
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'From now on, answer in German.' },
      ]);
      expect(body.messages).toEqual([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] },
        { role: 'user', content: 'How are you?' },
      ]);
    });

    it('sends no system when there is none', () => {
      expect('system' in translator.translate(request([{ role: 'user', content: 'Hi' }]))).toBe(false);
    });

    it('takes max_completion_tokens over max_tokens, and max_tokens when it is the only one', () => {
      const user: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
      expect(translator.translate(request(user, { max_completion_tokens: 300, max_tokens: 900 })).max_tokens).toBe(300);
      expect(translator.translate(request(user, { max_tokens: 900 })).max_tokens).toBe(900);
    });

    it('uses the per-model default when the client sent no limit, or the caller’s own default', () => {
      const user: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
      expect(translator.translate({ model: 'claude-opus-4-1-20250805', messages: user }).max_tokens).toBe(32000);
      expect(translator.translate(request(user), { defaultMaxTokens: (model) => (model === MODEL ? 1234 : 1) }).max_tokens).toBe(1234);
    });

    it.each([
      ['claude-opus-4-1-20250805', 32000],
      ['claude-sonnet-5-5', 64000],
      ['claude-3-7-sonnet-20250219', 64000],
      ['claude-haiku-4-5', 8192],
      ['claude-3-5-sonnet-20241022', 8192],
      ['claude-3-5-haiku-20241022', 8192],
      ['claude-3-haiku-20240307', 4096],
      ['claude-3-opus-20240229', 4096],
      ['some-new-model', 8192],
    ])('defaults max_tokens for %s to %i', (model, tokens) => {
      expect(defaultMaxTokensFor(model)).toBe(tokens);
    });

    it('merges consecutive same-role messages into one turn (Anthropic requires alternation)', () => {
      const body = translator.translate(
        request([
          { role: 'user', content: 'First.' },
          { role: 'user', content: [{ type: 'text', text: 'Second.' }] },
          { role: 'assistant', content: 'A' },
          { role: 'assistant', content: 'B' },
          { role: 'user', content: 'Third.' },
        ]),
      );
      expect(body.messages).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'First.' }, { type: 'text', text: 'Second.' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
        { role: 'user', content: 'Third.' },
      ]);
    });

    it('trims trailing whitespace off a final assistant prefill, which Anthropic rejects', () => {
      const body = translator.translate(request([{ role: 'user', content: 'Write JSON' }, { role: 'assistant', content: '{ \n' }]));
      expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: '{' }] });
    });
  });

  describe('tool conversations', () => {
    const conversation: ChatMessage[] = [
      { role: 'system', content: 'Use tools.' },
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_02', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_01', content: '18°C, sunny' },
      { role: 'tool', tool_call_id: 'toolu_02', content: '9°C, rain' },
      { role: 'user', content: 'And which is warmer?' },
    ];

    it('merges the two tool results and the next user message into one user turn', () => {
      const body = translator.translate(request(conversation, { tools: [weatherTool] }));
      expect(body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking both.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: '18°C, sunny' },
            { type: 'tool_result', tool_use_id: 'toolu_02', content: '9°C, rain' },
            { type: 'text', text: 'And which is warmer?' },
          ],
        },
      ]);
      expect(body.tools).toEqual([
        { name: 'get_weather', description: 'Weather for a city', input_schema: weatherTool.function.parameters },
      ]);
    });

    it('puts tool results first in their user turn even when a user message came before them', () => {
      const body = translator.translate(
        request([
          { role: 'user', content: 'go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_x', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'user', content: 'also, hurry' },
          { role: 'tool', tool_call_id: 'toolu_x', content: 'done' },
        ]),
      );
      expect(body.messages[2]).toEqual({
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_x', content: 'done' },
          { type: 'text', text: 'also, hurry' },
        ],
      });
    });

    it('sends tool-call arguments that are not a JSON object as an empty input', () => {
      const body = translator.translate(
        request([
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a": 1, "b": [tru' } },
              { id: 'c2', type: 'function', function: { name: 'f', arguments: '[1,2]' } },
              { id: 'c3', type: 'function', function: { name: 'f', arguments: '' } },
              { id: 'c4', type: 'function', function: { name: 'f', arguments: { already: 'object' } as unknown as string } },
            ],
          },
        ]),
      );
      expect(body.messages[1].content).toEqual([
        { type: 'tool_use', id: 'c1', name: 'f', input: {} },
        { type: 'tool_use', id: 'c2', name: 'f', input: {} },
        { type: 'tool_use', id: 'c3', name: 'f', input: {} },
        { type: 'tool_use', id: 'c4', name: 'f', input: { already: 'object' } },
      ]);
    });

    it('turns tool content parts into blocks and drops a tool message with no call id', () => {
      const body = translator.translate(
        request([
          { role: 'user', content: 'go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_p', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'toolu_p', content: [{ type: 'text', text: 'line 1' }, { type: 'text', text: 'line 2' }] },
          { role: 'tool', content: 'orphan' },
        ]),
      );
      expect(body.messages[2]).toEqual({
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_p', content: [{ type: 'text', text: 'line 1' }, { type: 'text', text: 'line 2' }] }],
      });
    });

    it('gives a tool without parameters an empty object schema and skips non-function tools', () => {
      const body = translator.translate(
        request([{ role: 'user', content: 'x' }], { tools: [{ type: 'function', function: { name: 'now' } }, { type: 'custom', custom: { name: 'x' } } as never] }),
      );
      expect(body.tools).toEqual([{ name: 'now', input_schema: { type: 'object', properties: {} } }]);
    });

    it.each([
      ['auto', undefined, { type: 'auto' }],
      ['required', undefined, { type: 'any' }],
      ['none', undefined, { type: 'none' }],
      [{ type: 'function', function: { name: 'get_weather' } }, undefined, { type: 'tool', name: 'get_weather' }],
      [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
      ['required', false, { type: 'any', disable_parallel_tool_use: true }],
      [{ type: 'function', function: { name: 'get_weather' } }, false, { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true }],
      ['none', false, { type: 'none' }],
      [undefined, true, undefined],
    ])('maps tool_choice %j with parallel_tool_calls %s to %j', (choice, parallel, expected) => {
      const body = translator.translate(
        request([{ role: 'user', content: 'x' }], {
          tools: [weatherTool],
          ...(choice !== undefined ? { tool_choice: choice as ChatCompletionRequest['tool_choice'] } : {}),
          ...(parallel !== undefined ? { parallel_tool_calls: parallel } : {}),
        }),
      );
      expect(body.tool_choice).toEqual(expected);
    });

    it('sends no tool_choice without tools (Anthropic rejects it)', () => {
      const body = translator.translate(request([{ role: 'user', content: 'x' }], { tool_choice: 'required', parallel_tool_calls: false }));
      expect(body.tool_choice).toBeUndefined();
      expect(body.tools).toBeUndefined();
    });
  });

  describe('images and files', () => {
    it('turns a data URL into a base64 image and an http(s) URL into a URL image, in order with the text', () => {
      const body = translator.translate(
        request([
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare these:' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            ],
          },
        ]),
      );
      expect(body.messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ]);
    });

    it('encodes a data URL that is not base64, takes a bare-string image_url, and drops other schemes', () => {
      const body = translator.translate(
        request([
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/svg+xml,%3Csvg%2F%3E' } },
              { type: 'image_url', image_url: 'http://example.com/a.gif' } as never,
              { type: 'image_url', image_url: { url: 'file:///etc/passwd' } },
              { type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } },
            ],
          },
        ]),
      );
      expect(body.messages[0].content).toEqual([
        { type: 'image', source: { type: 'base64', media_type: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') } },
        { type: 'image', source: { type: 'url', url: 'http://example.com/a.gif' } },
      ]);
    });

    it('turns an inline PDF file part into a document block and keeps cache_control on parts', () => {
      const body = translator.translate(
        request([
          {
            role: 'user',
            content: [
              { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
              { type: 'text', text: 'Summarize.', cache_control: { type: 'ephemeral' } },
            ],
          },
        ]),
      );
      expect(body.messages[0].content).toEqual([
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
        { type: 'text', text: 'Summarize.', cache_control: { type: 'ephemeral' } },
      ]);
    });
  });

  describe('thinking', () => {
    it.each([
      ['minimal', 1024],
      ['low', 1024],
      ['medium', 8192],
      ['high', 24576],
      ['xhigh', 32768],
      ['max', 128000],
      ['auto', 10000],
    ])('maps reasoning_effort %s to a budget of %i', (effort, budget) => {
      expect(thinkingBudgetFor(effort)).toBe(budget);
      const body = translator.translate(request([{ role: 'user', content: 'x' }], { reasoning_effort: effort, max_tokens: 200000 }));
      expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
      expect(body.max_tokens).toBe(200000);
    });

    it('raises max_tokens above the budget when it is not above it', () => {
      const user: ChatMessage[] = [{ role: 'user', content: 'x' }];
      expect(translator.translate(request(user, { reasoning_effort: 'high', max_tokens: 4096 })).max_tokens).toBe(24576 + 2457);
      expect(translator.translate(request(user, { reasoning_effort: 'low', max_tokens: 1024 })).max_tokens).toBe(1024 + 1024);
      expect(translator.translate(request(user, { reasoning_effort: 'max' })).max_tokens).toBe(128000 + 12800);
      expect(translator.translate(request(user, { reasoning_effort: 'high', max_tokens: 24577 })).max_tokens).toBe(24577);
      expect(translator.translate(request(user, { reasoning_effort: 'medium' })).max_tokens).toBe(64000);
    });

    it('drops temperature and a top_p below 0.95 when thinking is on', () => {
      const user: ChatMessage[] = [{ role: 'user', content: 'x' }];
      const hot = translator.translate(request(user, { reasoning_effort: 'low', temperature: 0.2, top_p: 0.5 }));
      expect(hot.thinking).toBeDefined();
      expect('temperature' in hot).toBe(false);
      expect('top_p' in hot).toBe(false);
      expect(translator.translate(request(user, { reasoning_effort: 'low', top_p: 0.97 })).top_p).toBe(0.97);
    });

    it.each(['none', 'bogus', ''])('sends no thinking for reasoning_effort %j', (effort) => {
      const body = translator.translate(request([{ role: 'user', content: 'x' }], { reasoning_effort: effort, temperature: 0.3 }));
      expect(body.thinking).toBeUndefined();
      expect(body.temperature).toBe(0.3);
    });

    it('sends no thinking when the tool choice forces a tool', () => {
      const body = translator.translate(request([{ role: 'user', content: 'x' }], { reasoning_effort: 'high', tools: [weatherTool], tool_choice: 'required' }));
      expect(body.thinking).toBeUndefined();
      expect(body.tool_choice).toEqual({ type: 'any' });
    });

    it('sends no thinking when the last tool-calling assistant turn lost its thinking blocks, and thinking when it kept them', () => {
      const history = (thinking_blocks?: ChatThinkingBlock[]): ChatMessage[] => [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, thinking_blocks, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'sunny' },
      ];
      const lost = translator.translate(request(history(), { reasoning_effort: 'medium', tools: [weatherTool] }));
      expect(lost.thinking).toBeUndefined();
      const kept = translator.translate(
        request(history([{ type: 'thinking', thinking: 'Use the tool.', signature: 'sig' }]), { reasoning_effort: 'medium', tools: [weatherTool] }),
      );
      expect(kept.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    });
  });

  describe('signed thinking across turns', () => {
    it('sends back exactly the thinking blocks a streaming client received (stream out → request in)', () => {
      const stream = new MessagesToChatStreamTranslator().createStream();
      const chunks = events(SAMPLE_D_THINKING_TOOL).flatMap((event) => stream.push(event));
      stream.end();
      // What a client that keeps thinking_blocks stores for the assistant turn.
      const assembled = assembleChatStream(chunks);
      const assistant: ChatMessage = {
        role: 'assistant',
        content: assembled.content,
        reasoning_content: assembled.reasoning ?? undefined,
        thinking_blocks: chunks.flatMap((c) => c.choices[0]?.delta.thinking_blocks ?? []),
        tool_calls: assembled.toolCalls.map((c) => ({ id: c.id!, type: 'function' as const, function: { name: c.name!, arguments: c.arguments } })),
      };
      const body = translator.translate(
        request(
          [
            { role: 'user', content: 'Weather in Paris?' },
            assistant,
            { role: 'tool', tool_call_id: 'toolu_01AbC', content: '18°C' },
          ],
          { tools: [weatherTool], reasoning_effort: 'medium' },
        ),
      );
      expect(body.messages[1]).toEqual({
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Need the weather tool.', signature: 'EqQBCkYIBx…' },
          { type: 'tool_use', id: 'toolu_01AbC', name: 'get_weather', input: { city: 'Paris' } },
        ],
      });
      expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    });

    it('puts redacted thinking first, unchanged, and drops unsigned thinking and bare reasoning_content', () => {
      const body = translator.translate(
        request([
          { role: 'user', content: 'x' },
          {
            role: 'assistant',
            content: 'Answer.',
            reasoning_content: 'I thought about it.',
            thinking_blocks: [
              { type: 'thinking', thinking: 'from a chat provider', signature: '' },
              { type: 'redacted_thinking', data: 'EmwKAhgB', extra: 'kept' },
            ],
          },
          { role: 'user', content: 'y' },
        ]),
      );
      expect(body.messages[1]).toEqual({
        role: 'assistant',
        content: [
          { type: 'redacted_thinking', data: 'EmwKAhgB', extra: 'kept' },
          { type: 'text', text: 'Answer.' },
        ],
      });
    });
  });

  it('drops thinking blocks from a final assistant prefill when thinking is off, and keeps them when it is on', () => {
    const prefill: ChatMessage[] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: 'Sure:', thinking_blocks: [{ type: 'thinking', thinking: 't', signature: 's' }] },
    ];
    expect(translator.translate(request(prefill)).messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Sure:' }] });
    expect(translator.translate(request(prefill, { reasoning_effort: 'low' })).messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 't', signature: 's' },
        { type: 'text', text: 'Sure:' },
      ],
    });
  });

  describe('sampling and the rest', () => {
    const user: ChatMessage[] = [{ role: 'user', content: 'x' }];

    it('clamps temperature to Anthropic’s 0–1 and drops top_p beside it', () => {
      const body = translator.translate(request(user, { temperature: 1.6, top_p: 0.9 }));
      expect(body.temperature).toBe(1);
      expect('top_p' in body).toBe(false);
      expect(translator.translate(request(user, { top_p: 0.9 })).top_p).toBe(0.9);
    });

    it('turns stop into stop_sequences, dropping blank ones', () => {
      expect(translator.translate(request(user, { stop: 'END' })).stop_sequences).toEqual(['END']);
      expect(translator.translate(request(user, { stop: ['a', ' ', '', 'b'] })).stop_sequences).toEqual(['a', 'b']);
      expect('stop_sequences' in translator.translate(request(user, { stop: null }))).toBe(false);
    });

    it('sends user as metadata.user_id and leaves out what Messages has no field for', () => {
      const body = translator.translate(
        request(user, { user: 'user-42', n: 2, metadata: { a: 'b' }, response_format: { type: 'json_object' }, stream_options: { include_usage: true } }),
      );
      expect(body).toEqual({ model: MODEL, max_tokens: 64000, messages: [{ role: 'user', content: 'x' }], metadata: { user_id: 'user-42' } });
    });
  });
});
