// What the CLI and the admin API share about client keys: the rules for names and limits, the
// `--expires 30d` durations, creating a key with a fresh secret, and the view of a key shown to
// people (never its secret or hash).
import type { BudgetPeriod, ClientKey } from '../store/client-key';
import { mintSecret } from '../store/client-key-secret';
import type { ClientKeyStore } from '../store/client-key-store';

/** Letters, digits, `.`, `_`, `-`; not `key_…`, which is how ids look. */
export const KEY_NAME = /^(?!key_)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const KEY_NAME_RULE = 'a name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (and not "key_")';

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'month'];

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `90s`, `15m`, `12h`, `30d`, `2w` in ms; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** `gpt-5*,claude-*` → globs; empty, `*` or `all` → every model. */
export function parseModels(text: string): string[] {
  const models = text.split(',').map((m) => m.trim()).filter((m) => m !== '');
  return models.length === 0 || models.includes('*') || (models.length === 1 && models[0] === 'all') ? [] : models;
}

export interface KeySpec {
  name: string;
  models?: string[];
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  budget?: { tokens: number; per: BudgetPeriod };
  expiresAt?: number;
}

/** Creates the key; the secret is in the result and nowhere else, ever. */
export async function createClientKey(store: ClientKeyStore, spec: KeySpec): Promise<{ key: ClientKey; secret: string }> {
  const minted = mintSecret();
  const key = await store.create({ ...spec, prefix: minted.prefix, secretHash: minted.secretHash });
  return { key, secret: minted.secret };
}

export type KeyStatus = 'active' | 'revoked' | 'expired';

export function keyStatus(key: ClientKey, now: number): KeyStatus {
  if (key.revokedAt !== undefined) return 'revoked';
  return key.expiresAt !== undefined && key.expiresAt <= now ? 'expired' : 'active';
}

/** A key as the admin API shows it: limits and dates, the prefix — never the secret or its hash. */
export interface ClientKeyView {
  id: string;
  name: string;
  prefix: string;
  status: KeyStatus;
  models: string[];
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  budget: { tokens: number; per: BudgetPeriod } | null;
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export function keyView(key: ClientKey, now: number): ClientKeyView {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    id: key.id,
    name: key.name,
    prefix: `${key.prefix}…`,
    status: keyStatus(key, now),
    models: key.models,
    rpm: key.rpm ?? null,
    tpm: key.tpm ?? null,
    concurrency: key.concurrency ?? null,
    budget: key.budget ?? null,
    expires_at: iso(key.expiresAt),
    created_at: iso(key.createdAt)!,
    revoked_at: iso(key.revokedAt),
    last_used_at: iso(key.lastUsedAt),
  };
}

