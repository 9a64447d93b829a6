import type { ResponsesItem, ResponsesRequest } from '../protocol/openai-responses';
import { responsesToolNames } from './responses-chat-tools';
import { ResponsesToChatTranslator } from './responses-to-chat.translator';
import { TranslationRefusal } from './translation-refusal';

const translator = new ResponsesToChatTranslator();

function translate(input: ResponsesRequest['input'], extra: Partial<ResponsesRequest> = {}) {
  return translator.translate({ model: 'deepseek-chat', input, ...extra });
}

/** The refusal a request gets, for its message, code and param. */
function refusalOf(request: Partial<ResponsesRequest>): TranslationRefusal {
  try {
    translator.translate({ model: 'm', input: 'hi', ...request });
  } catch (error) {
    if (error instanceof TranslationRefusal) return error;
    throw error;
  }
  throw new Error('the request was not refused');
}

const user = (text: string): ResponsesItem => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

describe('ResponsesToChatTranslator', () => {
  describe('instructions and messages', () => {
    it('puts instructions first as a system message and a string input as one user message', () => {
      expect(translate('hello', { instructions: 'Be terse.' }).messages).toEqual([
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hello' },
      ]);
    });

    it('keeps message items in order, developer and system as system, one text part as a string', () => {
      const body = translate(
        [
          { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<env>' }, { type: 'input_text', text: '</env>' }] },
          user('list files'),
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Sure.' }] },
          { type: 'message', role: 'system', content: 'Later rule.' },
          { role: 'user', content: 'easy form' } as unknown as ResponsesItem,
        ],
        { instructions: 'Base.' },
      );
      expect(body.messages).toEqual([
        { role: 'system', content: 'Base.' },
        { role: 'system', content: '<env>\n</env>' },
        { role: 'user', content: 'list files' },
        { role: 'assistant', content: 'Sure.' },
        { role: 'system', content: 'Later rule.' },
        { role: 'user', content: 'easy form' },
      ]);
    });

    it('sends images by URL as image_url parts, keeping detail, beside the text', () => {
      const body = translate([
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'high' },
          ],
        },
      ]);
      expect(body.messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'high' } },
          ],
        },
      ]);
    });

    it('refuses an image or a file by id: byokey stores no files', () => {
      const image = refusalOf({ input: [{ type: 'message', role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] });
      expect([image.code, image.param]).toEqual(['unsupported_input', 'input[0].content[0]']);
      expect(image.message).toContain('image_url');
      const file = refusalOf({ input: [{ type: 'message', role: 'user', content: [{ type: 'input_file', file_id: 'file-2' }] }] });
      expect(file.message).toContain('file_data');
    });

    it('carries an assistant refusal part as the message refusal', () => {
      const body = translate([user('x'), { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] }]);
      expect(body.messages[1]).toEqual({ role: 'assistant', content: '', refusal: 'No.' });
    });

    it('drops reasoning items (summaries are not the model’s reasoning, and chat takes none back)', () => {
      const body = translate([user('q'), { type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'gAAA' }, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a' }] }]);
      expect(body.messages).toEqual([
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ]);
    });

    it('refuses input items chat cannot carry, naming the type', () => {
      const refusal = refusalOf({ input: [user('q'), { type: 'local_shell_call', call_id: 'c', action: {} }] });
      expect([refusal.code, refusal.param]).toEqual(['unsupported_input', 'input[1].type']);
      expect(refusal.message).toContain('local_shell_call');
    });
  });

  describe('tool calls and results', () => {
    it('merges consecutive function calls (parallel) into the assistant message before them, results as tool messages by call_id', () => {
      const body = translate([
        user('weather?'),
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'reasoning', summary: [] },
        { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
        { type: 'function_call_output', call_id: 'call_a', output: 'sunny' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'rain' }, { type: 'input_text', text: 'cold' }] },
      ]);
      expect(body.messages).toEqual([
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_b', content: 'rain\ncold' },
      ]);
    });

    it('opens an assistant message with null content for calls that follow no assistant text', () => {
      const body = translate([user('go'), { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'ok' }, { type: 'function_call', call_id: 'c2', name: 'shell', arguments: '{}' }]);
      expect(body.messages.map((m) => [m.role, m.tool_calls?.map((c) => c.id)])).toEqual([
        ['user', undefined],
        ['assistant', ['c1']],
        ['tool', undefined],
        ['assistant', ['c2']],
      ]);
      expect(body.messages[1].content).toBeNull();
    });

    it('puts images a tool returned into a user message after the run of tool results', () => {
      const body = translate([
        user('look'),
        { type: 'function_call', call_id: 'v1', name: 'view_image', arguments: '{}' },
        { type: 'function_call_output', call_id: 'v1', output: [{ type: 'input_image', image_url: 'data:image/png;base64,BBBB' }] },
        user('and?'),
      ]);
      expect(body.messages.slice(2)).toEqual([
        { role: 'tool', tool_call_id: 'v1', content: '' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,BBBB' } }] },
        { role: 'user', content: 'and?' },
      ]);
    });

    it('sends custom tool calls as function calls with an `input` argument, and namespaced calls by their flat name', () => {
      const body = translate([
        user('patch it'),
        { type: 'custom_tool_call', call_id: 'p1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'function_call', call_id: 'n1', name: 'lookup', namespace: 'crm', arguments: '{}' },
        { type: 'custom_tool_call_output', call_id: 'p1', output: 'applied' },
        { type: 'function_call_output', call_id: 'n1', output: 'found' },
      ]);
      expect(body.messages[1].tool_calls).toEqual([
        { id: 'p1', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' } },
        { id: 'n1', type: 'function', function: { name: 'crm__lookup', arguments: '{}' } },
      ]);
      expect(body.messages.slice(2)).toEqual([
        { role: 'tool', tool_call_id: 'p1', content: 'applied' },
        { role: 'tool', tool_call_id: 'n1', content: 'found' },
      ]);
    });
  });

  describe('tools', () => {
    it('passes function tools as chat functions, with tool_choice and parallel_tool_calls', () => {
      const body = translate('hi', {
        tools: [{ type: 'function', name: 'shell', description: 'Run', parameters: { type: 'object' }, strict: false }],
        tool_choice: { type: 'function', name: 'shell' },
        parallel_tool_calls: true,
      });
      expect(body.tools).toEqual([{ type: 'function', function: { name: 'shell', description: 'Run', parameters: { type: 'object' }, strict: false } }]);
      expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'shell' } });
      expect(body.parallel_tool_calls).toBe(true);
    });

    it('flattens namespace tools to <namespace>__<name>, and the names map leads back', () => {
      const request: ResponsesRequest = {
        model: 'm',
        input: 'hi',
        tools: [{ type: 'namespace', name: 'crm', description: 'CRM tools', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }, { type: 'custom', name: 'note' }] }],
      };
      expect(translator.translate(request).tools?.map((t) => [t.function.name, t.function.description])).toEqual([
        ['crm__lookup', 'CRM tools'],
        ['crm__note', undefined],
      ]);
      expect([...responsesToolNames(request)]).toEqual([
        ['crm__lookup', { kind: 'function', name: 'lookup', namespace: 'crm' }],
        ['crm__note', { kind: 'custom', name: 'note', namespace: 'crm' }],
      ]);
    });

    it('offers a custom tool as a function of one string, its grammar in the description', () => {
      const body = translate('hi', { tools: [{ type: 'custom', name: 'apply_patch', description: 'Edit files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } }] });
      const fn = body.tools![0].function;
      expect(fn.parameters).toEqual({
        type: 'object',
        properties: { input: { type: 'string', description: expect.any(String) } },
        required: ['input'],
        additionalProperties: false,
      });
      expect(fn.description).toContain('Edit files.');
      expect(fn.description).toContain('lark grammar');
      expect(fn.description).toContain('start: "x"');
    });

    it('adds the tools of additional_tools input items, and drops the item', () => {
      const body = translate([user('hi'), { type: 'additional_tools', role: 'developer', tools: [{ type: 'function', name: 'late_tool' }] }], { tools: [{ type: 'function', name: 'early' }] });
      expect(body.tools?.map((t) => t.function.name)).toEqual(['early', 'late_tool']);
      expect(body.messages).toEqual([{ role: 'user', content: 'hi' }]);
    });

    it.each(['web_search', 'web_search_preview', 'file_search', 'computer_use_preview', 'code_interpreter', 'image_generation', 'local_shell'])(
      'refuses the hosted %s tool with a clear message naming it',
      (type) => {
        const refusal = refusalOf({ tools: [{ type: 'function', name: 'f' }, { type }] });
        expect([refusal.code, refusal.param]).toEqual(['unsupported_tool', 'tools[1]']);
        expect(refusal.message).toContain(`\`${type}\``);
        expect(refusal.message).toContain('only a Responses API provider');
      },
    );

    it('tells a Codex CLI user how to turn web search off', () => {
      expect(refusalOf({ tools: [{ type: 'web_search' }] }).message).toContain('web_search = "disabled"');
    });

    it('refuses two tools that flatten to the same name', () => {
      const refusal = refusalOf({ tools: [{ type: 'function', name: 'crm__lookup' }, { type: 'namespace', name: 'crm', tools: [{ type: 'function', name: 'lookup' }] }] });
      expect(refusal.message).toContain('crm__lookup');
    });

    it('maps allowed_tools and refuses a hosted tool_choice', () => {
      const body = translate('hi', {
        tools: [{ type: 'function', name: 'a' }, { type: 'custom', name: 'b' }],
        tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'a' }, { type: 'custom', name: 'b' }] },
      });
      expect(body.tool_choice).toEqual({ type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'a' } }, { type: 'function', function: { name: 'b' } }] } });
      expect(refusalOf({ tools: [{ type: 'function', name: 'a' }], tool_choice: { type: 'web_search_preview' } }).param).toBe('tool_choice');
    });

    it('sends neither tool_choice nor parallel_tool_calls without tools (OpenAI rejects them)', () => {
      const body = translate('hi', { tool_choice: 'auto', parallel_tool_calls: false });
      expect(body).not.toHaveProperty('tool_choice');
      expect(body).not.toHaveProperty('parallel_tool_calls');
    });
  });

  describe('parameters', () => {
    it('maps what chat has, Codex CLI style', () => {
      const body = translate('hi', {
        reasoning: { effort: 'high', summary: 'auto' },
        max_output_tokens: 2048,
        temperature: 0.2,
        top_p: 0.9,
        user: 'u-1',
        metadata: { team: 'a' },
        store: false,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'thread-1',
        service_tier: 'priority',
        safety_identifier: 'sid',
        text: { verbosity: 'low', format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      });
      expect(body).toEqual({
        model: 'deepseek-chat',
        messages: [{ role: 'user', content: 'hi' }],
        reasoning_effort: 'high',
        max_completion_tokens: 2048,
        temperature: 0.2,
        top_p: 0.9,
        user: 'u-1',
        metadata: { team: 'a' },
        prompt_cache_key: 'thread-1',
        service_tier: 'priority',
        safety_identifier: 'sid',
        verbosity: 'low',
        response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      });
    });

    it('maps json_object, and asks a stream for its usage', () => {
      const body = translate('hi', { text: { format: { type: 'json_object' } }, stream: true });
      expect(body.response_format).toEqual({ type: 'json_object' });
      expect([body.stream, body.stream_options]).toEqual([true, { include_usage: true }]);
      expect(translate('hi', { stream: false })).not.toHaveProperty('stream_options');
    });

    it('refuses previous_response_id: byokey keeps no conversation state', () => {
      const refusal = refusalOf({ previous_response_id: 'resp_1' });
      expect([refusal.code, refusal.param]).toEqual(['unsupported_parameter', 'previous_response_id']);
      expect(refusal.message).toContain('byokey keeps no conversation state; send the whole conversation in `input`');
    });

    it('refuses conversation and item references likewise', () => {
      expect(refusalOf({ conversation: 'conv_1' }).param).toBe('conversation');
      expect(refusalOf({ input: [{ type: 'item_reference', id: 'msg_1' }] }).message).toContain('keeps no conversation state');
    });
  });
});
