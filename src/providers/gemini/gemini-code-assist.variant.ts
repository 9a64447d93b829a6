// Gemini CLI's "Login with Google" as Code Assist sees it (reference/wire-protocols.md §6.1): the
// prod host, Gemini CLI's User-Agent and X-Goog-Api-Client, the `{model, project,
// user_prompt_id, request}` envelope, ideType IDE_UNSPECIFIED. Model ids are Gemini's own.
import { randomUUID } from 'node:crypto';
import type { CodeAssistVariant } from './code-assist/code-assist-calls';
import type { GeminiSettingsDto } from './gemini-settings.dto';

export const CODE_ASSIST_BASE_URL = 'https://cloudcode-pa.googleapis.com';
/** The Gemini CLI release whose identity the calls carry (CPA@9750da9 sends the same). */
export const GEMINI_CLI_VERSION = '0.34.0';
const GOOGLE_API_CLIENT = 'google-genai-sdk/1.41.0 gl-node/v22.19.0';

export const GEMINI_CODE_ASSIST: CodeAssistVariant = {
  provider: 'gemini',
  ideType: 'IDE_UNSPECIFIED',
  hosts: (settings) => [settings.base_url ?? CODE_ASSIST_BASE_URL],
  headers: (model) => ({
    'user-agent': `GeminiCLI/${GEMINI_CLI_VERSION}/${model} (${process.platform}; ${process.arch}; terminal)`,
    'x-goog-api-client': GOOGLE_API_CLIENT,
  }),
  upstreamModel: (model) => model,
  envelope: (request, model, project) => ({ model, project, user_prompt_id: randomUUID(), request }),
  pinnedProject: (settings) => (settings as GeminiSettingsDto).project,
};
