// Who the Codex backend is told is calling (reference/wire-protocols.md §1.2). The backend decides
// what a client may do from `originator`, `version` and `user-agent`, so when the caller in front
// of byokey is the Codex CLI itself, the backend sees that CLI's own identity (a newer CLI gets
// what it is entitled to); any other caller goes out as byokey's own Codex identity.
import { BYOKEY_CODEX_IDENTITY, type CodexIdentity } from './codex-headers';

/**
 * The Codex CLI's user agent: `<originator>/<x.y.z> (<OS> <ver>; <arch>) <terminal>`, e.g.
 * `codex_cli_rs/0.171.0 (Mac OS 26.5.0; arm64) iTerm.app/3.6.10`; originators seen are
 * `codex_cli_rs`, `codex_exec`, `codex-tui`, `codex_vscode`.
 */
const CODEX_USER_AGENT_SHAPE = /^(codex[_-][a-z0-9_-]+)\/(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)(?:\s|$)/;
const ORIGINATOR_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;
const VERSION_SHAPE = /^\d+\.\d+\.\d+[0-9A-Za-z.+-]{0,32}$/;
/** Longer user agents are not a CLI's; they are not passed on. */
const MAX_USER_AGENT = 512;

/**
 * The caller's identity when its (lower-cased) headers say it is the Codex CLI, with its own
 * `originator` and `version` headers where it sent well-formed ones; else byokey's.
 */
export function codexIdentity(clientHeaders: Record<string, string> | undefined): CodexIdentity {
  const userAgent = clientHeaders?.['user-agent'];
  if (!userAgent || userAgent.length > MAX_USER_AGENT) return BYOKEY_CODEX_IDENTITY;
  const match = CODEX_USER_AGENT_SHAPE.exec(userAgent);
  if (!match) return BYOKEY_CODEX_IDENTITY;
  const originator = clientHeaders.originator;
  const version = clientHeaders.version;
  return {
    originator: originator && ORIGINATOR_SHAPE.test(originator) ? originator : match[1],
    version: version && VERSION_SHAPE.test(version) ? version : match[2],
    'user-agent': userAgent,
  };
}
