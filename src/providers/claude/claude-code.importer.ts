// Imports the login Claude Code saved in ~/.claude/.credentials.json (reference/
// wire-protocols.md §3.3): `{"claudeAiOauth": {accessToken, refreshToken, expiresAt (ms), …}}`.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CredentialImporter } from '../../auth/importers/credential-importer';
import { ImportError } from '../../auth/importers/import-error';
import { isObject } from '../../protocol/json-object';
import type { NewAccount } from '../../store/account';

export const CLAUDE_CODE_ACCOUNT = 'claude-code';

export const CLAUDE_CODE_IMPORTER: CredentialImporter = {
  provider: 'claude',
  loginName: 'Claude Code login',
  fileName: "Claude Code's .credentials.json",
  defaultLocation: '~/.claude/.credentials.json',
  missingHint: 'log in with `claude` first',
  defaultAccount: CLAUDE_CODE_ACCOUNT,
  defaultFile: () => join(homedir(), '.claude', '.credentials.json'),
  fromJson: claudeCodeAccount,
};

/**
 * The account in Claude Code's credentials JSON, already parsed. `file` names where it came
 * from, in messages.
 */
export function claudeCodeAccount(json: Record<string, unknown>, file: string, accountId = CLAUDE_CODE_ACCOUNT): NewAccount {
  const oauth = json.claudeAiOauth;
  if (!isObject(oauth)) throw new ImportError(`${file} has no "claudeAiOauth" object: it is not a Claude Code login`);
  const o = oauth;
  if (typeof o.accessToken !== 'string' || o.accessToken === '') throw new ImportError(`${file} is missing claudeAiOauth.accessToken`);
  if (typeof o.refreshToken !== 'string' || o.refreshToken === '') {
    throw new ImportError(`${file} is missing claudeAiOauth.refreshToken, so the login could not be kept alive`);
  }
  if (o.expiresAt !== undefined && (typeof o.expiresAt !== 'number' || !Number.isFinite(o.expiresAt))) {
    throw new ImportError(`${file}: claudeAiOauth.expiresAt must be a time in milliseconds`);
  }
  const claims: Record<string, unknown> = {};
  if (typeof o.subscriptionType === 'string') claims.subscription_type = o.subscriptionType;
  if (Array.isArray(o.scopes)) claims.scopes = o.scopes.filter((s) => typeof s === 'string');
  return {
    provider: 'claude',
    accountId,
    label: typeof o.subscriptionType === 'string' ? `Claude Code (${o.subscriptionType})` : 'Claude Code',
    tokens: { accessToken: o.accessToken, refreshToken: o.refreshToken },
    expiresAt: typeof o.expiresAt === 'number' ? o.expiresAt : undefined,
    claims,
  };
}
