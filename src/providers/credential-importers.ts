// Every provider's credential importers (a login another tool saved), by the name
// `byokey accounts import <name>` and POST /admin/v1/accounts/<name>/import take. Each importer
// lives in its provider's folder; a provider with one adds a line here.
import type { CredentialImporters } from '../auth/importers/credential-importer';
import { CLAUDE_CODE_IMPORTER } from './claude/claude-code.importer';
import { CODEX_CLI_IMPORTER } from './codex/codex-cli.importer';
import { KIRO_IDE_IMPORTER } from './kiro/kiro-ide.importer';

export const CREDENTIAL_IMPORTERS: CredentialImporters = Object.fromEntries(
  [CODEX_CLI_IMPORTER, CLAUDE_CODE_IMPORTER, KIRO_IDE_IMPORTER].map((importer) => [importer.provider, importer]),
);
