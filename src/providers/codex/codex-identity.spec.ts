import { BYOKEY_CODEX_IDENTITY, CODEX_CLI_VERSION, codexHeaders } from './codex-headers';
import { codexIdentity } from './codex-identity';

const CLI = 'codex_cli_rs/0.180.2 (Mac OS 26.5.0; arm64) iTerm.app/3.6.10';

describe('codexIdentity', () => {
  it("is the Codex CLI's own when its user agent says it is the CLI", () => {
    expect(codexIdentity({ 'user-agent': CLI, originator: 'codex_cli_rs', version: '0.180.2' })).toEqual({
      originator: 'codex_cli_rs',
      version: '0.180.2',
      'user-agent': CLI,
    });
  });

  it('takes originator and version from the user agent when the headers are missing or malformed', () => {
    const ua = 'codex_exec/0.181.0-alpha.3 (Linux 6.8.0; x86_64) unknown';
    expect(codexIdentity({ 'user-agent': ua, version: 'latest; drop table' })).toEqual({ originator: 'codex_exec', version: '0.181.0-alpha.3', 'user-agent': ua });
  });

  it("is byokey's own for any other caller, or none", () => {
    expect(codexIdentity({ 'user-agent': 'OpenAI/JS 6.49.0', originator: 'codex_cli_rs', version: '9.9.9' })).toBe(BYOKEY_CODEX_IDENTITY);
    expect(codexIdentity({ 'user-agent': 'codex_cli_rs' })).toBe(BYOKEY_CODEX_IDENTITY);
    expect(codexIdentity({ 'user-agent': `${CLI}${'x'.repeat(600)}` })).toBe(BYOKEY_CODEX_IDENTITY);
    expect(codexIdentity(undefined)).toBe(BYOKEY_CODEX_IDENTITY);
    expect(BYOKEY_CODEX_IDENTITY.version).toBe(CODEX_CLI_VERSION);
    expect(BYOKEY_CODEX_IDENTITY['user-agent']).toMatch(new RegExp(`^codex_cli_rs/${CODEX_CLI_VERSION} \\(`));
  });
});

describe('codexHeaders', () => {
  const base = { accessToken: 'tok', accountId: 'acc', sessionId: 'derived-session' };

  it("passes on the caller's session and turn headers, and keeps the account's token", () => {
    const client = {
      'user-agent': CLI,
      'session-id': 'sess-1',
      'thread-id': 'thread-1',
      'x-codex-turn-metadata': '{"turn":1}',
      'x-codex-beta-features': 'a,b',
      authorization: 'Bearer the-clients-own-key',
    };
    const headers = codexHeaders({ ...base, identity: codexIdentity(client), clientHeaders: client });
    expect(headers).toEqual({
      authorization: 'Bearer tok',
      'chatgpt-account-id': 'acc',
      originator: 'codex_cli_rs',
      version: '0.180.2',
      'user-agent': CLI,
      'session-id': 'sess-1',
      'thread-id': 'thread-1',
      'x-codex-turn-metadata': '{"turn":1}',
      'x-codex-beta-features': 'a,b',
    });
  });

  it("sends byokey's own session_id when the caller sent none", () => {
    const headers = codexHeaders({ ...base, identity: BYOKEY_CODEX_IDENTITY });
    expect(headers.session_id).toBe('derived-session');
    expect(headers['thread-id']).toBeUndefined();
  });
});
