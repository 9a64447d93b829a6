// The provider names the commands accept, from the providers' own tables, and the refusal of a
// name that is not one of them: a typo is a usage error naming the known ones, never an empty
// listing or "no account stored".
import { OAUTH_DEFINITIONS } from '../providers/oauth-definitions';
import { CREDENTIAL_IMPORTERS } from '../providers/credential-importers';
import { UsageError } from './cli-io';

/** Providers `byokey login` signs in to. */
export function loginProviders(): string[] {
  return Object.keys(OAUTH_DEFINITIONS);
}

/** Providers `byokey accounts import` reads another tool's login for. */
export function importProviders(): string[] {
  return Object.keys(CREDENTIAL_IMPORTERS);
}

/** Providers an account can be stored for: logged in or imported. */
export function accountProviders(): string[] {
  return [...new Set([...loginProviders(), ...importProviders()])];
}

/** Throws a UsageError, with the known names and `usage`, unless `name` is one of `known`. */
export function checkProvider(name: string, known: readonly string[], usage: string): string {
  if (known.includes(name)) return name;
  throw new UsageError(`unknown provider "${name}" (providers: ${known.join(', ')})`, usage);
}
