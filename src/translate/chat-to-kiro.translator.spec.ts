import { ChatToKiroTranslator } from './chat-to-kiro.translator';
import { TranslationRefusal } from './translation-refusal';

const t = new ChatToKiroTranslator();

describe('ChatToKiroTranslator', () => {
  it('puts the system prompt at the head of the current message, and leaves modelId and the profile to the executor', () => {
    const body = t.translate({ model: 'kiro-claude-sonnet-4-5', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], max_tokens: 100, temperature: 0.2 });
    expect(body.model).toBe('kiro-claude-sonnet-4-5');
    expect(body.profileArn).toBeUndefined();
    expect(body.inferenceConfig).toEqual({ maxTokens: 100, temperature: 0.2 });
    expect(body.conversationState).toMatchObject({ chatTriggerType: 'MANUAL', history: [] });
    expect(body.conversationState.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.conversationState.currentMessage.userInputMessage).toEqual({
      content: '--- SYSTEM PROMPT ---\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhi',
      modelId: '',
      origin: 'AI_EDITOR',
    });
  });

  it('keeps history alternating: merged same-role turns, tool calls as toolUses, tool results on the next user turn', () => {
    const body = t.translate({
      model: 'm',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
        { role: 'assistant', content: 'calling', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '18C' },
        { role: 'user', content: 'thanks, and Rome?' },
      ],
    });
    const state = body.conversationState;
    expect(state.history).toEqual([
      { userInputMessage: { content: 'one\ntwo', modelId: '', origin: 'AI_EDITOR' } },
      { assistantResponseMessage: { content: 'calling', toolUses: [{ toolUseId: 'c1', name: 'get_weather', input: { city: 'Paris' } }] } },
    ]);
    // The tool result and the user's words are one user turn, the current one, with the tools.
    expect(state.currentMessage.userInputMessage).toEqual({
      content: 'thanks, and Rome?',
      modelId: '',
      origin: 'AI_EDITOR',
      userInputMessageContext: {
        toolResults: [{ toolUseId: 'c1', status: 'success', content: [{ text: '18C' }] }],
        tools: [{ toolSpecification: { name: 'get_weather', description: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
      },
    });
  });

  it('gives a turn of tool results only, or an answer ending on the assistant, the placeholder Kiro needs', () => {
    const results = t.translate({
      model: 'm',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: 'not json' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
    });
    expect(results.conversationState.currentMessage.userInputMessage.content).toBe('Tool results provided.');
    expect(results.conversationState.history[1]).toEqual({ assistantResponseMessage: { content: '', toolUses: [{ toolUseId: 'c1', name: 'f', input: {} }] } });

    const continued = t.translate({ model: 'm', messages: [{ role: 'user', content: 'go' }, { role: 'assistant', content: 'half' }] });
    expect(continued.conversationState.history).toHaveLength(2);
    expect(continued.conversationState.currentMessage.userInputMessage.content).toBe('Continue');
  });

  it('sends data-URL images inline and refuses what Kiro cannot take', () => {
    const body = t.translate({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
    });
    expect(body.conversationState.currentMessage.userInputMessage.images).toEqual([{ format: 'png', source: { bytes: 'iVBORw0KGgo=' } }]);
    const remote = () => t.translate({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] });
    expect(remote).toThrow(TranslationRefusal);
    expect(remote).toThrow(/data URLs/);
  });

  it('offers no tools when tool_choice is none', () => {
    const body = t.translate({ model: 'm', tool_choice: 'none', tools: [{ type: 'function', function: { name: 'f' } }], messages: [{ role: 'user', content: 'x' }] });
    expect(body.conversationState.currentMessage.userInputMessage.userInputMessageContext).toBeUndefined();
  });

  describe('reasoning_effort', () => {
    const content = (request: Parameters<ChatToKiroTranslator['translate']>[0]) => t.translate(request).conversationState.currentMessage.userInputMessage.content;

    it('switches thinking on with the tags at the head of the system prompt, the effort as its length', () => {
      expect(content({ model: 'm', reasoning_effort: 'high', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] })).toBe(
        '--- SYSTEM PROMPT ---\n<thinking_mode>enabled</thinking_mode><max_thinking_length>24576</max_thinking_length>\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhi',
      );
    });

    it('makes the tags the system prompt when there is none', () => {
      expect(content({ model: 'm', reasoning_effort: 'medium', messages: [{ role: 'user', content: 'hi' }] })).toBe(
        '--- SYSTEM PROMPT ---\n<thinking_mode>enabled</thinking_mode><max_thinking_length>8192</max_thinking_length>\n--- END SYSTEM PROMPT ---\n\nhi',
      );
    });

    it('keeps the length within Kiro\'s 1024..24576, with its default for auto', () => {
      const length = (effort: string) => /<max_thinking_length>(\d+)</.exec(content({ model: 'm', reasoning_effort: effort, messages: [{ role: 'user', content: 'x' }] }))?.[1];
      expect(['minimal', 'low', 'medium', 'high', 'xhigh', 'max', 'auto', 'HIGH'].map(length)).toEqual(['1024', '1024', '8192', '24576', '24576', '24576', '20000', '24576']);
    });

    it('adds nothing for none, no effort, an effort it does not know, or a client that wrote its own tags', () => {
      for (const reasoning_effort of ['none', undefined, 'extreme']) expect(content({ model: 'm', reasoning_effort, messages: [{ role: 'user', content: 'hi' }] })).toBe('hi');
      const own = '<thinking_mode>interleaved</thinking_mode><max_thinking_length>9000</max_thinking_length>';
      expect(content({ model: 'm', reasoning_effort: 'high', messages: [{ role: 'system', content: own }, { role: 'user', content: 'hi' }] })).toBe(
        `--- SYSTEM PROMPT ---\n${own}\n--- END SYSTEM PROMPT ---\n\nhi`,
      );
    });
  });
});
