// The browser login (authorization code + PKCE, RFC 6749 §4.1 / RFC 7636): builds the authorize
// URL, opens it, and takes the code from whichever comes first — the browser's redirect to the
// loopback callback server, or a line the user pastes (the redirect URL, `code#state`, or a
// query string) when the browser runs elsewhere — then checks `state` and exchanges the code.
// While it waits, the UI's progress line counts down to the timeout. An answer carrying another
// login's `state` (an old tab, a forged redirect) is refused and the wait goes on.
import { formatTimeLeft } from './device-code-flow';
import type { LoginUi } from './login-ui';
import { callbackParamsFromQuery, startLoopbackCallbackServer, type CallbackParams } from './loopback-callback-server';
import { redirectUri, type ObtainedTokens, type OAuthDefinition } from './oauth-definition';
import { resolveOAuthDeps, type OAuthDeps, type ResolvedOAuthDeps } from './oauth-deps';
import { loginCancelled, OAuthError } from './oauth-error';
import { createPkcePair, createState } from './pkce';
import { exchangeCode, joinScopes } from './token-client';

export interface AuthorizationCodeFlowOptions {
  definition: OAuthDefinition;
  ui: LoginUi;
  /** Print the URL but do not open a browser (`byokey login --no-browser`). */
  noBrowser?: boolean;
  /** How long to wait for the browser or a paste (default 5 minutes). */
  timeoutMs?: number;
  /** Cancels the login (Ctrl-C). */
  signal?: AbortSignal;
  /** The command that repeats this login, flags included, for the messages that say to retry (default `byokey login <provider>`). */
  retryCommand?: string;
  deps?: OAuthDeps;
}

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;
/** The countdown updates this often. */
const COUNTDOWN_STEP_MS = 1000;

export interface AuthorizeUrlInput {
  redirectUri: string;
  state: string;
  /** S256 challenge; omitted for definitions without PKCE. */
  codeChallenge?: string;
}

type Answer = { via: 'browser' | 'paste'; params: CallbackParams };

export async function runAuthorizationCodeFlow(options: AuthorizationCodeFlowOptions): Promise<ObtainedTokens> {
  const { definition, ui } = options;
  const deps = resolveOAuthDeps(options.deps);
  if (definition.flow !== 'authorization-code' || !definition.authorizeUrl) {
    throw notConfigured(definition, 'has no authorize URL (it is not a browser login)');
  }
  if (options.signal?.aborted) throw loginCancelled(definition);

  const retry = options.retryCommand ?? `byokey login ${definition.provider}`;
  const pkce = definition.pkce ? createPkcePair() : undefined;
  const state = createState();
  const server = await startLoopbackCallbackServer({
    provider: definition.provider,
    displayName: definition.displayName,
    port: definition.callbackPort ?? 0,
    path: definition.callbackPath ?? '/callback',
    // A provider's refusal may come without the state; anything else must carry ours.
    check: (params) =>
      params.state === state || (params.error !== undefined && params.state === undefined) ? undefined : FOREIGN_ANSWER,
    onIgnored: () => {
      ui.clearProgress?.();
      ui.print(`Ignored an answer from the browser that belongs to another login (state mismatch: an old tab?). Still waiting for this one.`);
    },
  });
  const redirect = redirectUri(definition, server.port);

  // Aborted when the wait is over, whatever ended it: stops the paste reader and the timer.
  const stop = new AbortController();
  const onCancel = (): void => stop.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  let answer: Answer;
  try {
    const url = buildAuthorizeUrl(definition, { redirectUri: redirect, state, codeChallenge: pkce?.challenge });
    ui.showAuthorizeUrl?.({ authorizeUrl: url, redirectUri: redirect });
    ui.print(`To log in to ${definition.displayName}, open this URL in a browser:`);
    ui.print(url);
    if (!options.noBrowser && !(await openBrowser(ui, url))) {
      ui.print('Could not open a browser; open the URL above yourself.');
    }
    ui.print(
      ui.readLine
        ? `Waiting for the browser to return to ${redirect}. If the browser is on another machine, paste the address it ends up on (or the code it shows) here:`
        : `Waiting for the browser to return to ${redirect} …`,
    );

    const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
    answer = await Promise.race<Answer>([
      server.callback.then((params) => ({ via: 'browser', params })),
      readPastedAnswer(ui, state, stop.signal).then((params) => ({ via: 'paste', params })),
      countDown(ui, deps, timeoutMs, stop.signal).then(() => {
        throw timedOut(definition, timeoutMs, retry);
      }),
      new Promise<never>((_, reject) => {
        stop.signal.addEventListener('abort', () => reject(loginCancelled(definition)), { once: true });
      }),
    ]);
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    stop.abort();
    ui.clearProgress?.();
    await server.close();
  }

  const code = checkAnswer(definition, answer, state, retry);
  return exchangeCode(
    definition,
    { code, codeVerifier: pkce?.verifier, state, redirectUri: redirect },
    { ...options.deps, signal: options.signal },
  );
}

/** The authorize URL: the definition's URL (its own query kept) plus the OAuth parameters. */
export function buildAuthorizeUrl(definition: OAuthDefinition, input: AuthorizeUrlInput): string {
  if (!definition.authorizeUrl) throw notConfigured(definition, 'has no authorize URL');
  const url = new URL(definition.authorizeUrl);
  const query = url.searchParams;
  query.set('response_type', 'code');
  query.set('client_id', definition.clientId);
  query.set(definition.redirectParam ?? 'redirect_uri', input.redirectUri);
  if (definition.scopes.length > 0) query.set('scope', joinScopes(definition));
  query.set('state', input.state);
  if (input.codeChallenge) {
    query.set('code_challenge', input.codeChallenge);
    query.set('code_challenge_method', 'S256');
  }
  for (const [name, value] of Object.entries(definition.authorizeParams ?? {})) query.set(name, value);
  return url.toString();
}

/**
 * Reads what a user pasted: the full redirect URL, a query string (`code=…&state=…`), Claude's
 * `code#state`, or a bare code. Undefined when it is none of these.
 */
export function parsePastedAnswer(input: string): CallbackParams | undefined {
  const text = input.trim();
  if (!text || /\s/.test(text)) return undefined;
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    const fragment = url.hash.slice(1);
    const fromQuery = callbackParamsFromQuery(url.searchParams);
    if (hasAnswer(fromQuery)) {
      // Claude's `code#state` can end up in a URL as `?code=abc#state`.
      if (fromQuery.state === undefined && fragment && !fragment.includes('=')) fromQuery.state = fragment;
      return fromQuery;
    }
    const fromFragment = callbackParamsFromQuery(new URLSearchParams(fragment));
    return hasAnswer(fromFragment) ? fromFragment : undefined;
  }
  const query = new URLSearchParams(text.replace(/^[?#]/, ''));
  if (query.has('code') || query.has('error')) return callbackParamsFromQuery(query);
  const hash = text.indexOf('#');
  if (hash >= 0) {
    const code = text.slice(0, hash);
    const state = text.slice(hash + 1);
    return code ? { code, state: state || undefined } : undefined;
  }
  return { code: text };
}

/**
 * A browser callback must carry our state. A pasted answer may lack it (a bare code, as Google
 * shows): the person pasting it is the one logging in, so there is no forged redirect to stop;
 * a pasted state that differs still fails.
 */
function checkAnswer(definition: OAuthDefinition, answer: Answer, state: string, retry: string): string {
  const { params } = answer;
  if (params.error !== undefined) {
    const detail = params.errorDescription ? ` (${params.errorDescription.slice(0, 300)})` : '';
    throw new OAuthError({
      provider: definition.provider,
      code: params.error,
      message: `${definition.displayName}: the login was refused: ${params.error}${detail}. Run \`${retry}\` to try again.`,
    });
  }
  const stateRequired = answer.via === 'browser';
  if ((stateRequired || params.state !== undefined) && params.state !== state) {
    throw new OAuthError({
      provider: definition.provider,
      code: 'state_mismatch',
      message: `${definition.displayName}: the login answer does not belong to this login (state mismatch) — an old browser tab, or a forged redirect. Run \`${retry}\` again.`,
    });
  }
  if (!params.code) {
    throw new OAuthError({
      provider: definition.provider,
      code: 'missing_code',
      message: `${definition.displayName}: the login answer carried no authorization code. Run \`${retry}\` again.`,
    });
  }
  return params.code;
}

/**
 * Reads pasted lines until one is usable; never settles when there is no input to read. A pasted
 * answer that carries another login's state is refused with a hint, and reading goes on.
 */
async function readPastedAnswer(ui: LoginUi, state: string, signal: AbortSignal): Promise<CallbackParams> {
  if (!ui.readLine) return never();
  for (;;) {
    let line: string | undefined;
    try {
      line = await ui.readLine(signal);
    } catch {
      return never(); // input broke or was stopped: the browser can still answer
    }
    if (signal.aborted) return never();
    if (line === undefined) return never(); // end of input: only the browser can answer now
    if (!line.trim()) continue;
    const params = parsePastedAnswer(line);
    if (params && params.state !== undefined && params.state !== state) {
      ui.print(`${FOREIGN_ANSWER} Paste the address from the tab this login opened (or its code).`);
      continue;
    }
    if (params) return params;
    ui.print("That is not a redirect URL or a code. Paste the full address from the browser's address bar, or the code the page shows.");
  }
}

async function openBrowser(ui: LoginUi, url: string): Promise<boolean> {
  try {
    return await ui.openBrowser(url);
  } catch {
    return false;
  }
}

function hasAnswer(params: CallbackParams): boolean {
  return params.code !== undefined || params.error !== undefined;
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}


const FOREIGN_ANSWER = 'That answer belongs to another login (state mismatch): an old browser tab, or a forged redirect.';

/**
 * Waits `timeoutMs` with a countdown on the progress line; never settles once `signal` aborts. Counted
 * down by the steps taken, not the clock, so a clock that stands still cannot loop.
 */
async function countDown(ui: LoginUi, deps: ResolvedOAuthDeps, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = deps.now() + timeoutMs;
  let remaining = Math.max(0, timeoutMs);
  while (remaining > 0) {
    ui.progress?.(`Waiting for the browser… ${formatTimeLeft(deadline - deps.now())} left`);
    const step = Math.min(COUNTDOWN_STEP_MS, remaining);
    try {
      await deps.sleep(step, signal);
    } catch (error) {
      if (signal.aborted) return never(); // the wait is over; whatever ended it settles the login
      throw error;
    }
    remaining -= step;
  }
}

function timedOut(definition: OAuthDefinition, timeoutMs: number, retry: string): OAuthError {
  return new OAuthError({
    provider: definition.provider,
    code: 'timeout',
    message:
      `${definition.displayName}: no answer from the browser within ${formatDuration(timeoutMs)}. ` +
      `Run \`${retry}\` again (with --no-browser you can paste the redirect URL instead).`,
  });
}

function notConfigured(definition: OAuthDefinition, what: string): OAuthError {
  return new OAuthError({
    provider: definition.provider,
    code: 'not_configured',
    message: `${definition.displayName}: the OAuth definition ${what}.`,
  });
}

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} seconds`;
}
