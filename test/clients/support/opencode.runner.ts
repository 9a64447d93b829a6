// Drives opencode (`opencode run`) against a gateway: a config file with byokey as an
// OpenAI-compatible provider (the bundled @ai-sdk/openai-compatible, nothing downloaded), the
// models.dev catalog fetch, sharing, autoupdate, LSP downloads and default plugins off, and the
// bash tool allowed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientSandbox, runClient, type ClientRun } from './run-client';

export interface OpencodeOptions {
  /** The model id at byokey (opencode has no default for a custom provider). */
  model: string;
  timeoutMs?: number;
}

export function opencodeConfig(gatewayUrl: string, model: string): object {
  return {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    model: `byokey/${model}`,
    small_model: `byokey/${model}`,
    permission: { bash: 'allow', edit: 'allow', webfetch: 'deny' },
    provider: {
      byokey: {
        npm: '@ai-sdk/openai-compatible',
        name: 'byokey',
        options: { baseURL: `${gatewayUrl}/v1`, apiKey: 'byokey-client-key' },
        models: { [model]: { name: model } },
      },
    },
  };
}

export async function runOpencode(bin: string, gatewayUrl: string, prompt: string, options: OpencodeOptions): Promise<ClientRun> {
  const sandbox = new ClientSandbox();
  try {
    const config = join(sandbox.root, 'opencode.json');
    writeFileSync(config, JSON.stringify(opencodeConfig(gatewayUrl, options.model), null, 2));
    return await runClient(bin, ['run', prompt], {
      cwd: sandbox.cwd,
      timeoutMs: options.timeoutMs,
      env: {
        ...sandbox.env,
        OPENCODE_CONFIG: config,
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_SHARE: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
        OPENCODE_DISABLE_CLAUDE_CODE: '1',
        SHELL: '/bin/bash',
      },
    });
  } finally {
    sandbox.remove();
  }
}
