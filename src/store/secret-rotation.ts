// Moving every sealed value in the store to the current secret key (`byokey rekey`): account
// tokens, upstream keys added at runtime and the key check, all in one transaction. What the
// previous key sealed is re-sealed with the current key; what the current key already sealed is
// left as it is, so running it twice changes nothing the second time. Abstract class as the DI
// token; sqlite/ and postgres/ implement it on their own database.
import { runtimeKeyContext } from './provider-overrides-store';
import type { KeySources } from './secret-key';
import { StoreError } from './store-error';
import type { TokenCipher } from './token-cipher';

/** What a reseal did, by kind of value. */
export interface ResealCounts {
  /** Accounts whose tokens were re-sealed. */
  accounts: number;
  /** Upstream keys added at runtime that were re-sealed. */
  runtimeKeys: number;
  /** 1 when the key check was re-sealed, else 0. */
  keyCheck: number;
  /** Sealed values already sealed with the current key, left untouched. */
  unchanged: number;
}

export abstract class SecretRotation {
  /** Where the current key and the previous key (when configured) came from, for messages. */
  abstract readonly keySources: KeySources;

  /**
   * Re-seals with the current key every sealed value the previous key sealed, in one
   * transaction. Throws a StoreError, having changed nothing, when some value opens with neither
   * key (the error names every such value, never a secret), or when no previous key is configured.
   */
  abstract reseal(): Promise<ResealCounts>;
}

/** Every sealed value in a store, as read inside the reseal's transaction. */
export interface SealedValues {
  accounts: { provider: string; accountId: string; sealed: Buffer }[];
  runtimeKeys: { instance: string; label: string; sealed: Buffer }[];
  keyCheck?: Buffer;
}

/** What to write: the values of SealedValues that were re-sealed, with their new bytes. */
export interface ResealPlan {
  values: SealedValues;
  counts: ResealCounts;
}

/**
 * Re-seals in memory what the previous key sealed, for the backend to write. Throws, before
 * anything is written, when there is no previous key or some value opens with neither key.
 */
export function planReseal(cipher: TokenCipher, stored: SealedValues): ResealPlan {
  if (!cipher.hasPreviousKey) throw noPreviousKey();
  const failures: StoreError[] = [];
  let unchanged = 0;
  const attempt = (reseal: () => Buffer | undefined): Buffer | undefined => {
    try {
      const resealed = reseal();
      if (resealed === undefined) unchanged++;
      return resealed;
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      failures.push(error);
      return undefined;
    }
  };
  const values: SealedValues = { accounts: [], runtimeKeys: [] };
  for (const account of stored.accounts) {
    const sealed = attempt(() => cipher.resealTokens(account, account.sealed));
    if (sealed) values.accounts.push({ ...account, sealed });
  }
  for (const key of stored.runtimeKeys) {
    const sealed = attempt(() => cipher.resealSecret(runtimeKeyContext(key.instance, key.label), key.sealed));
    if (sealed) values.runtimeKeys.push({ ...key, sealed });
  }
  const keyCheck = stored.keyCheck;
  if (keyCheck) {
    const sealed = attempt(() => cipher.resealKeyCheck(keyCheck));
    if (sealed) values.keyCheck = sealed;
  }
  if (failures.length > 0) throw unopenable(failures);
  return {
    values,
    counts: {
      accounts: values.accounts.length,
      runtimeKeys: values.runtimeKeys.length,
      keyCheck: values.keyCheck ? 1 : 0,
      unchanged,
    },
  };
}

export function resealedTotal(counts: ResealCounts): number {
  return counts.accounts + counts.runtimeKeys + counts.keyCheck;
}

/** The refusal when some values open with neither key; `what` names each ("the tokens of account codex/work"). */
export function unopenable(failures: readonly StoreError[]): StoreError {
  const list = failures.map((error) => `  - ${error.message}`).join('\n');
  return new StoreError(
    `${failures.length} sealed value${failures.length === 1 ? '' : 's'} open${failures.length === 1 ? 's' : ''} with neither ` +
      `the secret key nor the previous key, so nothing was re-sealed and nothing was changed:\n${list}\n` +
      'Give the key those values were sealed with as the previous key, or remove them (`byokey logout`, or delete ' +
      'the runtime upstream key over the admin API), then run `byokey rekey` again.',
  );
}

/** The refusal when there is no previous key to rotate from. */
export function noPreviousKey(): StoreError {
  return new StoreError(
    'No previous key is configured (BYOKEY_SECRET_KEY_PREVIOUS, or secret.key.previous in BYOKEY_HOME): there is ' +
      'nothing to rotate from. Set it to the old key, with the new key as BYOKEY_SECRET_KEY, and run `byokey rekey` again.',
  );
}
