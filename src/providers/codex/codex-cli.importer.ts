// Imports the login the Codex CLI saved in auth.json ($CODEX_HOME/auth.json, else
// ~/.codex/auth.json; reference/wire-protocols.md §2), so a user who ran `codex login` needs no
// second browser round trip.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CredentialImporter } from '../../auth/importers/credential-importer';
import { ImportError } from '../../auth/importers/import-error';
import { isObject } from '../../protocol/json-object';
import type { NewAccount } from '../../store/account';
import { codexAccountFacts } from './codex.oauth';

export const CODEX_CLI_ACCOUNT = 'codex-cli';

export const CODEX_CLI_IMPORTER: CredentialImporter = {
  provider: 'codex',
  loginName: 'Codex CLI login',
  fileName: "the Codex CLI's auth.json",
  defaultLocation: '$CODEX_HOME/auth.json, else ~/.codex/auth.json',
  missingHint: 'run `codex login` first',
  defaultAccount: CODEX_CLI_ACCOUNT,
  defaultFile: (env = process.env) => join(env.CODEX_HOME || join(homedir(), '.codex'), 'auth.json'),
  fromJson: codexCliAccount,
};

/**
 * The account in a Codex CLI auth.json, already parsed. `file` names where it came from, in
 * messages.
 */
export function codexCliAccount(json: Record<string, unknown>, file: string, accountId = CODEX_CLI_ACCOUNT): NewAccount {
  const tokens = json.tokens;
  if (tokens === undefined || tokens === null) {
    if (typeof json.OPENAI_API_KEY === 'string' && json.OPENAI_API_KEY) {
      throw new ImportError(
        `${file} holds an API key, not a ChatGPT login; put the key in providers.yaml (api_key) instead, or run \`codex login\` with ChatGPT`,
      );
    }
    throw new ImportError(`${file} has no "tokens" object: it is not a ChatGPT login`);
  }
  if (!isObject(tokens)) throw new ImportError(`${file}: "tokens" must be an object`);
  const t = tokens;
  if (typeof t.access_token !== 'string' || t.access_token === '') {
    throw new ImportError(`${file} is missing tokens.access_token`);
  }
  if (typeof t.refresh_token !== 'string' || t.refresh_token === '') {
    throw new ImportError(`${file} is missing tokens.refresh_token, so the login could not be kept alive`);
  }
  const facts = codexAccountFacts({
    access_token: t.access_token,
    id_token: typeof t.id_token === 'string' ? t.id_token : undefined,
  });
  const claims = { ...facts.claims };
  // auth.json's own account_id wins: it is what the Codex CLI itself sends.
  if (typeof t.account_id === 'string' && t.account_id) claims.chatgpt_account_id = t.account_id;
  if (typeof claims.chatgpt_account_id !== 'string') {
    throw new ImportError(
      `${file} has neither tokens.account_id nor a ChatGPT account id in its id_token; run \`codex login\` again`,
    );
  }
  return {
    provider: 'codex',
    accountId,
    label: facts.label ?? 'Codex CLI',
    tokens: {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      idToken: typeof t.id_token === 'string' ? t.id_token : undefined,
    },
    expiresAt: facts.expiresAt,
    claims,
  };
}
