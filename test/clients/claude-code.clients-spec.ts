// Claude Code 2.1.332 (`claude -p`, its default model, no --model) through byokey's /v1/messages
// on each kind of upstream: a plain prompt, and a Bash tool round trip where the model asks for a
// command, Claude Code runs it and the model's final answer quotes its output.
import { PLAIN_REPLY_PREFIX, quotedToolResult } from './support/scripted-agent';
import { startClientGateway, type ClientGateway, type UpstreamKind } from './support/client-gateway';
import { describeClient, noteRun, saveCapture } from './support/client-suite';
import { runClaudeCode } from './support/claude-code.runner';
import { describeRun } from './support/run-client';
import { CLIENTS } from './support/install-client';
import { expectToolRoundTripUpstream, expectUpstreamAccepted, upstreamMark } from './support/upstream-checks';

/** Claude Code's default model at 2.1.332 (reference/clients.md). */
const DEFAULT_MODEL = 'claude-opus-5-5';
/** The command's output is not in the prompt: only a real run of it can produce this. */
const TOOL_COMMAND = 'echo byokey-tool-$((6*7))';
const TOOL_PROMPT = `Run \`${TOOL_COMMAND}\` in the shell and tell me what it printed.`;
const TOOL_OUTPUT = 'byokey-tool-42';

describeClient(CLIENTS.claude, 'Claude Code through byokey', (bin) => {
  describe.each<[string, UpstreamKind]>([
    ['a Claude upstream', 'claude'],
    ['a chat upstream', 'chat'],
    ['a Codex upstream', 'codex'],
  ])('on %s', (_title, upstream) => {
    let gateway: ClientGateway;

    beforeAll(async () => {
      // On a Claude upstream the default model routes by itself (any claude-* id); elsewhere it is listed.
      gateway = await startClientGateway(upstream, upstream === 'claude' ? [] : [DEFAULT_MODEL]);
    });

    afterAll(async () => {
      await gateway?.close();
    });

    it('answers a plain prompt with its default model', async () => {
      const upstreamBefore = upstreamMark(gateway);
      const probe = `claude-${upstream}-plain`;
      const run = await runClaudeCode(bin, gateway.url, `Say hello. [probe:${probe}]`);
      noteRun(`claude -p on ${upstream} (plain)`, run);
      if (run.code !== 0 || !run.stdout.includes(`${PLAIN_REPLY_PREFIX} ${probe}.`)) throw new Error(describeRun(run));

      const messages = gateway.proxy.exchanges.filter((e) => e.method === 'POST' && e.url.startsWith('/v1/messages'));
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.map((e) => (e.body as { model?: string }).model)).toContain(DEFAULT_MODEL);
      // Nothing Claude Code sent was refused on the way (a refusal it recovered from included).
      expect(messages.filter((e) => (e.status ?? 0) >= 400).map((e) => `${e.status} ${e.url} ${e.errorBody}`)).toEqual([]);
      expectUpstreamAccepted(gateway, upstreamBefore, DEFAULT_MODEL);
    }, 180_000);

    it('runs the Bash tool the model calls and answers with its output', async () => {
      const before = gateway.proxy.exchanges.length;
      const upstreamBefore = upstreamMark(gateway);
      const run = await runClaudeCode(bin, gateway.url, TOOL_PROMPT);
      noteRun(`claude -p on ${upstream} (Bash round trip)`, run);
      const exchanges = gateway.proxy.exchanges.slice(before);
      if (upstream === 'claude') saveCapture('claude-code', 'Claude Code 2.1.332 (claude -p, Bash tool round trip)', exchanges);

      if (run.code !== 0 || quotedToolResult(run.stdout) !== TOOL_OUTPUT) throw new Error(describeRun(run));
      // The command's real output went back through byokey to the upstream model, in its own
      // protocol, after the prompt and the call of Bash (a function_call on a Codex upstream).
      expectToolRoundTripUpstream(gateway, upstreamBefore, { command: TOOL_COMMAND, tool: 'Bash', output: TOOL_OUTPUT });
      expectUpstreamAccepted(gateway, upstreamBefore, DEFAULT_MODEL);
      expect(exchanges.filter((e) => (e.status ?? 0) >= 400).map((e) => `${e.status} ${e.url} ${e.errorBody}`)).toEqual([]);
    }, 180_000);
  });
});
