// The contract of a credential importer: a provider's reader of a login another tool saved (a
// CLI's credentials file), so a user who logged in there needs no second browser round trip.
// Each provider declares its own beside its OAuth definition; src/providers/credential-importers.ts
// lists them, and the composition root provides that list under CREDENTIAL_IMPORTERS, so auth/
// knows no provider.
import type { NewAccount } from '../../store/account';
import { readJsonFile } from './read-json-file';

export interface CredentialImporter {
  /** The provider the imported account belongs to; also the name `accounts import <name>` takes. */
  readonly provider: string;
  /** Whose login it reads, for messages: "Codex CLI login". */
  readonly loginName: string;
  /** The file it reads, for help and the admin API: "the Codex CLI's auth.json". */
  readonly fileName: string;
  /** Where that file usually is, for help: "$CODEX_HOME/auth.json, else ~/.codex/auth.json". */
  readonly defaultLocation: string;
  /** What to do when the file is missing: "run `codex login` first". */
  readonly missingHint: string;
  /** The account name when none is given. */
  readonly defaultAccount: string;
  /** The file read when none is given. */
  defaultFile(env?: NodeJS.ProcessEnv): string;
  /**
   * The account in the file's JSON, already parsed (the admin API takes it as a request body).
   * `origin` names where it came from, in messages. Throws ImportError saying what is missing.
   */
  fromJson(json: Record<string, unknown>, origin: string, accountId?: string): NewAccount;
}

/** Importers by the name `accounts import` takes (the provider id). */
export type CredentialImporters = Readonly<Record<string, CredentialImporter>>;

/** DI token for the providers' importers (app.module.ts provides src/providers/credential-importers.ts). */
export const CREDENTIAL_IMPORTERS = Symbol('CREDENTIAL_IMPORTERS');

/** Reads an importer's file (its default one when none is given); ImportError says what is wrong. */
export function importCredentialsFile(importer: CredentialImporter, file = importer.defaultFile(), accountId?: string): NewAccount {
  const json = readJsonFile(file, importer.loginName, `${importer.missingHint}, or pass --file`);
  return importer.fromJson(json, file, accountId);
}
