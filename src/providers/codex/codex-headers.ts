// The headers the Codex CLI sends (reference/wire-protocols.md §1.2), so the backend sees the
// client it expects: the identity (the caller's own when it is the Codex CLI, see
// codex-identity.ts), the conversation's session id, and the CLI's turn headers it passed on.
import { arch, platform, release } from 'node:os';

export const CODEX_ORIGINATOR = 'codex_cli_rs';
/**
 * The Codex CLI release byokey presents itself as when the caller is not the CLI. The one place
 * to keep current: the backend gates models and features on it (reference/clients.md names the
 * release last observed).
 */
export const CODEX_CLI_VERSION = '0.171.0';
/** `OpenAI-Beta` value that turns on the WebSocket protocol (v2). */
export const CODEX_WS_BETA = 'responses_websockets=2026-02-06';

const OS_NAMES: Record<string, string> = { darwin: 'Mac OS', linux: 'Linux', win32: 'Windows' };

/** `<originator>/<version> (<OS> <osver>; <arch>) <terminal>`, as the CLI builds it. */
export const CODEX_USER_AGENT = `${CODEX_ORIGINATOR}/${CODEX_CLI_VERSION} (${OS_NAMES[platform()] ?? platform()} ${release()}; ${
  arch() === 'x64' ? 'x86_64' : arch()
}) byokey`;

/** The CLI's per-turn headers, passed on as the caller sent them. */
const TURN_HEADERS = ['thread-id', 'x-codex-turn-metadata', 'x-codex-beta-features'] as const;
/** The session header in the spellings CLIs have used; the first the caller sent wins. */
const SESSION_HEADERS = ['session_id', 'session-id'] as const;

/** Who the backend is told is calling: the three headers it decides a client's rights from (see codex-identity.ts). */
export interface CodexIdentity {
  originator: string;
  version: string;
  'user-agent': string;
}

export const BYOKEY_CODEX_IDENTITY: CodexIdentity = {
  originator: CODEX_ORIGINATOR,
  version: CODEX_CLI_VERSION,
  'user-agent': CODEX_USER_AGENT,
};

export interface CodexHeaderOptions {
  accessToken: string;
  accountId?: string;
  /** byokey's session id, used when the caller sent none of its own; none outside a conversation (the model list). */
  sessionId?: string;
  /** Who the backend is told is calling (default: byokey's own Codex CLI identity). */
  identity?: CodexIdentity;
  /** The caller's headers, lower-cased (never its credentials). */
  clientHeaders?: Record<string, string>;
}

export function codexHeaders(options: CodexHeaderOptions): Record<string, string> {
  const client = options.clientHeaders ?? {};
  const identity = options.identity ?? BYOKEY_CODEX_IDENTITY;
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.accessToken}`,
    originator: identity.originator,
    'user-agent': identity['user-agent'],
    version: identity.version,
  };
  const session = callerSession(client);
  if (session) headers[session.name] = session.value;
  else if (options.sessionId) headers.session_id = options.sessionId;
  for (const name of TURN_HEADERS) if (client[name]) headers[name] = client[name];
  if (options.accountId) headers['chatgpt-account-id'] = options.accountId;
  return headers;
}

/** The session header the caller sent, under its own spelling. */
export function callerSession(clientHeaders: Record<string, string> | undefined): { name: string; value: string } | undefined {
  for (const name of SESSION_HEADERS) {
    const value = clientHeaders?.[name];
    if (value) return { name, value };
  }
  return undefined;
}
