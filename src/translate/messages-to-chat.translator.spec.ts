import type { MessagesRequest } from '../protocol/anthropic-messages';
import { ChatToResponsesTranslator } from './chat-to-responses.translator';
import { MAX_CHAT_USER_LENGTH, MessagesToChatTranslator, TOOL_ERROR_PREFIX } from './messages-to-chat.translator';

const translator = new MessagesToChatTranslator();

function request(overrides: Partial<MessagesRequest> = {}): MessagesRequest {
  return { model: 'gpt-4.1', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }], ...overrides };
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

describe('MessagesToChatTranslator', () => {
  describe('system', () => {
    it('puts a string system prompt first as one system message', () => {
      expect(translator.translate(request({ system: 'Be terse.' })).messages).toEqual([
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hello' },
      ]);
    });

    it('joins system text blocks (as Claude Code sends them) into one system message, cache_control dropped', () => {
      const body = translator.translate(
        request({
          system: [
            { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'Use tools.' },
          ],
        }),
      );
      expect(body.messages[0]).toEqual({ role: 'system', content: 'You are Claude Code.\n\nUse tools.' });
      expect(JSON.stringify(body)).not.toContain('cache_control');
    });

    it('sends no system message for an empty system', () => {
      expect(translator.translate(request({ system: [] })).messages).toEqual([{ role: 'user', content: 'Hello' }]);
    });
  });

  describe('user content', () => {
    it('makes a single text block a plain string and several blocks text parts', () => {
      const body = translator.translate(
        request({
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'one block' }] },
            { role: 'assistant', content: 'ok' },
            { role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'second' }] },
          ],
        }),
      );
      expect(body.messages).toEqual([
        { role: 'user', content: 'one block' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'second' }] },
      ]);
    });

    it('turns base64 images into data URLs and url images into their URL', () => {
      const body = translator.translate(
        request({
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Compare these.' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
                { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
              ],
            },
          ],
        }),
      );
      expect(body.messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ]);
    });

    it('keeps a lone image as a one-part array (a string cannot carry it)', () => {
      const body = translator.translate(
        request({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAA' } }] }] }),
      );
      expect(body.messages[0].content).toEqual([{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAA' } }]);
    });

    it('sends a text document as text and a base64 PDF as a file part', () => {
      const body = translator.translate(
        request({
          messages: [
            {
              role: 'user',
              content: [
                { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' } },
                { type: 'document', title: 'spec.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
              ],
            },
          ],
        }),
      );
      expect(body.messages[0].content).toEqual([
        { type: 'text', text: 'plain notes' },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'spec.pdf' } },
      ]);
    });
  });

  describe('a multi-turn tool conversation', () => {
    const conversation = request({
      system: 'You can check the weather.',
      messages: [
        { role: 'user', content: 'Weather in Paris and Tokyo?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two calls.', signature: '' },
            { type: 'text', text: 'Checking both.' },
            { type: 'tool_use', id: 'toolu_paris', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_tokyo', name: 'get_weather', input: { city: 'Tokyo', units: 'c' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_paris', content: '18°C, cloudy' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_tokyo',
              content: [
                { type: 'text', text: 'service unavailable' },
                { type: 'text', text: 'retry later' },
              ],
              is_error: true,
            },
            { type: 'text', text: 'Then summarise.' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Paris is 18°C; Tokyo is unknown.' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });

    it('gives the assistant tool_calls, one tool message per result, then the rest of the user turn', () => {
      expect(translator.translate(conversation).messages).toEqual([
        { role: 'system', content: 'You can check the weather.' },
        { role: 'user', content: 'Weather in Paris and Tokyo?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'toolu_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_tokyo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo","units":"c"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_paris', content: '18°C, cloudy' },
        { role: 'tool', tool_call_id: 'toolu_tokyo', content: `${TOOL_ERROR_PREFIX}service unavailable\nretry later` },
        { role: 'user', content: 'Then summarise.' },
        { role: 'assistant', content: 'Paris is 18°C; Tokyo is unknown.' },
        { role: 'user', content: 'Thanks' },
      ]);
    });

    it('emits tool messages before user text even when the text came first in the turn', () => {
      const body = translator.translate(
        request({
          messages: [
            { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ls', input: {} }] },
            { role: 'user', content: [{ type: 'text', text: 'here:' }, { type: 'tool_result', tool_use_id: 't1', content: 'a.txt' }] },
          ],
        }),
      );
      expect(body.messages).toEqual([
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'ls', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'a.txt' },
        { role: 'user', content: 'here:' },
      ]);
    });

    it('moves images of a tool result to a user message right after the tool messages', () => {
      const body = translator.translate(
        request({
          messages: [
            { role: 'assistant', content: [{ type: 'tool_use', id: 'shot', name: 'screenshot', input: {} }] },
            {
              role: 'user',
              content: [
                {
                  type: 'tool_result',
                  tool_use_id: 'shot',
                  content: [
                    { type: 'text', text: 'captured' },
                    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
                  ],
                },
                { type: 'text', text: 'What do you see?' },
              ],
            },
          ],
        }),
      );
      expect(body.messages.slice(1)).toEqual([
        { role: 'tool', tool_call_id: 'shot', content: 'captured\n(an image returned by this tool follows in the next user message)' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Images returned by tool call shot:' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'text', text: 'What do you see?' },
          ],
        },
      ]);
    });

    it('skips an assistant turn that held only thinking', () => {
      const body = translator.translate(
        request({
          messages: [
            { role: 'user', content: 'a' },
            {
              role: 'assistant',
              content: [
                { type: 'thinking', thinking: 'hmm', signature: 'sig' },
                { type: 'redacted_thinking', data: 'opaque' },
              ],
            },
            { role: 'user', content: 'b' },
          ],
        }),
      );
      expect(body.messages).toEqual([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ]);
    });
  });

  describe('tools', () => {
    const tools: MessagesRequest['tools'] = [
      { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, cache_control: { type: 'ephemeral' } },
      { name: 'web_search', type: 'web_search_20250305', input_schema: {} },
    ];

    it('sends client tools as function tools and drops Anthropic server tools', () => {
      expect(translator.translate(request({ tools })).tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ]);
    });

    it.each([
      [{ type: 'auto' }, 'auto'],
      [{ type: 'any' }, 'required'],
      [{ type: 'none' }, 'none'],
      [{ type: 'tool', name: 'get_weather' }, { type: 'function', function: { name: 'get_weather' } }],
    ] as const)('tool_choice %j → %j', (choice, expected) => {
      const body = translator.translate(request({ tools, tool_choice: choice }));
      expect(body.tool_choice).toEqual(expected);
      expect(body.parallel_tool_calls).toBeUndefined();
    });

    it('turns disable_parallel_tool_use into parallel_tool_calls: false', () => {
      const body = translator.translate(request({ tools, tool_choice: { type: 'auto', disable_parallel_tool_use: true } }));
      expect(body.tool_choice).toBe('auto');
      expect(body.parallel_tool_calls).toBe(false);
    });

    it('sends no tool_choice without tools', () => {
      const body = translator.translate(request({ tool_choice: { type: 'any', disable_parallel_tool_use: true } }));
      expect(body).not.toHaveProperty('tools');
      expect(body).not.toHaveProperty('tool_choice');
      expect(body).not.toHaveProperty('parallel_tool_calls');
    });
  });

  describe('thinking → reasoning_effort', () => {
    it.each([
      [{ type: 'enabled', budget_tokens: 1024 }, 'low'],
      [{ type: 'enabled', budget_tokens: 1025 }, 'medium'],
      [{ type: 'enabled', budget_tokens: 8192 }, 'medium'],
      [{ type: 'enabled', budget_tokens: 8193 }, 'high'],
      [{ type: 'enabled', budget_tokens: 32000 }, 'high'],
      [{ type: 'adaptive' }, 'medium'],
    ] as const)('%j → %s', (thinking, effort) => {
      expect(translator.translate(request({ thinking })).reasoning_effort).toBe(effort);
    });

    it('takes adaptive thinking’s effort from output_config (max → high)', () => {
      expect(translator.translate(request({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } })).reasoning_effort).toBe('low');
      expect(translator.translate(request({ thinking: { type: 'adaptive' }, output_config: { effort: 'max' } })).reasoning_effort).toBe('high');
    });

    it('sends no reasoning_effort when thinking is disabled or absent', () => {
      expect(translator.translate(request({ thinking: { type: 'disabled' } }))).not.toHaveProperty('reasoning_effort');
      expect(translator.translate(request())).not.toHaveProperty('reasoning_effort');
    });
  });

  describe('sampling and the rest', () => {
    it('carries max_tokens, temperature, top_p, stop_sequences and metadata.user_id', () => {
      const body = translator.translate(
        request({ max_tokens: 4096, temperature: 0.2, top_p: 0.9, stop_sequences: ['END', ''], metadata: { user_id: 'user-7' } }),
      );
      expect(body).toMatchObject({ model: 'gpt-4.1', max_tokens: 4096, temperature: 0.2, top_p: 0.9, stop: ['END'], user: 'user-7' });
    });

    it('asks a streaming chat upstream for usage', () => {
      const body = translator.translate(request({ stream: true }));
      expect(body.stream).toBe(true);
      expect(body.stream_options).toEqual({ include_usage: true });
    });

    it('sends no stream fields for a non-stream request', () => {
      const body = translator.translate(request({ stream: false }));
      expect(body).not.toHaveProperty('stream');
      expect(body).not.toHaveProperty('stream_options');
    });

    it('drops Anthropic-only fields', () => {
      const body = translator.translate(
        request({ top_k: 5, service_tier: 'auto', cache_control: { type: 'ephemeral' }, container: 'c1', inference_geo: 'us', metadata: {} }),
      );
      expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model']);
    });
  });
  describe('what Claude Code sends (issue 12)', () => {
    const BILLING = 'x-anthropic-billing-header: cc_version=2.1.332.a3f; cc_entrypoint=cli; cch=00000;';

    it('puts the billing-header block after the stable system prompt, so the prompt prefix stays the same across sessions', () => {
      const body = translator.translate(
        request({
          system: [
            { type: 'text', text: BILLING },
            { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'Use the tools available to you.' },
          ],
        }),
      );
      expect(body.messages[0]).toEqual({
        role: 'system',
        content: `You are Claude Code, Anthropic's official CLI for Claude.\n\nUse the tools available to you.\n\n${BILLING}`,
      });
    });

    it('gives two sessions (different billing hashes) the same system prompt prefix', () => {
      const prompt = (hash: string) =>
        translator.translate(request({ system: [{ type: 'text', text: `x-anthropic-billing-header: cc_version=2.1.332.${hash};` }, { type: 'text', text: 'Stable prompt.' }] }))
          .messages[0].content as string;
      const [a, b] = [prompt('111'), prompt('222')];
      expect(a).not.toBe(b);
      expect(a.startsWith('Stable prompt.\n\n')).toBe(true);
      expect(b.startsWith('Stable prompt.\n\n')).toBe(true);
    });

    it('turns role "system" turns into system messages where they stand', () => {
      const body = translator.translate(
        request({
          system: 'Base.',
          messages: [
            { role: 'user', content: 'first' },
            { role: 'assistant', content: 'ok' },
            { role: 'system', content: 'The user switched to plan mode.' },
            { role: 'user', content: 'second' },
            { role: 'system', content: [{ type: 'text', text: 'Reminder one.' }, { type: 'text', text: 'Reminder two.' }] },
          ],
        }),
      );
      expect(body.messages).toEqual([
        { role: 'system', content: 'Base.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'system', content: 'The user switched to plan mode.' },
        { role: 'user', content: 'second' },
        { role: 'system', content: 'Reminder one.\n\nReminder two.' },
      ]);
    });

    it('lets tool messages follow their tool calls directly when a system turn sits between them', () => {
      const body = translator.translate(
        request({
          tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
          messages: [
            { role: 'user', content: 'list files' },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] },
            { role: 'system', content: 'Tool output may be long.' },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' }, { type: 'text', text: 'and?' }] },
          ],
        }),
      );
      expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'system', 'user']);
      expect(body.messages[3]).toEqual({ role: 'system', content: 'Tool output may be long.' });
    });

    it('skips a system turn with no text', () => {
      const body = translator.translate(request({ messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: [] }] }));
      expect(body.messages).toEqual([{ role: 'user', content: 'hi' }]);
    });

    it('sends tool_reference, search_result and document blocks of a tool result to the model as text', () => {
      const body = translator.translate(
        request({
          messages: [
            { role: 'user', content: 'find a tool' },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_s', name: 'ToolSearch', input: { query: 'notebook' } }] },
            {
              role: 'user',
              content: [
                {
                  type: 'tool_result',
                  tool_use_id: 'toolu_s',
                  content: [
                    { type: 'tool_reference', tool_name: 'NotebookEdit' },
                    { type: 'tool_reference', tool_name: 'mcp__github__get_issue' },
                    { type: 'search_result', source: 'https://docs.example/a', title: 'Doc A', content: [{ type: 'text', text: 'Alpha.' }] },
                    { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'Inline doc.' }] } },
                    { type: 'future_block', payload: 1 },
                  ],
                },
              ],
            },
          ],
        }),
      );
      expect(body.messages[2]).toEqual({
        role: 'tool',
        tool_call_id: 'toolu_s',
        content: '[tool_reference: NotebookEdit]\n[tool_reference: mcp__github__get_issue]\n[search_result: Doc A — https://docs.example/a]\nAlpha.\nInline doc.\n[future_block]',
      });
    });

    it('keeps deferred tools as plain function tools and skips tool kinds chat cannot run, with the choice of one', () => {
      const body = translator.translate(
        request({
          tools: [
            { name: 'ToolSearch', description: 'Find deferred tools', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
            { name: 'NotebookEdit', description: 'Edit a notebook', input_schema: { type: 'object' }, defer_loading: true },
            { type: 'tool_search_tool_regex_20251119', name: 'tool_search_tool_regex' },
            { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
            { type: 'mcp_toolset', mcp_server_name: 'github' } as never,
          ],
          tool_choice: { type: 'tool', name: 'web_search' },
        }),
      );
      expect(body.tools).toEqual([
        { type: 'function', function: { name: 'ToolSearch', description: 'Find deferred tools', parameters: { type: 'object', properties: { query: { type: 'string' } } } } },
        { type: 'function', function: { name: 'NotebookEdit', description: 'Edit a notebook', parameters: { type: 'object' } } },
      ]);
      expect(JSON.stringify(body)).not.toContain('defer_loading');
      expect(body).not.toHaveProperty('tool_choice');
    });

    it.each([
      ['low', 'low'],
      ['medium', 'medium'],
      ['high', 'high'],
      ['xhigh', 'high'],
      ['max', 'high'],
    ])('maps adaptive thinking with output_config.effort %s to reasoning_effort %s', (effort, expected) => {
      const body = translator.translate(request({ thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort } }));
      expect(body.reasoning_effort).toBe(expected);
    });

    it('maps output_config.effort without thinking, and ignores an unknown effort', () => {
      expect(translator.translate(request({ output_config: { effort: 'xhigh' } })).reasoning_effort).toBe('high');
      expect(translator.translate(request({ output_config: { effort: 'ludicrous' } }))).not.toHaveProperty('reasoning_effort');
      expect(translator.translate(request({ thinking: { type: 'adaptive' }, output_config: { effort: 'ludicrous' } })).reasoning_effort).toBe('medium');
    });

    it('lets disabled thinking win over an effort level', () => {
      expect(translator.translate(request({ thinking: { type: 'disabled' }, output_config: { effort: 'high' } }))).not.toHaveProperty('reasoning_effort');
    });

    it('drops context_management, output_config and a JSON-document metadata.user_id; keeps a short user id', () => {
      const claudeCodeUser = JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: 'a1b2', session_id: 's1' });
      const body = translator.translate(
        request({
          context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
          output_config: { effort: 'high' },
          metadata: { user_id: claudeCodeUser },
        }),
      );
      expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model', 'reasoning_effort']);
      const short = 'u'.repeat(MAX_CHAT_USER_LENGTH);
      expect(translator.translate(request({ metadata: { user_id: short } })).user).toBe(short);
      expect(translator.translate(request({ metadata: { user_id: `${short}x` } }))).not.toHaveProperty('user');
    });

    it('survives the hop on to the Responses API with the system turn as a developer item in place', () => {
      const chat = translator.translate(
        request({
          system: [{ type: 'text', text: BILLING }, { type: 'text', text: 'Stable.' }],
          messages: [
            { role: 'user', content: 'one' },
            { role: 'assistant', content: 'ok' },
            { role: 'system', content: 'Mid-conversation note.' },
            { role: 'user', content: 'two' },
          ],
          thinking: { type: 'adaptive' },
          output_config: { effort: 'xhigh' },
        }),
      );
      const responses = new ChatToResponsesTranslator().translate(chat);
      expect(responses.instructions).toBe(`Stable.\n\n${BILLING}`);
      expect(responses.reasoning).toEqual({ effort: 'high', summary: 'auto' });
      expect(responses.input).toEqual([
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Mid-conversation note.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }] },
      ]);
    });

    it('skips odd shapes inside messages instead of crashing', () => {
      const odd = [null, 7, 'text', { role: 'system', content: 5 }, { role: 'user' }, { role: 'user', content: [null, { type: 'tool_result' }, { type: 'tool_result', tool_use_id: 'x', content: [null, 3, { type: 9 }] }] }, { role: 'narrator', content: 'hi' }];
      const body = translator.translate(request({ messages: odd as never }));
      expect(body.messages).toEqual([{ role: 'tool', tool_call_id: 'x', content: '' }]);
    });
  });
});
