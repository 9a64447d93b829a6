// The importer list the CLI and the admin API offer: each importer is found under the name its
// accounts are stored by, and makes accounts of a provider that has a login to refresh them with.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCredentialsFile } from '../auth/importers/credential-importer';
import { ImportError } from '../auth/importers/import-error';
import { CREDENTIAL_IMPORTERS } from './credential-importers';
import { OAUTH_DEFINITIONS } from './oauth-definitions';

describe('CREDENTIAL_IMPORTERS', () => {
  it('offers the Codex CLI, Claude Code and Kiro IDE logins', () => {
    expect(Object.keys(CREDENTIAL_IMPORTERS).sort()).toEqual(['claude', 'codex', 'kiro']);
  });

  it.each(Object.entries(CREDENTIAL_IMPORTERS))('%s: listed under its provider, which has an OAuth login to refresh it', (name, importer) => {
    expect(importer.provider).toBe(name);
    expect(OAUTH_DEFINITIONS[name]).toBeDefined();
  });

  it('reads the Codex CLI default file from $CODEX_HOME', () => {
    expect(CREDENTIAL_IMPORTERS.codex.defaultFile({ CODEX_HOME: '/x/codex' })).toBe(join('/x/codex', 'auth.json'));
  });

  it.each([
    ['codex', { tokens: { access_token: 'at', refresh_token: 'rt', account_id: 'acc-1' } }, 'codex-cli'],
    ['claude', { claudeAiOauth: { accessToken: 'at', refreshToken: 'rt', expiresAt: 1_900_000_000_000 } }, 'claude-code'],
  ])('%s: imports a file into an account of its provider, under its default name unless one is given', (name, json, defaultAccount) => {
    const file = join(mkdtempSync(join(tmpdir(), 'byokey-import-')), 'login.json');
    writeFileSync(file, JSON.stringify(json));
    const importer = CREDENTIAL_IMPORTERS[name];
    expect(importCredentialsFile(importer, file)).toMatchObject({ provider: name, accountId: defaultAccount, tokens: { accessToken: 'at', refreshToken: 'rt' } });
    expect(importCredentialsFile(importer, file, 'work').accountId).toBe('work');
  });

  it('names the missing file and what to do about it', () => {
    const missing = join(tmpdir(), 'byokey-no-such-dir', 'auth.json');
    expect(() => importCredentialsFile(CREDENTIAL_IMPORTERS.claude, missing)).toThrow(
      new ImportError(`no Claude Code login found at ${missing} (log in with \`claude\` first, or pass --file)`),
    );
  });
});
