import type { GeminiPart, GeminiResponse } from '../../protocol/gemini-generate-content';
import type { SseEvent } from '../../protocol/sse';
import { collectGeminiAnswer } from './gemini-stream-collector';

async function* events(...chunks: GeminiResponse[]): AsyncGenerator<SseEvent> {
  for (const chunk of chunks) yield { data: JSON.stringify(chunk) };
}

const chunk = (parts: GeminiPart[], extra: object = {}): GeminiResponse => ({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: 'gemini-3-pro-high', responseId: 'r1' });

describe('collectGeminiAnswer', () => {
  it('joins text pieces of one kind, keeps calls and signatures in place, and takes finishReason and usage from the chunks that carry them', async () => {
    const usage = { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 };
    const whole = await collectGeminiAnswer(
      events(
        chunk([{ text: 'Let me ', thought: true }]),
        chunk([{ text: 'think.', thought: true, thoughtSignature: 'sig-1' }]),
        chunk([{ text: 'Hel' }]),
        chunk([{ text: 'lo.' }]),
        chunk([{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'sig-2' }]),
        chunk([{ text: 'After.' }], { finishReason: 'STOP' }),
        { ...chunk([]), usageMetadata: usage },
      ),
    );
    expect(whole).toEqual({
      modelVersion: 'gemini-3-pro-high',
      responseId: 'r1',
      usageMetadata: usage,
      candidates: [
        {
          index: 0,
          finishReason: 'STOP',
          content: {
            role: 'model',
            parts: [
              { text: 'Let me think.', thought: true, thoughtSignature: 'sig-1' },
              { text: 'Hello.' },
              { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'sig-2' },
              { text: 'After.' },
            ],
          },
        },
      ],
    });
  });

  it('does not join across a signature', async () => {
    const whole = await collectGeminiAnswer(events(chunk([{ text: 'a', thoughtSignature: 's' }]), chunk([{ text: 'b' }], { finishReason: 'STOP' })));
    expect(whole.candidates?.[0].content?.parts).toEqual([{ text: 'a', thoughtSignature: 's' }, { text: 'b' }]);
  });
});
