// Codex CLI 0.171.0 (`codex exec`) through byokey's /v1/responses on upstreams that do not speak
// Responses: a Claude model (the `claude` instance, Anthropic Messages) and a chat model (an
// `openai-compatible` instance, Chat Completions), over HTTP and with `supports_websockets = true`.
// The issue-16 acceptance: a plain prompt, and a shell-tool round trip where the model calls
// Codex's shell tool, Codex runs the command and the final answer quotes its output — with
// Codex's namespace / custom tools flattened to functions on the way up and turned back into
// Codex's own calls on the way down. Codex offers its hosted `web_search` tool by default, which
// byokey refuses (400) for an upstream that cannot run it, so the config turns it off the way a
// user would: `web_search = "disabled"` in config.toml.
import { startClientGateway, type ClientGateway, type UpstreamKind } from './support/client-gateway';
import { describeClient, noteRun, saveCapture } from './support/client-suite';
import { runCodexCli } from './support/codex-cli.runner';
import { CLIENTS } from './support/install-client';
import { describeRun } from './support/run-client';
import { PLAIN_REPLY_PREFIX, quotedToolResult, responsesView, shellToolOf } from './support/scripted-agent';
import { expectToolRoundTripUpstream, expectUpstreamAccepted, upstreamMark } from './support/upstream-checks';

const TOOL_COMMAND = 'echo byokey-tool-$((6*7))';
const TOOL_PROMPT = `Run \`${TOOL_COMMAND}\` in the shell and tell me what it printed.`;
const TOOL_OUTPUT = 'byokey-tool-42';

describeClient(CLIENTS.codex, 'Codex CLI through byokey on non-Responses upstreams', (bin) => {
  // Each row: the title, the upstream, the model Codex is given, the WebSocket or not, and the name
  // the upstream sees Codex's shell tool under.
  describe.each<[string, Exclude<UpstreamKind, 'codex'>, string, boolean, string]>([
    ['a Claude model over HTTP', 'claude', 'claude-sonnet-5-5', false, 'exec_command'],
    ['a Claude model over a WebSocket (supports_websockets = true)', 'claude', 'claude-sonnet-5-5', true, 'exec_command'],
    ['a chat model over HTTP', 'chat', 'gpt-4.1', false, 'exec_command'],
    ['a chat model over a WebSocket (supports_websockets = true)', 'chat', 'gpt-4.1', true, 'exec_command'],
    // Codex's own default model id served by a chat provider: Codex knows the model and gives it
    // its own tools — code mode's freeform `exec` inside the `functions` namespace — which reach
    // the chat model as the function `functions__exec` and must come back as a custom_tool_call.
    ['a chat model with Codex tools (its default model id: code mode) over HTTP', 'chat', 'gpt-6.2-sol', false, 'functions__exec'],
    ['a chat model with Codex tools (its default model id: code mode) over a WebSocket', 'chat', 'gpt-6.2-sol', true, 'functions__exec'],
  ])('on %s', (_title, upstream, model, websockets, upstreamTool) => {
    const transport = websockets ? 'websocket' : 'http';
    let gateway: ClientGateway;

    beforeAll(async () => {
      // The Claude instance serves any claude-* id by itself; the chat instance lists its model.
      gateway = await startClientGateway(upstream, upstream === 'claude' ? [] : [model]);
    });

    afterAll(async () => {
      await gateway?.close();
    });

    /** What Codex sent for its turns: HTTP POST bodies, or the frames of its WebSocket(s). */
    const sentRequests = (from = 0) =>
      gateway.proxy.exchanges
        .slice(from)
        .flatMap((e) => (e.transport === 'websocket' ? (e.frames ?? []) : e.method === 'POST' && e.url.startsWith('/v1/responses') ? [e.body] : []))
        .filter((body): body is Record<string, any> => typeof body === 'object' && body !== null);

    const expectTransportUsed = (from: number) => {
      const exchanges = gateway.proxy.exchanges.slice(from);
      const sockets = exchanges.filter((e) => e.transport === 'websocket');
      const posts = exchanges.filter((e) => e.transport === 'http' && e.method === 'POST' && e.url.startsWith('/v1/responses'));
      if (websockets) {
        // The WebSocket was accepted and carried the turns: no fallback to HTTP.
        expect(sockets.map((e) => `${e.url} ${e.status} ${e.errorBody ?? ''}`.trim())).toEqual(sockets.map(() => '/v1/responses 101'));
        expect(sockets.length).toBeGreaterThan(0);
        expect(posts).toEqual([]);
      } else {
        expect(sockets).toEqual([]);
        expect(posts.length).toBeGreaterThan(0);
      }
      expect(exchanges.filter((e) => (e.status ?? 0) >= 400).map((e) => `${e.status} ${e.method} ${e.url} ${e.errorBody}`)).toEqual([]);
    };

    it('answers a plain prompt', async () => {
      const before = gateway.proxy.exchanges.length;
      const upstreamBefore = upstreamMark(gateway);
      const probe = `codex-${upstream}-${transport}-plain`;
      const run = await runCodexCli(bin, gateway.url, `Say hello. [probe:${probe}]`, { websockets, model, noWebSearch: true });
      noteRun(`codex exec on ${upstream} over ${transport} (plain)`, run);
      if (run.code !== 0 || !run.stdout.includes(`${PLAIN_REPLY_PREFIX} ${probe}.`)) throw new Error(describeRun(run));
      expect(sentRequests(before).map((body) => body.model)).toContain(model);
      expectTransportUsed(before);
      expectUpstreamAccepted(gateway, upstreamBefore, model);
    }, 180_000);

    it('runs its shell tool when the model calls it and answers with the output', async () => {
      const before = gateway.proxy.exchanges.length;
      const upstreamBefore = upstreamMark(gateway);
      const run = await runCodexCli(bin, gateway.url, TOOL_PROMPT, { websockets, model, noWebSearch: true });
      noteRun(`codex exec on ${upstream} over ${transport} (shell round trip)`, run);
      if (upstream === 'claude') saveCapture(`codex-cli-claude-${transport}`, `Codex CLI 0.171.0 (codex exec on a Claude model over ${transport}, shell tool round trip)`, gateway.proxy.exchanges.slice(before));

      const first = sentRequests(before).find((body) => body.generate !== false);
      expect(first && shellToolOf(responsesView(first))).toBeDefined();
      if (run.code !== 0 || !quotedToolResult(run.stdout)?.includes(TOOL_OUTPUT)) throw new Error(describeRun(run));
      // A freeform tool's call reached Codex as a custom_tool_call: it answered with its output item.
      const resultTypes = sentRequests(before).flatMap((body) => (Array.isArray(body.input) ? body.input : []).map((item: any) => item.type)).filter((type) => /_output$/.test(type));
      expect(resultTypes).toContain(shellToolOf(responsesView(first!))?.startsWith('exec (code mode') ? 'custom_tool_call_output' : 'function_call_output');
      // The command's real output went back through byokey to the upstream model, in its protocol,
      // after the whole conversation (over the WebSocket Codex sends only the new items: byokey
      // fills in what came before).
      expectToolRoundTripUpstream(gateway, upstreamBefore, { command: TOOL_COMMAND, tool: upstreamTool, output: TOOL_OUTPUT });
      expectTransportUsed(before);
      expectUpstreamAccepted(gateway, upstreamBefore, model);
    }, 180_000);
  });
});
