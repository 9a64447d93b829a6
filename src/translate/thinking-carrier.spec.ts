import type { ChatCompletion, ChatCompletionChunk, ChatThinkingBlock } from '../protocol/openai-chat';
import type { ResponsesItem } from '../protocol/openai-responses';
import { ChatCompletionToResponseTranslator } from './chat-completion-to-response.translator';
import { ChatToResponsesStreamTranslator } from './chat-to-responses-stream.translator';
import { readResponsesWithSdk } from './fixtures/responses-stream-check';
import { ResponsesToChatTranslator } from './responses-to-chat.translator';
import { encryptedContentOf, thinkingBlocksOf } from './thinking-carrier';

const signed: ChatThinkingBlock = { type: 'thinking', thinking: 'Check the weather tool.', signature: 'EqQBCkYIBxgCKkB-signed' };
const redacted: ChatThinkingBlock = { type: 'redacted_thinking', data: 'EmwKAhgBEgy-opaque' };

const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish_reason: 'tool_calls' | null = null): ChatCompletionChunk => ({
  id: 'chatcmpl-msg_01',
  object: 'chat.completion.chunk',
  created: 1767232000,
  model: 'claude-sonnet-5-5',
  choices: [{ index: 0, delta, finish_reason }],
});

const call = { id: 'toolu_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };

/** The next turn a client sends: the answer's items as they came, then the tool's result. */
function nextTurn(output: ResponsesItem[]) {
  return new ResponsesToChatTranslator().translate({
    model: 'claude-sonnet-5-5',
    input: [{ type: 'message', role: 'user', content: 'weather?' }, ...output, { type: 'function_call_output', call_id: 'toolu_1', output: 'sunny' }],
  });
}

describe('thinking carried through encrypted_content', () => {
  it('round-trips blocks, and leaves OpenAI’s own encrypted content alone', () => {
    expect(thinkingBlocksOf(encryptedContentOf([signed, redacted]))).toEqual([signed, redacted]);
    expect(thinkingBlocksOf('gAAAAABo_fake_opaque_blob')).toBeUndefined();
    expect(thinkingBlocksOf('byokey.thinking.v1:not-json')).toBeUndefined();
  });

  it('streamed: Claude’s signed thinking reaches the client in the reasoning item and comes back as thinking_blocks', async () => {
    const stream = new ChatToResponsesStreamTranslator().createStream({ model: 'claude-sonnet-5-5' });
    const events = [
      chunk({ role: 'assistant', reasoning_content: 'Check the weather tool.' }),
      chunk({ thinking_blocks: [signed] }),
      chunk({ tool_calls: [{ index: 0, ...call }] }),
      chunk({}, 'tool_calls'),
    ].flatMap((c) => stream.push(c));
    events.push(...stream.finish());
    const { response } = await readResponsesWithSdk(events);
    expect(response.output[0]).toMatchObject({ type: 'reasoning', summary: [{ text: 'Check the weather tool.' }], encrypted_content: expect.stringMatching(/^byokey\.thinking\.v1:/) });

    const assistant = nextTurn(response.output as ResponsesItem[]).messages[1];
    expect(assistant).toEqual({ role: 'assistant', content: null, tool_calls: [call], thinking_blocks: [signed] });
  });

  it('streamed: a redacted block alone still makes a well-formed reasoning item', async () => {
    const stream = new ChatToResponsesStreamTranslator().createStream({ model: 'm' });
    const events = [chunk({ role: 'assistant', thinking_blocks: [redacted] }), chunk({ content: 'Hi' }), chunk({}, 'tool_calls')].flatMap((c) => stream.push(c));
    events.push(...stream.finish());
    const { response } = await readResponsesWithSdk(events);
    expect(thinkingBlocksOf(response.output[0].type === 'reasoning' ? response.output[0].encrypted_content : undefined)).toEqual([redacted]);
  });

  it('non-stream: the same, through the finished Response', () => {
    const completion: ChatCompletion = {
      id: 'chatcmpl-msg_02',
      object: 'chat.completion',
      created: 1767232000,
      model: 'claude-sonnet-5-5',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Let me check.', reasoning_content: 'Check the weather tool.', thinking_blocks: [signed], tool_calls: [call] },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
    };
    const response = new ChatCompletionToResponseTranslator().translate(completion, { model: 'claude-sonnet-5-5' });
    expect(nextTurn(response.output).messages[1]).toEqual({ role: 'assistant', content: 'Let me check.', tool_calls: [call], thinking_blocks: [signed] });
  });
});
