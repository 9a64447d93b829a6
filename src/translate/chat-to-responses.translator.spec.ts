import type { ChatCompletionRequest, ChatMessage } from '../protocol/openai-chat';
import type { ResponsesItem } from '../protocol/openai-responses';
import { ChatToResponsesTranslator } from './chat-to-responses.translator';

const translator = new ChatToResponsesTranslator();

function translate(messages: ChatMessage[], extra: Partial<ChatCompletionRequest> = {}) {
  return translator.translate({ model: 'gpt-5.1-codex', messages, ...extra });
}

describe('ChatToResponsesTranslator', () => {
  describe('system and developer messages', () => {
    it('joins the leading ones, in order, into instructions with blank lines', () => {
      const body = translate([
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'system', content: 'Never apologize.' },
        { role: 'user', content: 'hi' },
      ]);
      expect(body.instructions).toBe('You are terse.\n\nAnswer in French.\n\nNever apologize.');
      expect(body.input).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }]);
    });

    it('keeps system/developer messages after the first user message as developer items in place', () => {
      const body = translate([
        { role: 'system', content: 'Base rules.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'system', content: 'Switch to JSON now.' },
        { role: 'user', content: 'second' },
      ]);
      expect(body.instructions).toBe('Base rules.');
      expect(body.input).toEqual([
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'first' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Switch to JSON now.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second' }] },
      ]);
    });

    it('keeps a system message in place once any conversation item came before it, even without a user message', () => {
      const body = translate([
        { role: 'system', content: 'Base.' },
        { role: 'assistant', content: 'I start.' },
        { role: 'system', content: 'Later note.' },
      ]);
      expect(body.instructions).toBe('Base.');
      expect(body.input).toEqual([
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'I start.' }] },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Later note.' }] },
      ]);
    });

    it('sends no instructions field when there is no system message', () => {
      const body = translate([{ role: 'user', content: 'hi' }]);
      expect(body).not.toHaveProperty('instructions');
    });
  });

  describe('user content', () => {
    it('maps text and image parts, keeping data and http URLs as they are and the detail', () => {
      const dataUrl = 'data:image/png;base64,iVBORw0KGgo=';
      const body = translate([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: dataUrl, detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ]);
      expect(body.input).toEqual([
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in these?' },
            { type: 'input_image', image_url: dataUrl, detail: 'high' },
            { type: 'input_image', image_url: 'https://example.com/cat.jpg' },
          ],
        },
      ]);
    });

    it('maps file parts to input_file and skips parts Responses cannot take', () => {
      const body = translate([
        {
          role: 'user',
          content: [
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' } },
            { type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } },
            { type: 'text', text: 'summarize' },
          ],
        },
      ]);
      expect(body.input).toEqual([
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' },
            { type: 'input_text', text: 'summarize' },
          ],
        },
      ]);
    });
  });

  describe('tool calls and results', () => {
    it('pairs assistant tool_calls with tool messages by call_id, text before the calls', () => {
      const body = translate([
        { role: 'user', content: 'list files and show the date' },
        {
          role: 'assistant',
          content: 'Let me check.',
          reasoning_content: 'SECRET-CHAIN-OF-THOUGHT',
          tool_calls: [
            { id: 'call_ls', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } },
            { id: 'call_date', type: 'function', function: { name: 'shell', arguments: '{"command":["date"]}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_ls', content: 'a.txt\nb.txt\n' },
        { role: 'tool', tool_call_id: 'call_date', content: [{ type: 'text', text: 'Thu' }, { type: 'text', text: 'Jan 1' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_cat', type: 'function', function: { name: 'shell', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_cat', content: 'hello' },
        { role: 'assistant', content: 'Done.' },
        { role: 'user', content: 'thanks' },
      ]);
      expect(body.input).toEqual([
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list files and show the date' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] },
        { type: 'function_call', call_id: 'call_ls', name: 'shell', arguments: '{"command":["ls"]}' },
        { type: 'function_call', call_id: 'call_date', name: 'shell', arguments: '{"command":["date"]}' },
        { type: 'function_call_output', call_id: 'call_ls', output: 'a.txt\nb.txt\n' },
        { type: 'function_call_output', call_id: 'call_date', output: 'Thu\nJan 1' },
        { type: 'function_call', call_id: 'call_cat', name: 'shell', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_cat', output: 'hello' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'thanks' }] },
      ]);
      // The invariant the Codex backend checks: every output follows a call with its call_id.
      const items = body.input as ResponsesItem[];
      items.forEach((item, i) => {
        if (item.type !== 'function_call_output') return;
        const earlier = items.slice(0, i).filter((c) => c.type === 'function_call').map((c) => c.call_id);
        expect(earlier).toContain(item.call_id);
      });
      // reasoning_content is never replayed as text.
      expect(JSON.stringify(body)).not.toContain('SECRET-CHAIN-OF-THOUGHT');
    });

    it('omits an assistant message whose content is empty and stringifies object arguments', () => {
      const body = translate([
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: { a: 1 } as unknown as string } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      ]);
      expect(body.input).toEqual([
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
      ]);
    });
  });

  describe('tools and choices', () => {
    it('flattens function tools and keeps only what was given', () => {
      const parameters = { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] };
      const body = translate([{ role: 'user', content: 'x' }], {
        tools: [
          { type: 'function', function: { name: 'shell', description: 'Run a command', parameters, strict: false } },
          { type: 'function', function: { name: 'noop' } },
        ],
        tool_choice: { type: 'function', function: { name: 'shell' } },
        parallel_tool_calls: false,
      });
      expect(body.tools).toEqual([
        { type: 'function', name: 'shell', description: 'Run a command', parameters, strict: false },
        { type: 'function', name: 'noop' },
      ]);
      expect(body.tool_choice).toEqual({ type: 'function', name: 'shell' });
      expect(body.parallel_tool_calls).toBe(false);
    });

    it.each(['auto', 'none', 'required'] as const)('passes tool_choice %s as it is', (choice) => {
      expect(translate([{ role: 'user', content: 'x' }], { tool_choice: choice }).tool_choice).toBe(choice);
    });
  });

  describe('parameters', () => {
    it('maps reasoning_effort, json_schema, max_completion_tokens and passes sampling and identity fields', () => {
      const schema = { type: 'object', properties: { n: { type: 'number' } } };
      const body = translate([{ role: 'user', content: 'x' }], {
        reasoning_effort: 'high',
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
        max_tokens: 100,
        max_completion_tokens: 200,
        temperature: 0.2,
        top_p: 0.9,
        user: 'u-1',
        metadata: { team: 'a' },
        stream: true,
        stream_options: { include_usage: true },
        n: 1,
        logprobs: true,
        stop: ['\n'],
      });
      expect(body).toEqual({
        model: 'gpt-5.1-codex',
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }] }],
        reasoning: { effort: 'high', summary: 'auto' },
        text: { format: { type: 'json_schema', name: 'answer', schema, strict: true } },
        max_output_tokens: 200,
        temperature: 0.2,
        top_p: 0.9,
        user: 'u-1',
        metadata: { team: 'a' },
        stream: true,
      });
    });

    it('maps json_object and max_tokens, and forces neither store nor stream', () => {
      const body = translate([{ role: 'user', content: 'x' }], { response_format: { type: 'json_object' }, max_tokens: 50 });
      expect(body.text).toEqual({ format: { type: 'json_object' } });
      expect(body.max_output_tokens).toBe(50);
      expect(body).not.toHaveProperty('store');
      expect(body).not.toHaveProperty('stream');
      expect(body).not.toHaveProperty('reasoning');
    });
  });

  it('skips shapes it cannot use instead of crashing', () => {
    const body = translate([
      { role: 'user', content: [{ type: 'mystery', foo: 1 }] },
      { role: 'function', name: 'legacy', content: 'old' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'x' } as never, { id: 'call_ok', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'user', content: 'real question' },
    ]);
    expect(body.input).toEqual([
      { type: 'function_call', call_id: 'call_ok', name: 'f', arguments: '{}' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'real question' }] },
    ]);
  });
});
