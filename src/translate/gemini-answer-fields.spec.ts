import { chatFinishOfGemini, chatUsageOfGemini, geminiCallId, geminiFinishOfChat, geminiUsageOfChat, signatureOfCallId } from './gemini-answer-fields';

describe('Gemini answer fields', () => {
  it('carries any signature through a call id, exactly, with an id of [A-Za-z0-9_-]', () => {
    for (const signature of ['Cu0BAVSoXO5+sig/with+base64==', 'not base64 at all ✓']) {
      const id = geminiCallId(undefined, signature);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(signatureOfCallId(id)).toBe(signature);
    }
    expect(signatureOfCallId(geminiCallId(undefined, undefined))).toBeUndefined();
    expect(geminiCallId('fc-1', undefined)).toBe('fc-1');
    expect(signatureOfCallId('call_abc')).toBeUndefined();
  });

  it('maps finish reasons both ways', () => {
    expect(chatFinishOfGemini('STOP', { toolCalls: true })).toBe('tool_calls');
    expect(chatFinishOfGemini('STOP', { toolCalls: false })).toBe('stop');
    expect(chatFinishOfGemini('MAX_TOKENS', { toolCalls: false })).toBe('length');
    expect(chatFinishOfGemini('SAFETY', { toolCalls: false })).toBe('content_filter');
    expect(geminiFinishOfChat('tool_calls')).toBe('STOP');
    expect(geminiFinishOfChat('length')).toBe('MAX_TOKENS');
    expect(geminiFinishOfChat('content_filter')).toBe('SAFETY');
  });

  it('maps usage both ways, thoughts counted as reasoning output', () => {
    const chat = chatUsageOfGemini({ promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 6, cachedContentTokenCount: 3, totalTokenCount: 20 });
    expect(chat).toEqual({ prompt_tokens: 10, completion_tokens: 10, total_tokens: 20, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 6 } });
    expect(geminiUsageOfChat(chat)).toEqual({ promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 6, cachedContentTokenCount: 3, totalTokenCount: 20 });
  });
});
