// Loading a page's data from the admin API: the data, the error in the API's words, a reload,
// and a refused admin key handed up (the shell signs out).
import { ApiError } from '../api.js';
import { useCallback, useEffect, useState } from '../html.js';

/**
 * @template T
 * @param {() => Promise<T>} load
 * @param {() => void} onUnauthorized
 * @param {unknown[]} [deps]
 * @returns {{data: T | undefined, error: unknown, reload: () => Promise<void>}}
 */
export function useLoad(load, onUnauthorized, deps = []) {
  const [data, setData] = useState(/** @type {T | undefined} */ (undefined));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const reload = useCallback(async () => {
    try {
      setData(await load());
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onUnauthorized();
      else setError(e);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/**
 * Runs an action (a button's), reporting what it did or why it failed.
 * @param {() => void} onUnauthorized
 */
export function useAction(onUnauthorized) {
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [done, setDone] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);
  /** @param {() => Promise<string | null | void>} action */
  const run = async (action) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone((await action()) || null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onUnauthorized();
      else setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { error, done, busy, run };
}
