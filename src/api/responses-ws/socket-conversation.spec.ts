import type { ResponsesRequest } from '../../protocol/openai-responses';
import { SocketConversation } from './socket-conversation';

const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }) as const;

async function drain(events: AsyncIterable<string>): Promise<any[]> {
  const out: any[] = [];
  for await (const event of events) out.push(JSON.parse(event));
  return out;
}

async function* upstream(...events: object[]): AsyncGenerator<string> {
  for (const event of events) yield JSON.stringify(event);
}

const call = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '{"command":"ls"}' };

describe('SocketConversation', () => {
  it('answers a warm-up with an empty completed response, and a follow-up naming it gets the warm-up input first', async () => {
    const conversation = new SocketConversation();
    const developer = { type: 'message', role: 'developer', content: 'be brief' };
    const frames = await drain(conversation.warmUp({ model: 'claude-sonnet-5-5', input: [developer] as any, generate: false }));
    expect(frames.map((f) => f.type)).toEqual(['response.created', 'response.completed']);
    const completed = frames[1].response;
    expect(completed).toMatchObject({ object: 'response', status: 'completed', model: 'claude-sonnet-5-5', output: [] });
    expect(completed.id).toMatch(/^resp_byokey_/);

    const resolved = conversation.resolve({ model: 'claude-sonnet-5-5', previous_response_id: completed.id, input: [user('hi')] as any });
    expect(resolved).not.toHaveProperty('previous_response_id');
    expect(resolved.input).toEqual([developer, user('hi')]);
  });

  it("resolves a follow-up into the last response's input, its output, then the new items", async () => {
    const conversation = new SocketConversation();
    const first: ResponsesRequest = { model: 'gpt-4.1', input: [user('run ls')] as any, tools: [] };
    const passed = await drain(
      conversation.remember(first, upstream({ type: 'response.created', response: { id: 'resp_1' } }, { type: 'response.completed', response: { id: 'resp_1', output: [call] } })),
    );
    // The events go to the client unchanged.
    expect(passed.map((e) => e.type)).toEqual(['response.created', 'response.completed']);

    const output = { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' };
    const second = conversation.resolve({ model: 'gpt-4.1', previous_response_id: 'resp_1', input: [output] as any, tools: [], store: false });
    expect(second).toEqual({ model: 'gpt-4.1', input: [user('run ls'), call, output], tools: [], store: false });

    // The next turn continues from the resolved conversation, not from the first request alone.
    await drain(conversation.remember(second, upstream({ type: 'response.completed', response: { id: 'resp_2', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a.txt' }] }] } })));
    const third = conversation.resolve({ model: 'gpt-4.1', previous_response_id: 'resp_2', input: 'thanks' });
    expect(third.input).toEqual([user('run ls'), call, output, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a.txt' }] }, { type: 'message', role: 'user', content: 'thanks' }]);
  });

  it('leaves a request naming an unknown or older response as it came (the bridge refuses it), and one naming none', async () => {
    const conversation = new SocketConversation();
    const unknown: ResponsesRequest = { model: 'm', previous_response_id: 'resp_other', input: [user('x')] as any };
    expect(conversation.resolve(unknown)).toBe(unknown);
    await drain(conversation.remember({ model: 'm', input: 'a' }, upstream({ type: 'response.completed', response: { id: 'resp_1', output: [] } })));
    await drain(conversation.remember({ model: 'm', input: 'b' }, upstream({ type: 'response.completed', response: { id: 'resp_2', output: [] } })));
    const older: ResponsesRequest = { model: 'm', previous_response_id: 'resp_1', input: 'c' };
    expect(conversation.resolve(older)).toBe(older);
    const fresh: ResponsesRequest = { model: 'm', input: 'd' };
    expect(conversation.resolve(fresh)).toBe(fresh);
  });

  it('remembers nothing from a response that did not complete', async () => {
    const conversation = new SocketConversation();
    await drain(conversation.remember({ model: 'm', input: 'a' }, upstream({ type: 'response.created', response: { id: 'resp_1' } }, { type: 'response.incomplete', response: { id: 'resp_1', output: [] } })));
    const follow: ResponsesRequest = { model: 'm', previous_response_id: 'resp_1', input: 'b' };
    expect(conversation.resolve(follow)).toBe(follow);
  });
});
