import { ChatCompletionToGeminiTranslator } from './chat-completion-to-gemini.translator';

describe('ChatCompletionToGeminiTranslator', () => {
  it('gives reasoning as a thought part, then text, then each call as a functionCall with its id', () => {
    const response = new ChatCompletionToGeminiTranslator().translate(
      {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-5',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Let me check.', reasoning_content: 'think', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"q":"x"}' } }] }, finish_reason: 'tool_calls', logprobs: null }],
        usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15, completion_tokens_details: { reasoning_tokens: 2 } },
      },
      { model: 'gpt-5' },
    );
    expect(response).toEqual({
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'think', thought: true }, { text: 'Let me check.' }, { functionCall: { id: 'call_1', name: 'f', args: { q: 'x' } } }] },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 4, thoughtsTokenCount: 2, totalTokenCount: 15 },
      modelVersion: 'gpt-5',
      responseId: 'chatcmpl-1',
    });
  });
});
