// Codex CLI 0.171.0 (`codex exec`, its default model) through byokey's /v1/responses in front of
// the ChatGPT Codex backend, over HTTP and with `supports_websockets = true` (Codex opens
// GET /v1/responses as a WebSocket): a plain prompt, and a shell-tool round trip where the model
// calls Codex's shell tool, Codex runs the command and the final answer quotes its output.
import { startClientGateway, type ClientGateway } from './support/client-gateway';
import { describeClient, noteRun, saveCapture } from './support/client-suite';
import { runCodexCli } from './support/codex-cli.runner';
import { CLIENTS } from './support/install-client';
import { describeRun } from './support/run-client';
import { PLAIN_REPLY_PREFIX, quotedToolResult, responsesView, shellToolOf } from './support/scripted-agent';

/** Codex CLI's default model at 0.171.0 (reference/clients.md). */
const DEFAULT_MODEL = 'gpt-6.2-sol';
const TOOL_PROMPT = 'Run `echo byokey-tool-$((6*7))` in the shell and tell me what it printed.';
const TOOL_OUTPUT = 'byokey-tool-42';

describeClient(CLIENTS.codex, 'Codex CLI through byokey', (bin) => {
  describe.each([
    ['HTTP', false],
    ['a WebSocket (supports_websockets = true)', true],
  ])('on a Codex upstream over %s', (_title, websockets) => {
    const transport = websockets ? 'websocket' : 'http';
    let gateway: ClientGateway;

    beforeAll(async () => {
      // No `models:`: the default model reaches the Codex instance as any OpenAI-shaped id does.
      gateway = await startClientGateway('codex', []);
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

    it('answers a plain prompt with its default model', async () => {
      const before = gateway.proxy.exchanges.length;
      const probe = `codex-${transport}-plain`;
      const run = await runCodexCli(bin, gateway.url, `Say hello. [probe:${probe}]`, { websockets });
      noteRun(`codex exec over ${transport} (plain)`, run);
      if (run.code !== 0 || !run.stdout.includes(`${PLAIN_REPLY_PREFIX} ${probe}.`)) throw new Error(describeRun(run));
      expect(sentRequests(before).map((body) => body.model)).toContain(DEFAULT_MODEL);
      expectTransportUsed(before);
    }, 180_000);

    it('runs its shell tool when the model calls it and answers with the output', async () => {
      const before = gateway.proxy.exchanges.length;
      const run = await runCodexCli(bin, gateway.url, TOOL_PROMPT, { websockets });
      noteRun(`codex exec over ${transport} (shell round trip)`, run);
      saveCapture(`codex-cli-${transport}`, `Codex CLI 0.171.0 (codex exec over ${transport}, shell tool round trip)`, gateway.proxy.exchanges.slice(before));

      // Codex offered a shell tool the agent knows (exec_command, shell, or code mode's exec), in its
      // first real turn (over a WebSocket it first sends a warm-up, `generate: false`, with no input).
      const first = sentRequests(before).find((body) => body.generate !== false);
      expect(first && shellToolOf(responsesView(first))).toBeDefined();
      if (run.code !== 0 || !quotedToolResult(run.stdout)?.includes(TOOL_OUTPUT)) throw new Error(describeRun(run));
      expect(gateway.upstreamRequests().some((r) => JSON.stringify(r.body).includes(TOOL_OUTPUT))).toBe(true);
      expectTransportUsed(before);
    }, 180_000);
  });
});
