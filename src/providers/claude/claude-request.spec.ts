// The Claude plugin's request shaping: betas merged once, Claude Code's system blocks added once,
// unsigned thinking removed, and the event stream's checks.
import type { MessagesRequest } from '../../protocol/anthropic-messages';
import type { SseEvent } from '../../protocol/sse';
import { UpstreamError } from '../../upstream/upstream-error';
import { OAUTH_BETAS, betasForBody, mergeBetas } from './claude-betas';
import { CLAUDE_CODE_PREFIX, fingerprint, withClaudeCodeIdentity } from './claude-code-identity';
import { claudeEventStream } from './claude-event-stream';
import { withoutUnsignedThinking } from './claude.executor';

const request = (overrides: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 10,
  messages: [{ role: 'user', content: 'Hello there, how are you today?' }],
  ...overrides,
});

describe('mergeBetas', () => {
  it('puts the required betas first, then the client header and body betas, each once', () => {
    expect(mergeBetas(OAUTH_BETAS, 'oauth-2025-04-20, context-1m-2025-08-07', ['files-api-2025-04-14', 'context-1m-2025-08-07'])).toBe(
      'claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,context-1m-2025-08-07,files-api-2025-04-14',
    );
  });

  it('sends nothing when nobody asked for a beta', () => {
    expect(mergeBetas([], undefined, undefined)).toBeUndefined();
  });
});

describe('withClaudeCodeIdentity', () => {
  it('puts the billing block and the Claude Code prefix before the caller system prompt', () => {
    const body = withClaudeCodeIdentity(request({ system: 'Answer in French.' }), 'acct-1');
    const system = body.system as Array<{ text: string }>;
    expect(system.map((b) => b.text)).toEqual([
      `x-anthropic-billing-header: cc_version=2.1.109.${fingerprint(body.messages)}; cc_entrypoint=cli;`,
      CLAUDE_CODE_PREFIX,
      'Answer in French.',
    ]);
    expect(JSON.parse(body.metadata!.user_id as string)).toMatchObject({ account_uuid: 'acct-1' });
  });

  it('does not add the blocks twice when the client is Claude Code itself', () => {
    const own = withClaudeCodeIdentity(request({ system: 'x' }), undefined);
    const again = withClaudeCodeIdentity({ ...own }, undefined);
    expect((again.system as unknown[]).length).toBe(3);
  });

  it('derives the fingerprint from characters 4, 7 and 20 of the first user text', () => {
    const a = fingerprint([{ role: 'user', content: 'Hello there, how are you today?' }]);
    expect(a).toMatch(/^[0-9a-f]{3}$/);
    expect(fingerprint([{ role: 'user', content: [{ type: 'text', text: 'Hello there, how are you today?' }] }])).toBe(a);
    expect(fingerprint([{ role: 'user', content: 'Hellx there, how are you today?' }])).not.toBe(a);
  });
});

describe('withoutUnsignedThinking', () => {
  it('drops thinking blocks without a signature and keeps signed ones', () => {
    const body = request({
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'from another model', signature: '' },
            { type: 'thinking', thinking: 'signed', signature: 'EqQBCkY' },
            { type: 'text', text: 'answer' },
          ],
        },
        { role: 'user', content: 'next' },
      ],
    });
    const cleaned = withoutUnsignedThinking(body);
    expect(cleaned.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'signed', signature: 'EqQBCkY' },
      { type: 'text', text: 'answer' },
    ]);
    expect(withoutUnsignedThinking(cleaned)).toBe(cleaned);
  });

  it('passes system turns and shapes the gateway does not judge through untouched', () => {
    const odd = [null, { role: 'system', content: 'mid-conversation note' }, { role: 'assistant', content: [null, { type: 'text', text: 'a' }] }];
    const body = request({ messages: odd as never });
    expect(withoutUnsignedThinking(body)).toBe(body);
  });
});

describe('withClaudeCodeIdentity on odd shapes', () => {
  it('still puts its blocks first when system is not a list, and reads no fingerprint from garbage', () => {
    const body = request({ system: 42 as never, metadata: 'x' as never, messages: [null, { role: 'user', content: [null] }] as never });
    const out = withClaudeCodeIdentity(body, undefined);
    expect((out.system as Array<{ text: string }>).map((b) => b.text)).toEqual([expect.stringContaining('x-anthropic-billing-header'), CLAUDE_CODE_PREFIX]);
    expect(typeof out.metadata?.user_id).toBe('string');
  });
});

describe('claudeEventStream', () => {
  const events = (...types: object[]) =>
    (async function* (): AsyncGenerator<SseEvent> {
      for (const json of types) yield { data: JSON.stringify(json) };
    })();
  const start = { type: 'message_start', message: { id: 'msg_1' } };
  const blockStart = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };
  const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } };

  async function run(source: AsyncIterable<SseEvent>) {
    const seen: string[] = [];
    try {
      for await (const event of claudeEventStream(source, 'claude')) seen.push(event.event!);
      return { seen, error: undefined };
    } catch (error) {
      return { seen, error: error as UpstreamError };
    }
  }

  it('names every event and ends at message_stop', async () => {
    const { seen, error } = await run(events(start, { type: 'ping' }, blockStart, delta, { type: 'content_block_stop', index: 0 }, { type: 'message_stop' }, delta));
    expect(error).toBeUndefined();
    expect(seen).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_stop']);
  });

  it('throws an error event that comes before any content, having yielded nothing', async () => {
    const { seen, error } = await run(events(start, { type: 'ping' }, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    expect(seen).toEqual([]);
    expect(error).toMatchObject({ failure: 'stream', status: 529, upstreamType: 'overloaded_error' });
  });

  it('treats an end before message_stop as an error', async () => {
    const { seen, error } = await run(events(start, blockStart, delta));
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(error?.message).toMatch(/before message_stop/);
  });
});

describe('betas a body needs', () => {
  it('adds the mid-conversation-system beta when messages hold a system turn (Claude Code sends none)', () => {
    const body = { messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: 'be brief' }] };
    expect(mergeBetas(betasForBody(body), 'claude-code-20250219,effort-2025-11-24', undefined)).toBe(
      'mid-conversation-system-2026-04-07,claude-code-20250219,effort-2025-11-24',
    );
  });

  it('adds nothing for an ordinary conversation, or when the client already sent it', () => {
    expect(betasForBody({ messages: [{ role: 'user', content: 'hi' }] })).toEqual([]);
    expect(betasForBody({ messages: 'not a list' })).toEqual([]);
    const body = { messages: [{ role: 'system', content: 'x' }] };
    expect(mergeBetas(betasForBody(body), 'mid-conversation-system-2026-04-07', undefined)).toBe('mid-conversation-system-2026-04-07');
  });
});
