// What the upstream fake received while a real client ran, checked in the upstream's own protocol
// (the fakes validate like the real APIs and record what they refused): every request accepted
// and shaped as that protocol's request, and — for a tool round trip — the turn that carried the
// command's output holding the whole conversation: the prompt, the model's call of the shell
// tool under the name the upstream knows it by, then the result under the same call id.
import type { ClientGateway } from './client-gateway';

type Json = Record<string, any>;

/** Counts of requests each fake had received, to check only what came after. */
export type UpstreamMark = number;

export function upstreamMark(gateway: ClientGateway): UpstreamMark {
  return gateway.upstreamRequests().length;
}

/** Every request since `from` was accepted by the fake and is a request of its protocol for `model`. */
export function expectUpstreamAccepted(gateway: ClientGateway, from: UpstreamMark, model: string): void {
  switch (gateway.upstream) {
    case 'claude': {
      const received = gateway.anthropic.requests.slice(from);
      expect(received.length).toBeGreaterThan(0);
      expect(received.map((r) => `${r.method} ${r.path} ${r.rejected ? `${r.rejected.status} ${r.rejected.message}` : 'accepted'}`)).toEqual(received.map(() => 'POST /v1/messages accepted'));
      for (const r of received) {
        expect(r.body).toEqual(expect.objectContaining({ model, max_tokens: expect.any(Number), messages: expect.any(Array) }));
        expect(r.body).not.toHaveProperty('input');
      }
      return;
    }
    case 'chat': {
      const received = gateway.chat.requests.slice(from);
      expect(received.length).toBeGreaterThan(0);
      expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(received.map(() => 'POST /v1/chat/completions'));
      for (const r of received) {
        expect(r.body).toEqual(expect.objectContaining({ model, messages: expect.any(Array) }));
        expect(r.body).not.toHaveProperty('input');
      }
      return;
    }
    case 'codex': {
      const received = gateway.codex.requests.slice(from);
      expect(received.length).toBeGreaterThan(0);
      expect(received.map((r) => (r.rejected ? `${r.rejected.status} ${r.rejected.detail}` : 'accepted'))).toEqual(received.map(() => 'accepted'));
      for (const r of received) {
        expect(r.body).toEqual(expect.objectContaining({ model, input: expect.any(Array) }));
        expect(r.body).not.toHaveProperty('messages');
      }
    }
  }
}

/**
 * The last request since `from` carried the whole tool round trip in the upstream's protocol:
 * `command` in a user turn before the call, the call of `tool`, then its result holding `output`.
 */
export function expectToolRoundTripUpstream(gateway: ClientGateway, from: UpstreamMark, expected: { command: string; tool: string; output: string }): void {
  const last: Json = gateway.upstreamRequests().slice(from).at(-1)!.body;
  switch (gateway.upstream) {
    case 'claude': {
      const messages: Json[] = last.messages;
      const useAt = messages.findIndex((m) => m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b: Json) => b.type === 'tool_use'));
      expect(useAt).toBeGreaterThan(0);
      expect(JSON.stringify(messages.slice(0, useAt).filter((m) => m.role === 'user'))).toContain(expected.command);
      const use = messages[useAt].content.find((b: Json) => b.type === 'tool_use');
      expect(use.name).toBe(expected.tool);
      const result = messages[useAt + 1]?.content?.find?.((b: Json) => b.type === 'tool_result');
      expect(result?.tool_use_id).toBe(use.id);
      expect(JSON.stringify(result.content)).toContain(expected.output);
      return;
    }
    case 'chat': {
      const messages: Json[] = last.messages;
      const callAt = messages.findIndex((m) => m.role === 'assistant' && Array.isArray(m.tool_calls));
      expect(callAt).toBeGreaterThan(0);
      expect(JSON.stringify(messages.slice(0, callAt).filter((m) => m.role === 'user'))).toContain(expected.command);
      expect(messages[callAt].tool_calls[0].function.name).toBe(expected.tool);
      expect(messages[callAt + 1]).toEqual(expect.objectContaining({ role: 'tool', tool_call_id: messages[callAt].tool_calls[0].id }));
      expect(JSON.stringify(messages[callAt + 1].content)).toContain(expected.output);
      return;
    }
    case 'codex': {
      const input: Json[] = last.input;
      const callAt = input.findIndex((item) => item.type === 'function_call');
      expect(callAt).toBeGreaterThan(0);
      expect(JSON.stringify(input.slice(0, callAt).filter((item) => item.role === 'user'))).toContain(expected.command);
      expect(input[callAt].name).toBe(expected.tool);
      const result = input.slice(callAt + 1).find((item) => item.type === 'function_call_output');
      expect(result?.call_id).toBe(input[callAt].call_id);
      expect(JSON.stringify(result?.output)).toContain(expected.output);
    }
  }
}
