// An accounts row as SQLite returns it, and its conversion to the Account the rest of byokey
// sees: NULL becomes an absent field, 0/1 a boolean, JSON text an object, the sealed tokens
// their plaintext.
import type { Account, AccountStatus } from '../account';
import { StoreError } from '../store-error';
import type { TokenCipher } from '../token-cipher';

export interface AccountRow {
  provider: string;
  account_id: string;
  label: string | null;
  is_default: number;
  status: AccountStatus;
  status_reason: string | null;
  tokens: Buffer;
  expires_at: number | null;
  claims: string;
  created_at: number;
  refreshed_at: number | null;
  updated_at: number;
  version: number;
}

/** The columns of AccountRow, for SELECTs (the lease columns stay inside the store). */
export const ACCOUNT_COLUMNS =
  'provider, account_id, label, is_default, status, status_reason, tokens, expires_at, claims, ' +
  'created_at, refreshed_at, updated_at, version';

export function toAccount(row: AccountRow, cipher: TokenCipher): Account {
  const identity = { provider: row.provider, accountId: row.account_id };
  const account: Account = {
    provider: row.provider,
    accountId: row.account_id,
    isDefault: row.is_default === 1,
    status: row.status,
    tokens: cipher.decryptTokens(identity, row.tokens),
    claims: parseClaims(row),
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

function parseClaims(row: AccountRow): Record<string, unknown> {
  // The column has CHECK (json_valid(claims)); an array or scalar would only come from a hand edit.
  const value: unknown = JSON.parse(row.claims);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreError(`The claims of account ${row.provider}/${row.account_id} are not a JSON object (corrupt).`);
  }
  return value as Record<string, unknown>;
}
