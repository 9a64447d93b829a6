// A streamed Gemini answer gathered into the whole answer `:generateContent` would have given:
// for an upstream asked for a stream when the client wanted it whole (Antigravity serves some
// models badly otherwise). Consecutive text pieces of the same kind (thought or not) are joined
// into one part, up to a part that carries a thought signature, which stays where it came;
// every other part (function calls, inline data) is kept as it came. The finishReason, the
// usage and the ids come from the chunks that carried them (usually the last).
import type { GeminiCandidate, GeminiPart, GeminiResponse } from '../../protocol/gemini-generate-content';
import type { SseEvent } from '../../protocol/sse';

export async function collectGeminiAnswer(events: AsyncIterable<SseEvent>): Promise<GeminiResponse> {
  const parts: GeminiPart[] = [];
  let answer: GeminiResponse = {};
  let candidate: Omit<GeminiCandidate, 'content'> = { index: 0 };
  for await (const event of events) {
    const chunk = (event.json ?? JSON.parse(event.data)) as GeminiResponse;
    const { candidates, ...rest } = chunk;
    answer = { ...answer, ...rest };
    const first = candidates?.[0];
    if (!first) continue;
    const { content, ...fields } = first;
    candidate = { ...candidate, ...fields };
    for (const part of content?.parts ?? []) add(parts, part);
  }
  return { ...answer, candidates: [{ content: { role: 'model', parts }, ...candidate }] };
}

function add(parts: GeminiPart[], part: GeminiPart): void {
  const previous = parts.at(-1);
  if (previous && isPlainText(previous) && isPlainText(part) && Boolean(previous.thought) === Boolean(part.thought) && !signatureOf(previous)) {
    parts[parts.length - 1] = { ...previous, ...part, text: `${previous.text}${part.text}` };
    return;
  }
  parts.push({ ...part });
}

/** A text part with nothing else on it but its thought flag and signature. */
function isPlainText(part: GeminiPart): part is GeminiPart & { text: string } {
  return typeof part.text === 'string' && Object.keys(part).every((key) => key === 'text' || key === 'thought' || key === 'thoughtSignature' || key === 'thought_signature');
}

function signatureOf(part: GeminiPart): string | undefined {
  return part.thoughtSignature ?? part.thought_signature;
}
