import type { KiroRequest } from '../protocol/kiro-assistant-response';
import { ChatToKiroTranslator } from './chat-to-kiro.translator';
import { kiroThinkingAsked, kiroThinkingLengthFor, withKiroThinking } from './kiro-thinking';
import { applyThinking } from './thinking-projection';

const TAGS = (n: number) => `<thinking_mode>enabled</thinking_mode><max_thinking_length>${n}</max_thinking_length>`;
const kiro = (messages: Parameters<ChatToKiroTranslator['translate']>[0]['messages'], reasoning_effort?: string): KiroRequest =>
  new ChatToKiroTranslator().translate({ model: 'kiro-claude-sonnet-4-5', messages, reasoning_effort });
const content = (body: KiroRequest) => body.conversationState.currentMessage.userInputMessage.content;

describe('Kiro thinking on the request', () => {
  it('clamps a model-name thinking request to Kiro\'s bounds; none and a zero budget ask for none', () => {
    expect(kiroThinkingLengthFor({ kind: 'budget', tokens: 100 })).toBe(1024);
    expect(kiroThinkingLengthFor({ kind: 'budget', tokens: 5000 })).toBe(5000);
    expect(kiroThinkingLengthFor({ kind: 'budget', tokens: 100000 })).toBe(24576);
    expect(kiroThinkingLengthFor({ kind: 'level', level: 'max' })).toBe(24576);
    expect(kiroThinkingLengthFor({ kind: 'auto' })).toBe(20000);
    expect(kiroThinkingLengthFor({ kind: 'budget', tokens: 0 })).toBeUndefined();
    expect(kiroThinkingLengthFor({ kind: 'none' })).toBeUndefined();
  });

  it('sets, replaces and takes out its own tags, keeping the system prompt and the user\'s words', () => {
    const plain = 'hi';
    const withSystem = '--- SYSTEM PROMPT ---\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhi';
    expect(withKiroThinking(plain, 2048)).toBe(`--- SYSTEM PROMPT ---\n${TAGS(2048)}\n--- END SYSTEM PROMPT ---\n\nhi`);
    expect(withKiroThinking(withKiroThinking(plain, 2048), undefined)).toBe(plain);
    expect(withKiroThinking(withKiroThinking(withSystem, 2048), 4096)).toBe(`--- SYSTEM PROMPT ---\n${TAGS(4096)}\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhi`);
    expect(withKiroThinking(withKiroThinking(withSystem, 2048), undefined)).toBe(withSystem);
  });

  it('projects a model-name suffix onto the Kiro body without touching the original', () => {
    const body = kiro([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], 'low');
    const high = applyThinking('kiro', body as never, { kind: 'level', level: 'high' }) as KiroRequest;
    expect(content(high)).toBe(`--- SYSTEM PROMPT ---\n${TAGS(24576)}\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhi`);
    expect(content(body)).toBe(`--- SYSTEM PROMPT ---\n${TAGS(1024)}\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhi`);
    const off = applyThinking('kiro', body as never, { kind: 'none' }) as KiroRequest;
    expect(content(off)).toBe('--- SYSTEM PROMPT ---\nBe brief.\n--- END SYSTEM PROMPT ---\n\nhi');
    expect(applyThinking('kiro', body as never, { kind: 'auto' })).toBe(body);
  });

  it('tells whether a Kiro request switched thinking on: its own tags, a client\'s, or none', () => {
    expect(kiroThinkingAsked(kiro([{ role: 'user', content: 'hi' }], 'high'))).toBe(true);
    expect(kiroThinkingAsked(kiro([{ role: 'system', content: '<thinking_mode>interleaved</thinking_mode>' }, { role: 'user', content: 'hi' }]))).toBe(true);
    expect(kiroThinkingAsked(kiro([{ role: 'user', content: 'What does <thinking_mode> do?' }]))).toBe(false);
    expect(kiroThinkingAsked(kiro([{ role: 'user', content: 'hi' }]))).toBe(false);
    expect(kiroThinkingAsked(undefined)).toBe(false);
  });
});
