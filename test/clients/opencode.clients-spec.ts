// opencode 1.18.33 (`opencode run`) with byokey as an OpenAI-compatible provider, through
// /v1/chat/completions to each kind of upstream: a plain prompt, and a bash-tool round trip where
// the model calls opencode's `bash` tool, opencode runs it and the final answer quotes its output.
import { startClientGateway, type ClientGateway, type UpstreamKind } from './support/client-gateway';
import { describeClient, noteRun, saveCapture } from './support/client-suite';
import { CLIENTS } from './support/install-client';
import { runOpencode } from './support/opencode.runner';
import { describeRun } from './support/run-client';
import { PLAIN_REPLY_PREFIX, chatView, quotedToolResult, shellToolOf } from './support/scripted-agent';

const TOOL_PROMPT = 'Run `echo byokey-tool-$((6*7))` in the shell and tell me what it printed.';
const TOOL_OUTPUT = 'byokey-tool-42';

describeClient(CLIENTS.opencode, 'opencode through byokey', (bin) => {
  // opencode has no default model for a custom provider: each upstream gets a model id it serves.
  describe.each<[string, UpstreamKind, string]>([
    ['a chat upstream', 'chat', 'gpt-4.1'],
    ['a Claude upstream', 'claude', 'claude-sonnet-5-5'],
    ['a Codex upstream', 'codex', 'gpt-5.1-codex'],
  ])('on %s', (_title, upstream, model) => {
    let gateway: ClientGateway;

    beforeAll(async () => {
      gateway = await startClientGateway(upstream, [model]);
    });

    afterAll(async () => {
      await gateway?.close();
    });

    const chatRequests = (from: number) => gateway.proxy.exchanges.slice(from).filter((e) => e.method === 'POST' && e.url.startsWith('/v1/chat/completions'));
    const refusals = (from: number) => gateway.proxy.exchanges.slice(from).filter((e) => (e.status ?? 0) >= 400).map((e) => `${e.status} ${e.method} ${e.url} ${e.errorBody}`);

    it('answers a plain prompt', async () => {
      const before = gateway.proxy.exchanges.length;
      const probe = `opencode-${upstream}-plain`;
      const run = await runOpencode(bin, gateway.url, `Say hello. [probe:${probe}]`, { model });
      noteRun(`opencode run on ${upstream} (plain)`, run);
      if (run.code !== 0 || !run.stdout.includes(`${PLAIN_REPLY_PREFIX} ${probe}.`)) throw new Error(describeRun(run));
      expect(chatRequests(before).map((e) => (e.body as { model?: string }).model)).toContain(model);
      expect(refusals(before)).toEqual([]);
    }, 180_000);

    it('runs its bash tool when the model calls it and answers with the output', async () => {
      const before = gateway.proxy.exchanges.length;
      const run = await runOpencode(bin, gateway.url, TOOL_PROMPT, { model });
      noteRun(`opencode run on ${upstream} (bash round trip)`, run);
      if (upstream === 'chat') saveCapture('opencode', 'opencode 1.18.33 (opencode run, bash tool round trip)', gateway.proxy.exchanges.slice(before));

      expect(chatRequests(before).map((e) => shellToolOf(chatView(e.body as Record<string, unknown>)))).toContain('bash');
      if (run.code !== 0 || quotedToolResult(run.stdout) !== TOOL_OUTPUT) throw new Error(describeRun(run));
      expect(gateway.upstreamRequests().some((r) => JSON.stringify(r.body).includes(TOOL_OUTPUT))).toBe(true);
      expect(refusals(before)).toEqual([]);
    }, 180_000);
  });
});
