// Logins run over the admin API, for servers without a terminal: each starts the same flow as
// `byokey login` (device code, or browser PKCE with the redirected URL pasted back) with an
// HttpLoginUi, and is kept here under a random id while it runs, so its status can be polled and
// a PKCE login completed. Pending logins are bounded (MAX_PENDING) and end on their own (device
// codes expire, a browser login waits LOGIN_TIMEOUT_MS at most); finished ones are remembered
// for RETAIN_MS so a poll sees the outcome, then forgotten. In memory: a login belongs to the
// gateway process that runs its flow.
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import { runAuthorizationCodeFlow } from '../../auth/authorization-code-flow';
import { runDeviceCodeFlow } from '../../auth/device-code-flow';
import { OAUTH_DEFINITIONS, type OAuthDefinitions } from '../../auth/oauth-definitions.token';
import { OAuthError } from '../../auth/oauth-error';
import { resolveOAuthDefinition } from '../../auth/resolve-oauth-definition';
import { GatewayError } from '../../common/gateway-error';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { RequestRouter } from '../../routing/request-router.service';
import type { Account } from '../../store/account';
import { AccountStore } from '../../store/account-store';
import { ChangeNotices } from '../../store/shared/change-notices';
import { HttpLoginUi, type LoginPrompt } from './http-login-ui';

/** Logins waiting for a person at once; more is a script gone wrong, or an attack. */
export const MAX_PENDING_LOGINS = 8;
/** How long a browser (PKCE) login waits for the pasted redirect. */
export const LOGIN_TIMEOUT_MS = 10 * 60_000;
/** How long a finished login's outcome stays available to a poll. */
export const RETAIN_MS = 15 * 60_000;
/** How long POST …/complete waits for the code exchange before answering "still pending". */
const COMPLETE_WAIT_MS = 60_000;

export type LoginStatus = 'pending' | 'done' | 'failed';

export interface HttpLogin {
  id: string;
  provider: string;
  accountId: string;
  flow: 'device-code' | 'authorization-code';
  status: LoginStatus;
  startedAt: number;
  /** When a pending login gives up (the device code's expiry, or the paste-back timeout). */
  expiresAt: number;
  prompt: LoginPrompt;
  account?: Account;
  error?: { code: string; message: string };
  finishedAt?: number;
}

interface Running {
  login: HttpLogin;
  ui: HttpLoginUi;
  abort: AbortController;
  outcome: Promise<void>;
}

@Injectable()
export class HttpLogins implements OnApplicationShutdown {
  private readonly logger = new Logger('AdminLogins');
  private readonly logins = new Map<string, Running>();

  constructor(
    @Inject(OAUTH_DEFINITIONS) private readonly definitions: OAuthDefinitions,
    private readonly registry: PluginRegistry,
    private readonly store: AccountStore,
    private readonly router: RequestRouter,
    private readonly credentials: AccountCredentials,
    private readonly notices: ChangeNotices,
  ) {}

  /** Providers with a login. */
  providers(): string[] {
    return Object.keys(this.definitions);
  }

  /**
   * Starts a login and answers once the user has something to do (a code to enter, or a URL to
   * open); a failure before that (the provider's endpoint refused, the callback port is taken)
   * is thrown as a GatewayError and leaves nothing behind.
   */
  async start(provider: string, accountId: string | undefined): Promise<HttpLogin> {
    this.sweep();
    const definition = resolveOAuthDefinition(provider, this.definitions, this.registry.config);
    if (!definition) {
      throw new GatewayError(404, `byokey cannot log in to "${provider}" (providers with a login: ${this.providers().join(', ')}).`, {
        type: 'not_found_error',
        code: 'unknown_provider',
      });
    }
    const pending = [...this.logins.values()].filter((r) => r.login.status === 'pending').length;
    if (pending >= MAX_PENDING_LOGINS) {
      throw new GatewayError(
        429,
        `${pending} logins are already waiting for someone to finish them; complete one, or wait for them to expire (device codes when the provider says, browser logins after ${LOGIN_TIMEOUT_MS / 60_000} minutes).`,
        { type: 'rate_limit_error', code: 'too_many_pending_logins', headers: { 'retry-after': '60' } },
      );
    }
    const account = accountId ?? (await this.store.getDefault(provider))?.accountId ?? 'default';
    const ui = new HttpLoginUi();
    const abort = new AbortController();
    const options = { definition, ui, noBrowser: true, signal: abort.signal };
    const flow =
      definition.flow === 'device-code'
        ? runDeviceCodeFlow(options)
        : runAuthorizationCodeFlow({ ...options, timeoutMs: LOGIN_TIMEOUT_MS });

    let prompt: LoginPrompt;
    try {
      prompt = await Promise.race([ui.prompted, flow.then(() => ui.prompted)]);
    } catch (error) {
      abort.abort();
      if (!(error instanceof OAuthError)) this.logger.error({ err: error }, `a ${provider} login could not start`);
      throw startFailure(provider, error);
    }
    const now = Date.now();
    const login: HttpLogin = {
      id: `login_${randomBytes(16).toString('base64url')}`,
      provider,
      accountId: account,
      flow: definition.flow,
      status: 'pending',
      startedAt: now,
      expiresAt: prompt.kind === 'device' ? prompt.expiresAt : now + LOGIN_TIMEOUT_MS,
      prompt,
    };
    const outcome = flow.then(
      async (obtained) => {
        login.account = await this.store.save({
          provider,
          accountId: account,
          label: obtained.label,
          tokens: obtained.tokens,
          expiresAt: obtained.expiresAt,
          claims: obtained.claims,
        });
        // The next request uses the new login, not a copy of the accounts read before it — here
        // and on the other gateway instances.
        this.router.accountsChanged();
        this.credentials.accountsChanged();
        await this.notices.publish('accounts', `logged in ${provider}/${account}`);
        this.finish(login, 'done');
        this.logger.log(`logged in to ${definition.displayName}: account ${provider}/${account} (admin API)`);
      },
      (error: unknown) => {
        login.error = error instanceof OAuthError ? { code: error.code, message: error.message } : { code: 'login_failed', message: 'The login failed unexpectedly; the gateway log has details.' };
        if (!(error instanceof OAuthError)) this.logger.error({ err: error }, `login ${login.id} failed unexpectedly`);
        this.finish(login, 'failed');
      },
    );
    this.logins.set(login.id, { login, ui, abort, outcome });
    return login;
  }

  get(id: string): HttpLogin {
    this.sweep();
    return this.running(id).login;
  }

  /**
   * Completes a browser login with the address the browser was sent back to (or the code the
   * provider's page showed). Answers when the code is exchanged and the account stored, or with
   * the reason it failed.
   */
  async complete(id: string, pasted: string, isUsable: (text: string) => boolean): Promise<HttpLogin> {
    const running = this.running(id);
    const { login } = running;
    if (login.flow !== 'authorization-code') {
      throw new GatewayError(409, 'This is a device-code login: there is nothing to paste. Enter the code at the verification URL, then poll the login.', {
        type: 'invalid_request_error',
        code: 'not_a_browser_login',
      });
    }
    if (login.status !== 'pending') {
      throw new GatewayError(409, `This login has already ${login.status === 'done' ? 'succeeded' : 'failed'}; start a new one to log in again.`, {
        type: 'invalid_request_error',
        code: 'login_finished',
      });
    }
    if (!isUsable(pasted)) {
      throw new GatewayError(
        400,
        "redirect_url is not a redirect URL or a code. Send the full address from the browser's address bar after logging in (it starts with the redirect_uri), or the code the provider's page shows.",
        { type: 'invalid_request_error', code: 'invalid_redirect_url', param: 'redirect_url' },
      );
    }
    running.ui.paste(pasted);
    await Promise.race([running.outcome, new Promise((resolve) => setTimeout(resolve, COMPLETE_WAIT_MS).unref())]);
    // Read again: the exchange above may have finished the login.
    if (statusOf(login) === 'failed') {
      throw new GatewayError(400, login.error?.message ?? 'The login failed.', { type: 'invalid_request_error', code: login.error?.code ?? 'login_failed' });
    }
    return login;
  }

  onApplicationShutdown(): void {
    // Stops device polling and closes loopback callback servers.
    for (const running of this.logins.values()) running.abort.abort();
  }

  private running(id: string): Running {
    const running = this.logins.get(id);
    if (!running) {
      throw new GatewayError(404, `No login ${id} (finished logins are forgotten after ${RETAIN_MS / 60_000} minutes; pending ones live on the gateway that started them).`, {
        type: 'not_found_error',
        code: 'login_not_found',
      });
    }
    return running;
  }

  private finish(login: HttpLogin, status: 'done' | 'failed'): void {
    login.status = status;
    login.finishedAt = Date.now();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, running] of this.logins) {
      if (running.login.finishedAt !== undefined && now - running.login.finishedAt > RETAIN_MS) this.logins.delete(id);
    }
  }
}

function statusOf(login: HttpLogin): LoginStatus {
  return login.status;
}

function startFailure(provider: string, error: unknown): GatewayError {
  if (error instanceof OAuthError) {
    if (error.code === 'callback_port_in_use') return new GatewayError(409, error.message, { type: 'invalid_request_error', code: error.code });
    if (error.code === 'not_configured') return new GatewayError(400, error.message, { type: 'invalid_request_error', code: error.code });
    return new GatewayError(502, `The ${provider} login could not start: ${error.message}`, { type: 'server_error', code: error.code });
  }
  return new GatewayError(500, `The ${provider} login could not start because of an unexpected error; the gateway log has details.`, {
    type: 'server_error',
    code: 'internal_error',
    cause: error,
  });
}
