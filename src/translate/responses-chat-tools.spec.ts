import { chatToolsOf, customInput, responsesCallOf, responsesToolNames } from './responses-chat-tools';
import { TranslationRefusal } from './translation-refusal';

describe('responses-chat-tools', () => {
  describe('customInput', () => {
    it('reads the `input` argument', () => {
      expect(customInput('{"input":"line 1\\nline 2"}')).toBe('line 1\nline 2');
    });
    it('takes the raw text when the model wrote no JSON, and a bare JSON string as that string', () => {
      expect(customInput('*** Begin Patch')).toBe('*** Begin Patch');
      expect(customInput('"just text"')).toBe('just text');
    });
    it('keeps JSON without an `input` string as written', () => {
      expect(customInput('{"patch":"x"}')).toBe('{"patch":"x"}');
    });
  });

  describe('responsesCallOf', () => {
    it('answers an undeclared name as a plain function call under that name', () => {
      expect(responsesCallOf('mystery', '{}', new Map())).toEqual({ type: 'function_call', name: 'mystery', arguments: '{}' });
      expect(responsesCallOf('mystery', '{}', undefined)).toEqual({ type: 'function_call', name: 'mystery', arguments: '{}' });
    });
  });

  describe('chatToolsOf', () => {
    it('declares a tool repeated by an additional_tools item once', () => {
      const { tools } = chatToolsOf({
        tools: [{ type: 'function', name: 'a' }],
        input: [{ type: 'additional_tools', tools: [{ type: 'function', name: 'a' }] }],
      });
      expect(tools.map((t) => t.function.name)).toEqual(['a']);
    });
    it('refuses a namespace holding a hosted tool, naming the place', () => {
      expect(() => chatToolsOf({ input: [], tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'web_search' } as never] }] })).toThrow(
        expect.objectContaining({ param: 'tools[0].tools[0]', code: 'unsupported_tool' }),
      );
    });
    it('refuses a custom tool whose format is neither text nor grammar', () => {
      expect(() => chatToolsOf({ input: [], tools: [{ type: 'custom', name: 'c', format: { type: 'audio' } }] })).toThrow(TranslationRefusal);
    });
  });

  it('responsesToolNames gives an empty map for tools that cannot be translated (the request was refused anyway)', () => {
    expect(responsesToolNames({ input: [], tools: [{ type: 'web_search' }] }).size).toBe(0);
  });
});
