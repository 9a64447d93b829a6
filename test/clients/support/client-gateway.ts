// The world a real client CLI talks to in test:clients: byokey started for real (the built
// dist/main.js `serve`) with one upstream instance in front of the matching fake — a Claude API
// (api_key + base_url), an OpenAI-compatible chat server, or the ChatGPT Codex backend (a login
// imported with `byokey accounts import codex`) — each fake answering as the scripted agent, and
// a capture proxy in front of byokey recording what the client sends.
import { FakeAnthropicUpstream, FAKE_API_KEY } from '../../fakes/anthropic-upstream.fake';
import { FakeCodexBackend } from '../../fakes/codex-backend.fake';
import { FakeOpenAIUpstream } from '../../fakes/openai-upstream.fake';
import { CliSandbox, runCli, startCli, type CliProcess } from '../../support/cli-process';
import { CaptureProxy } from './capture-proxy';
import { anthropicResponder, chatResponder, codexResponder } from './scripted-agent';

export type UpstreamKind = 'claude' | 'chat' | 'codex';

const CHAT_API_KEY = 'sk-fake-chat-upstream-key';

export interface ClientGateway {
  upstream: UpstreamKind;
  /** Where the client is pointed: the capture proxy in front of byokey, `http://127.0.0.1:PORT`. */
  url: string;
  proxy: CaptureProxy;
  anthropic: FakeAnthropicUpstream;
  chat: FakeOpenAIUpstream;
  codex: FakeCodexBackend;
  /** Requests the upstream fake received (bodies as byokey sent them on). */
  upstreamRequests(): Array<{ body: any }>;
  byokey: CliProcess;
  close(): Promise<void>;
}

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.sig`;
}

/**
 * Starts the fakes, byokey with one instance of `upstream`, and the capture proxy. `models` are
 * listed explicitly on the instance (so a model of another family routes there); with none, the
 * instance serves what its plugin serves by itself (any claude-* id, any OpenAI-shaped id), as a
 * user's would: each client's default model then reaches its own upstream with no list to keep.
 */
export async function startClientGateway(upstream: UpstreamKind, models: string[]): Promise<ClientGateway> {
  const anthropic = new FakeAnthropicUpstream();
  const chat = new FakeOpenAIUpstream();
  const codex = new FakeCodexBackend();
  anthropic.responder = anthropicResponder;
  chat.responder = chatResponder;
  codex.responder = codexResponder;
  chat.apiKey = CHAT_API_KEY;
  await Promise.all([anthropic.start(), chat.start(), codex.start()]);

  const sandbox = new CliSandbox();
  const modelList = models.length > 0 ? `    models: [${models.map((m) => JSON.stringify(m)).join(', ')}]\n` : '';
  const instance = {
    claude: `  claude:\n    api_key: ${FAKE_API_KEY}\n    base_url: ${anthropic.url}\n${modelList}`,
    chat: `  chat:\n    type: openai-compatible\n    api_key: ${CHAT_API_KEY}\n    base_url: ${chat.url}\n${modelList}`,
    codex: `  codex:\n    base_url: ${codex.httpUrl}\n${modelList}`,
  }[upstream];
  const config = sandbox.write('providers.yaml', `providers:\n${instance}`);

  if (upstream === 'codex') {
    // The ChatGPT login, as the Codex CLI saves it, imported the way a user would.
    const authFile = sandbox.write(
      'auth.json',
      JSON.stringify({
        auth_mode: 'chatgpt',
        OPENAI_API_KEY: null,
        tokens: { id_token: jwt({ email: 'dev@example.com' }), access_token: 'codex-access-token-1', refresh_token: 'codex-refresh-token-1', account_id: 'acc-fake-0001' },
        last_refresh: new Date().toISOString(),
      }),
    );
    const imported = await runCli(['accounts', 'import', 'codex', '--file', authFile], sandbox);
    if (imported.code !== 0) throw new Error(`byokey accounts import codex failed:\n${imported.stdout}${imported.stderr}`);
  }

  const byokey = startCli(['serve', '--port', '0', '--config', config], sandbox);
  const { url: byokeyUrl } = await byokey.listening(20_000);
  const proxy = new CaptureProxy(byokeyUrl);
  await proxy.start();

  return {
    upstream,
    url: proxy.url,
    proxy,
    anthropic,
    chat,
    codex,
    byokey,
    upstreamRequests: () => ({ claude: anthropic.requests, chat: chat.requests, codex: codex.requests })[upstream],
    async close() {
      await proxy.stop();
      byokey.signal('SIGTERM');
      await byokey.exit(10_000).catch(() => byokey.kill());
      await Promise.all([anthropic.stop(), chat.stop(), codex.stop()]);
      sandbox.remove();
    },
  };
}
