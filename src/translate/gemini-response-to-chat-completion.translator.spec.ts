import { signatureOfCallId } from './gemini-answer-fields';
import { GeminiResponseToChatCompletionTranslator } from './gemini-response-to-chat-completion.translator';

const translate = (response: object) => new GeminiResponseToChatCompletionTranslator().translate(response as never, { model: 'gemini-2.5-pro' });

describe('GeminiResponseToChatCompletionTranslator', () => {
  it('gives text as content, thoughts as reasoning_content, calls as tool calls with their signature, and usage', () => {
    const completion = translate({
      candidates: [{ content: { role: 'model', parts: [{ text: 'plan', thought: true }, { text: 'Calling.' }, { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'S1' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, thoughtsTokenCount: 2, totalTokenCount: 10 },
      responseId: 'r1',
    });
    const choice = completion.choices[0];
    expect(completion.id).toBe('chatcmpl-r1');
    expect(completion.model).toBe('gemini-2.5-pro');
    expect(choice.message).toMatchObject({ role: 'assistant', content: 'Calling.', reasoning_content: 'plan' });
    expect(choice.message.tool_calls![0].function).toEqual({ name: 'f', arguments: '{"a":1}' });
    expect(signatureOfCallId(choice.message.tool_calls![0].id)).toBe('S1');
    expect(choice.finish_reason).toBe('tool_calls');
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
  });

  it('answers a blocked prompt as an empty content_filter answer', () => {
    const completion = translate({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5 } });
    expect(completion.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'content_filter' });
  });
});
