// A client key as the stores keep it: who may call the public routes, which models, and within
// which limits. The secret itself is never stored — only its SHA-256 (client-key-secret.ts) and
// a short prefix for people to recognise it by.

export type BudgetPeriod = 'day' | 'month';

export interface TokenBudget {
  /** Input + output tokens allowed per period. */
  tokens: number;
  /** Calendar period (UTC) the budget renews on. */
  per: BudgetPeriod;
}

/** What a key may do; unset limits do not apply. */
export interface ClientKeyLimits {
  /** Model-name globs (common/model-glob.ts); empty: every model. */
  models: string[];
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  budget?: TokenBudget;
  /** ms since epoch; the key stops working then. */
  expiresAt?: number;
}

export interface ClientKey extends ClientKeyLimits {
  id: string;
  /** Unique among keys that are not revoked. */
  name: string;
  /** The secret's first characters (`bk-AbC123`), for display: not enough to guess the rest. */
  prefix: string;
  /** SHA-256 of the secret, hex. Never shown to anyone. */
  secretHash: string;
  createdAt: number;
  revokedAt?: number;
  /** Updated lazily in batches, so it may lag by a few seconds. */
  lastUsedAt?: number;
}

export interface NewClientKey extends Partial<ClientKeyLimits> {
  name: string;
  prefix: string;
  secretHash: string;
}

/** `undefined` keeps a field, `null` clears a limit. */
export interface ClientKeyChanges {
  models?: string[];
  rpm?: number | null;
  tpm?: number | null;
  concurrency?: number | null;
  budget?: TokenBudget | null;
  expiresAt?: number | null;
}
