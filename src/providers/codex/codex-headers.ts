// The identity headers the Codex CLI sends (reference/wire-protocols.md §1.2), so the backend
// sees the client it expects.
import { arch, platform, release } from 'node:os';

export const CODEX_ORIGINATOR = 'codex_cli_rs';
export const CODEX_CLI_VERSION = '0.135.0';
/** `OpenAI-Beta` value that turns on the WebSocket protocol (v2). */
export const CODEX_WS_BETA = 'responses_websockets=2026-02-06';

const OS_NAMES: Record<string, string> = { darwin: 'Mac OS', linux: 'Linux', win32: 'Windows' };

/** `<originator>/<version> (<OS> <osver>; <arch>) <terminal>`, as the CLI builds it. */
export const CODEX_USER_AGENT = `${CODEX_ORIGINATOR}/${CODEX_CLI_VERSION} (${OS_NAMES[platform()] ?? platform()} ${release()}; ${
  arch() === 'x64' ? 'x86_64' : arch()
}) byokey`;

/** `sessionId` is left out of calls outside a conversation (the model list). */
export function codexHeaders(options: { accessToken: string; accountId?: string; sessionId?: string }): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.accessToken}`,
    originator: CODEX_ORIGINATOR,
    'user-agent': CODEX_USER_AGENT,
    version: CODEX_CLI_VERSION,
  };
  if (options.sessionId) headers.session_id = options.sessionId;
  if (options.accountId) headers['chatgpt-account-id'] = options.accountId;
  return headers;
}
