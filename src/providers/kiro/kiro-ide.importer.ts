// Imports the login the Kiro IDE saved in ~/.aws/sso/cache/kiro-auth-token.json (reference/
// wire-protocols.md §7 "Kiro"): {accessToken, refreshToken, expiresAt, profileArn, authMethod
// (social | IdC), provider, region, clientIdHash}. An IdC login refreshes with the OAuth client
// the IDE registered for it, saved beside it as <clientIdHash>.json ({clientId, clientSecret}).
// The profile ARN (which names the API's region) and the login's kind go in the account's claims;
// the client secret is sealed with the tokens.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CredentialImporter } from '../../auth/importers/credential-importer';
import { ImportError } from '../../auth/importers/import-error';
import { readJsonFile } from '../../auth/importers/read-json-file';
import type { NewAccount } from '../../store/account';
import { regionOfProfileArn, validRegion } from './kiro-region';

export const KIRO_IDE_ACCOUNT = 'kiro-ide';

export const KIRO_IDE_IMPORTER: CredentialImporter = {
  provider: 'kiro',
  loginName: 'Kiro IDE login',
  fileName: "the Kiro IDE's kiro-auth-token.json",
  defaultLocation: '~/.aws/sso/cache/kiro-auth-token.json',
  missingHint: 'sign in with the Kiro IDE first',
  defaultAccount: KIRO_IDE_ACCOUNT,
  defaultFile: () => join(homedir(), '.aws', 'sso', 'cache', 'kiro-auth-token.json'),
  fromJson: kiroIdeAccount,
};

/** The account in the Kiro IDE's token JSON, already parsed. `file` names where it came from. */
export function kiroIdeAccount(json: Record<string, unknown>, file: string, accountId = KIRO_IDE_ACCOUNT): NewAccount {
  const accessToken = text(json.accessToken);
  if (!accessToken) throw new ImportError(`${file} is missing accessToken: it is not a Kiro login`);
  const refreshToken = text(json.refreshToken);
  if (!refreshToken) throw new ImportError(`${file} is missing refreshToken, so the login could not be kept alive`);
  const expiresAt = expiryOf(json.expiresAt, file);
  const method = text(json.authMethod)?.toLowerCase();
  if (method !== undefined && method !== 'social' && method !== 'idc') {
    throw new ImportError(`${file}: authMethod "${text(json.authMethod)}" is neither social nor IdC`);
  }
  const profileArn = text(json.profileArn);
  if (profileArn !== undefined && !regionOfProfileArn(profileArn)) throw new ImportError(`${file}: profileArn is not a CodeWhisperer profile ARN`);
  const region = validRegion(json.region) ?? regionOfProfileArn(profileArn);

  const claims: Record<string, unknown> = { auth_method: method ?? 'social' };
  if (profileArn) claims.profile_arn = profileArn;
  if (region) claims.region = region;
  const provider = text(json.provider);
  if (provider) claims.login_provider = provider;

  let clientSecret: string | undefined;
  if (method === 'idc') {
    const client = idcClient(json, file);
    claims.client_id = client.clientId;
    clientSecret = client.clientSecret;
  } else if (!profileArn) {
    throw new ImportError(`${file} is missing profileArn, which a social Kiro login needs; sign in with the Kiro IDE again`);
  }
  return {
    provider: 'kiro',
    accountId,
    label: `Kiro (${provider ?? (method === 'idc' ? 'IAM Identity Center' : 'social login')})`,
    tokens: { accessToken, refreshToken, ...(clientSecret ? { clientSecret } : {}) },
    expiresAt,
    claims,
  };
}

/**
 * The IdC client: in the token JSON itself (what the admin API takes: the two files' fields in one
 * body), else in the registration file its clientIdHash names, beside the token file.
 */
function idcClient(json: Record<string, unknown>, file: string): { clientId: string; clientSecret: string } {
  let clientId = text(json.clientId);
  let clientSecret = text(json.clientSecret);
  const hash = text(json.clientIdHash);
  // Only beside a token file that exists: JSON posted to the admin API has no file to look beside.
  if ((!clientId || !clientSecret) && hash && existsSync(file)) {
    if (!/^[A-Za-z0-9_-]+$/.test(hash)) throw new ImportError(`${file}: clientIdHash is not a file name`);
    const registration = join(dirname(file), `${hash}.json`);
    if (existsSync(registration)) {
      const client = readJsonFile(registration, 'Kiro IdC client registration', 'sign in with the Kiro IDE again');
      clientId ??= text(client.clientId);
      clientSecret ??= text(client.clientSecret);
    }
  }
  if (!clientId || !clientSecret) {
    throw new ImportError(
      `${file} is an IAM Identity Center login, but its client registration (clientId and clientSecret${hash ? `, in ${hash}.json beside it` : ''}) was not found, so it could not be refreshed`,
    );
  }
  return { clientId, clientSecret };
}

/** The IDE writes an ISO time; a number is taken as milliseconds. */
function expiryOf(value: unknown, file: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new ImportError(`${file}: expiresAt is not a time`);
  return ms;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
