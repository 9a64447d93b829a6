// An accounts row as pg returns it (int8 already a number, jsonb already parsed, bytea a Buffer),
// and its conversion to the Account the rest of byokey sees: NULL becomes an absent field, the
// sealed tokens their plaintext.
import type { Account, AccountStatus } from '../account';
import { StoreError } from '../store-error';
import type { TokenCipher } from '../token-cipher';

export interface PostgresAccountRow {
  provider: string;
  account_id: string;
  label: string | null;
  is_default: boolean;
  status: AccountStatus;
  status_reason: string | null;
  tokens: Buffer;
  expires_at: number | null;
  claims: unknown;
  created_at: number;
  refreshed_at: number | null;
  updated_at: number;
  version: number;
}

/** The columns of PostgresAccountRow, for SELECT and RETURNING (the lease columns stay inside the store). */
export const ACCOUNT_COLUMNS =
  'provider, account_id, label, is_default, status, status_reason, tokens, expires_at, claims, ' +
  'created_at, refreshed_at, updated_at, version';

export function toAccount(row: PostgresAccountRow, cipher: TokenCipher): Account {
  const identity = { provider: row.provider, accountId: row.account_id };
  const account: Account = {
    provider: row.provider,
    accountId: row.account_id,
    isDefault: row.is_default,
    status: row.status,
    tokens: cipher.decryptTokens(identity, row.tokens),
    claims: claimsOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
  if (row.label !== null) account.label = row.label;
  if (row.status_reason !== null) account.statusReason = row.status_reason;
  if (row.expires_at !== null) account.expiresAt = row.expires_at;
  if (row.refreshed_at !== null) account.refreshedAt = row.refreshed_at;
  return account;
}

function claimsOf(row: PostgresAccountRow): Record<string, unknown> {
  // The column has CHECK (jsonb_typeof(claims) = 'object'); anything else is a hand edit.
  const value = row.claims;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreError(`The claims of account ${row.provider}/${row.account_id} are not a JSON object (corrupt).`);
  }
  return value as Record<string, unknown>;
}
