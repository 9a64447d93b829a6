// scrubErrorChunk: an error payload inside an OpenAI chat stream is redacted (the request's key
// and key-shaped secrets) before it is passed on or translated; answer chunks pass as they are.
import { scrubErrorChunk } from './openai-chat-forwarder';

const KEY = 'vllm-local-Q7x2Lp9Wz4Kr';

describe('scrubErrorChunk', () => {
  it('redacts an error payload, and the result is still the JSON it was', () => {
    const data = JSON.stringify({ error: { message: `token "${KEY}" rejected (Authorization: Bearer abc123def456)`, type: 'auth', param: null, code: null } });
    const out = scrubErrorChunk({ data }, KEY);
    expect(JSON.parse(out.data)).toEqual({ error: { message: 'token "[redacted]" rejected (Authorization: Bearer [redacted])', type: 'auth', param: null, code: null } });
  });

  it('hands back the very event for an answer chunk, even one whose text talks about errors', () => {
    const event = { data: JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { content: `the "error" key, and ${KEY}` } }] }) };
    expect(scrubErrorChunk(event, KEY)).toBe(event);
  });
});
