// What a store does, while listing many rows, with one whose secret it cannot open: leaves that
// row out and reports it, instead of failing the whole list. During a key rotation an instance
// that does not have the new key yet cannot open what an instance that has it wrote (a refresh, a
// login); that must cost it that one credential, not every account of the routing pools, the
// refresh loop or the registry. Reading that row on its own (get, getDefault, updateTokens) still
// throws the StoreError, which names it.
import { StoreError } from './store-error';

/** Told about each row left out of a list, with the StoreError that says why. */
export type UnreadableReporter = (error: StoreError) => void;

/** When nobody else listens: a process warning (on stderr), never silence. */
export const warnUnreadable: UnreadableReporter = (error) => {
  process.emitWarning(`${error.message} It is left out.`, { code: 'BYOKEY_UNREADABLE_SECRET' });
};

/** `open` applied to each row; a row it refuses with a StoreError is reported and left out. */
export function openEach<R, T>(rows: readonly R[], open: (row: R) => T, report: UnreadableReporter): T[] {
  const opened: T[] = [];
  for (const row of rows) {
    try {
      opened.push(open(row));
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      report(error);
    }
  }
  return opened;
}
