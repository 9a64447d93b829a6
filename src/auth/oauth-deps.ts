// The outside world of the OAuth flows (HTTP, the clock, waiting), passed in so tests run them
// against a fake server on 127.0.0.1 with fake time. Every field is optional; the defaults are
// the real ones.
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';

export interface OAuthDeps {
  /** undici dispatcher for every OAuth request (default: undici's global one). */
  dispatcher?: Dispatcher;
  /** Current time in ms since epoch. */
  now?: () => number;
  /** Waits `ms`; rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Bound on each OAuth HTTP call: headers, then each silence in the body (default 30 s). */
  requestTimeoutMs?: number;
}

export type ResolvedOAuthDeps = Required<Omit<OAuthDeps, 'dispatcher'>> & Pick<OAuthDeps, 'dispatcher'>;

export const DEFAULT_OAUTH_REQUEST_TIMEOUT_MS = 30_000;

export function resolveOAuthDeps(deps: OAuthDeps | undefined): ResolvedOAuthDeps {
  return {
    dispatcher: deps?.dispatcher,
    now: deps?.now ?? Date.now,
    sleep: deps?.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
    requestTimeoutMs: deps?.requestTimeoutMs ?? DEFAULT_OAUTH_REQUEST_TIMEOUT_MS,
  };
}
