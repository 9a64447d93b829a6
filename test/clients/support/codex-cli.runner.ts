// Drives Codex CLI (`codex exec`) against a gateway: a private CODEX_HOME whose config.toml makes
// byokey a Responses provider (`[model_providers.byokey]`, `wire_api = "responses"`, optionally
// `supports_websockets`), with analytics, feedback and the update check off, commands run without
// approval or sandbox (the test's own throwaway directory), and no model: Codex picks its default.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientSandbox, runClient, type ClientRun } from './run-client';

export interface CodexCliOptions {
  /** `supports_websockets = true`: Codex opens GET /v1/responses as a WebSocket first. */
  websockets?: boolean;
  /** Written as `model = …`; by default Codex uses its own default model. */
  model?: string;
  /**
   * `web_search = "disabled"`: Codex offers its hosted `web_search` tool by default, which only a
   * Responses upstream can run (byokey refuses it with a 400 elsewhere), so a user of a Claude or
   * chat model turns it off, as its message says.
   */
  noWebSearch?: boolean;
  timeoutMs?: number;
}

export const CODEX_CLIENT_KEY_ENV = 'BYOKEY_CLIENT_KEY';

export function codexConfigToml(gatewayUrl: string, options: CodexCliOptions = {}): string {
  return [
    'model_provider = "byokey"',
    ...(options.model ? [`model = ${JSON.stringify(options.model)}`] : []),
    ...(options.noWebSearch ? ['web_search = "disabled"'] : []),
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    'check_for_update_on_startup = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    '[model_providers.byokey]',
    'name = "byokey"',
    `base_url = "${gatewayUrl}/v1"`,
    `env_key = "${CODEX_CLIENT_KEY_ENV}"`,
    'wire_api = "responses"',
    `supports_websockets = ${options.websockets === true}`,
    // One attempt per request: a failure shows at once instead of after minutes of backoff.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');
}

export async function runCodexCli(bin: string, gatewayUrl: string, prompt: string, options: CodexCliOptions = {}): Promise<ClientRun> {
  const sandbox = new ClientSandbox();
  try {
    const codexHome = join(sandbox.home, '.codex');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(join(codexHome, 'config.toml'), codexConfigToml(gatewayUrl, options));
    return await runClient(bin, ['exec', '--skip-git-repo-check', '--color', 'never', prompt], {
      cwd: sandbox.cwd,
      timeoutMs: options.timeoutMs,
      env: { ...sandbox.env, CODEX_HOME: codexHome, [CODEX_CLIENT_KEY_ENV]: 'byokey-client-key', SHELL: '/bin/bash', RUST_LOG: 'warn' },
    });
  } finally {
    sandbox.remove();
  }
}
