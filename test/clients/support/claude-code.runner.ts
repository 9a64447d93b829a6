// Drives Claude Code (`claude -p`) against a gateway: ANTHROPIC_BASE_URL and an API key of the
// client's own (byokey holds the upstream keys), the Bash tool allowed, telemetry, error
// reporting and the auto-updater off, and no --model: Claude Code picks its default.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClientSandbox, runClient, type ClientRun } from './run-client';

export interface ClaudeCodeOptions {
  /** Passed as --model; by default Claude Code uses its own default model. */
  model?: string;
  timeoutMs?: number;
}

export async function runClaudeCode(bin: string, gatewayUrl: string, prompt: string, options: ClaudeCodeOptions = {}): Promise<ClientRun> {
  const sandbox = new ClientSandbox();
  try {
    const configDir = join(sandbox.home, '.claude');
    mkdirSync(configDir, { recursive: true });
    const args = ['-p', prompt, '--allowedTools', 'Bash', '--output-format', 'text'];
    if (options.model) args.push('--model', options.model);
    return await runClient(bin, args, {
      cwd: sandbox.cwd,
      timeoutMs: options.timeoutMs,
      env: {
        ...sandbox.env,
        CLAUDE_CONFIG_DIR: configDir,
        ANTHROPIC_BASE_URL: gatewayUrl,
        ANTHROPIC_API_KEY: 'sk-ant-byokey-client-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_BUG_COMMAND: '1',
        CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
        SHELL: '/bin/bash',
      },
    });
  } finally {
    sandbox.remove();
  }
}
