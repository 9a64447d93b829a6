// The device login (RFC 8628): asks for a device code, shows the user the verification URL and
// the code, and polls the token endpoint at the server's interval until the user approves,
// denies, or the code expires — with a countdown on the UI's progress line.
import type { LoginUi } from './login-ui';
import type { ObtainedTokens, OAuthDefinition, TokenResponse } from './oauth-definition';
import { resolveOAuthDeps, type OAuthDeps, type ResolvedOAuthDeps } from './oauth-deps';
import { loginCancelled, OAuthError, tokenEndpointError } from './oauth-error';
import { postOAuth } from './oauth-http';
import { createPkcePair } from './pkce';
import { completeTokens, joinScopes, toObtainedTokens } from './token-client';

export interface DeviceCodeFlowOptions {
  definition: OAuthDefinition;
  ui: LoginUi;
  /** Show the URL and code but do not open a browser. */
  noBrowser?: boolean;
  /** Cancels the login (Ctrl-C). */
  signal?: AbortSignal;
  deps?: OAuthDeps;
}

export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.2: poll every 5 s when the server does not say. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;
/** Used when neither the answer nor the definition says how long a code lives. */
export const DEFAULT_DEVICE_EXPIRES_IN_SECONDS = 900;
/** A 5xx or a network failure while polling is retried this many times in a row, then fails. */
const MAX_TRANSIENT_POLL_FAILURES = 3;
/** The countdown updates this often. */
const COUNTDOWN_STEP_MS = 1000;

/** What the device-code endpoint answered, normalized. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  /** The URL with the code in it (Qwen); opening it saves typing the code. */
  verificationUriComplete?: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

export async function runDeviceCodeFlow(options: DeviceCodeFlowOptions): Promise<ObtainedTokens> {
  const { definition, ui, signal } = options;
  const deps = resolveOAuthDeps(options.deps);
  if (definition.flow !== 'device-code' || !definition.deviceCodeUrl) {
    throw new OAuthError({
      provider: definition.provider,
      code: 'not_configured',
      message: `${definition.displayName}: the OAuth definition has no device-code URL (it is not a device login).`,
    });
  }
  if (signal?.aborted) throw loginCancelled(definition);

  const pkce = definition.devicePkce ? createPkcePair() : undefined;
  const authorization = await requestDeviceCode(definition, definition.deviceCodeUrl, pkce?.challenge, deps, signal);

  ui.showDeviceCode?.({
    userCode: authorization.userCode,
    verificationUri: authorization.verificationUri,
    verificationUriComplete: authorization.verificationUriComplete,
    expiresAt: deps.now() + authorization.expiresInSeconds * 1000,
  });
  ui.print(`To log in to ${definition.displayName}, open ${authorization.verificationUri} and enter the code: ${authorization.userCode}`);
  if (authorization.verificationUriComplete) {
    ui.print(`(or open ${authorization.verificationUriComplete}, which carries the code)`);
  }
  if (!options.noBrowser) {
    const opened = await ui.openBrowser(authorization.verificationUriComplete ?? authorization.verificationUri).catch(() => false);
    if (!opened) ui.print('Could not open a browser; open the URL above yourself.');
  }

  const deadline = deps.now() + authorization.expiresInSeconds * 1000;
  let intervalMs = authorization.intervalSeconds * 1000;
  let transientFailures = 0;
  const pollParams = {
    grant_type: DEVICE_GRANT_TYPE,
    client_id: definition.clientId,
    device_code: authorization.deviceCode,
    code_verifier: pkce?.verifier,
    client_secret: definition.basicAuth ? undefined : definition.clientSecret,
  };
  const secrets = [authorization.deviceCode, pkce?.verifier, definition.clientSecret];

  try {
    for (;;) {
      await waitWithCountdown(ui, deps, Math.min(intervalMs, deadline - deps.now()), deadline, definition, signal);
      if (deps.now() >= deadline) throw expired(definition);

      let answer;
      try {
        answer = await postOAuth(definition, { url: definition.tokenUrl, encoding: 'form', params: pollParams, signal }, deps);
      } catch (error) {
        if (error instanceof OAuthError && error.code === 'network_error' && ++transientFailures < MAX_TRANSIENT_POLL_FAILURES) continue;
        throw error;
      }

      // Pending states come as HTTP 200 (GitHub) or 400 (Qwen); the `error` field decides.
      const code = typeof answer.body?.error === 'string' ? answer.body.error : undefined;
      if (code === 'authorization_pending') {
        transientFailures = 0;
        continue;
      }
      if (code === 'slow_down') {
        transientFailures = 0;
        intervalMs = slowedDown(definition, intervalMs, answer.body?.interval);
        continue;
      }
      if (code === 'expired_token') throw expired(definition);
      if (code === 'access_denied') {
        throw new OAuthError({
          provider: definition.provider,
          code,
          status: answer.status,
          message: `${definition.displayName}: the login was denied in the browser. Run \`byokey login ${definition.provider}\` to try again.`,
        });
      }
      const ok = answer.status >= 200 && answer.status < 300 && code === undefined;
      if (!ok && code === undefined && answer.status >= 500 && ++transientFailures < MAX_TRANSIENT_POLL_FAILURES) continue;
      if (!ok) throw tokenEndpointError(definition, 'device-poll', answer.status, answer.body, secrets);
      if (!answer.body) throw invalidAnswer(definition, 'token endpoint');
      return await completeTokens(definition, toObtainedTokens(definition, answer.body as TokenResponse, deps.now()), deps, signal);
    }
  } finally {
    ui.clearProgress?.();
  }
}

async function requestDeviceCode(
  definition: OAuthDefinition,
  url: string,
  codeChallenge: string | undefined,
  deps: ResolvedOAuthDeps,
  signal: AbortSignal | undefined,
): Promise<DeviceAuthorization> {
  const params = {
    client_id: definition.clientId,
    scope: definition.scopes.length > 0 ? joinScopes(definition) : undefined,
    code_challenge: codeChallenge,
    code_challenge_method: codeChallenge ? 'S256' : undefined,
  };
  const answer = await postOAuth(definition, { url, encoding: 'form', params, signal }, deps);
  const body = answer.body;
  if (answer.status < 200 || answer.status >= 300 || body?.error !== undefined) {
    throw tokenEndpointError(definition, 'device-code', answer.status, body, []);
  }
  const deviceCode = stringField(body, 'device_code');
  const userCode = stringField(body, 'user_code');
  // Google spells it verification_url.
  const verificationUri =
    stringField(body, 'verification_uri') ?? stringField(body, 'verification_url') ?? definition.verificationUri;
  if (!deviceCode || !userCode || !verificationUri) throw invalidAnswer(definition, 'device-code endpoint');
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: stringField(body, 'verification_uri_complete'),
    expiresInSeconds:
      positiveNumber(body?.expires_in) ?? definition.deviceExpiresIn ?? DEFAULT_DEVICE_EXPIRES_IN_SECONDS,
    intervalSeconds: positiveNumber(body?.interval) ?? DEFAULT_POLL_INTERVAL_SECONDS,
  };
}

/**
 * The next poll interval after `slow_down`: the interval the answer names when it is longer
 * (GitHub sends it), else the definition's rule — +5 s (RFC 8628 §3.5) or Qwen's ×1.5 capped.
 * Never shorter than before.
 */
export function slowedDown(definition: OAuthDefinition, currentMs: number, answerInterval: unknown): number {
  const named = positiveNumber(answerInterval);
  if (named !== undefined && named * 1000 > currentMs) return named * 1000;
  const rule = definition.slowDown ?? { add: 5 };
  if ('add' in rule) return currentMs + rule.add * 1000;
  return Math.max(currentMs, Math.min(currentMs * rule.multiply, rule.maxSeconds * 1000));
}

/** Sleeps `ms` in one-second steps, showing the time left before the code expires. */
async function waitWithCountdown(
  ui: LoginUi,
  deps: ResolvedOAuthDeps,
  ms: number,
  deadline: number,
  definition: OAuthDefinition,
  signal: AbortSignal | undefined,
): Promise<void> {
  // Counted down by the steps taken, not the clock, so a clock that stands still cannot loop.
  let remaining = Math.max(0, ms);
  while (remaining > 0) {
    ui.progress?.(`Waiting for you to approve in the browser… ${formatTimeLeft(deadline - deps.now())} left`);
    const step = Math.min(COUNTDOWN_STEP_MS, remaining);
    try {
      await deps.sleep(step, signal);
    } catch (error) {
      if (signal?.aborted) throw loginCancelled(definition);
      throw error;
    }
    remaining -= step;
  }
}

/** `m:ss`, never negative. */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function expired(definition: OAuthDefinition): OAuthError {
  return new OAuthError({
    provider: definition.provider,
    code: 'expired_token',
    message: `${definition.displayName}: the device code expired before the login was approved. Run \`byokey login ${definition.provider}\` again.`,
  });
}


function invalidAnswer(definition: OAuthDefinition, endpoint: string): OAuthError {
  return new OAuthError({
    provider: definition.provider,
    code: 'invalid_response',
    message: `${definition.displayName}: the ${endpoint} gave an answer without the fields a device login needs. Check the \`oauth\` URLs of this provider in providers.yaml.`,
  });
}

function stringField(body: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = body?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Accepts numbers and numeric strings (form-encoded answers carry strings). */
function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined;
}
