// POST /v1/chat/completions through the real gateway to a fake OpenAI-compatible upstream,
// driven by the official openai SDK: what a user of byokey sees.
import OpenAI from 'openai';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

describe('POST /v1/chat/completions (openai-compatible upstream)', () => {
  const upstream = new FakeOpenAIUpstream();
  let gateway: RunningGateway;

  beforeAll(async () => {
    await upstream.start();
    upstream.apiKey = 'sk-upstream';
    gateway = await startGateway(`
server:
  sse_keepalive_ms: 200
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    api_key: sk-upstream
    models: [llama-3.1-8b]
    headers:
      X-Team: research
`);
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream.stop();
  });

  it('answers a non-stream request with the upstream completion', async () => {
    const completion = await gateway.openai.chat.completions.create({
      model: 'llama-3.1-8b',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toBe('You said: hello');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
  });

  it('streams chunks and ends cleanly', async () => {
    const stream = await gateway.openai.chat.completions.create({
      model: 'llama-3.1-8b',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: stream please');
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });
});
