// Logins run over the admin API, for servers without a terminal: each starts the same flow as
// `byokey login` (device code, or browser PKCE with the redirected URL pasted back) with an
// HttpLoginUi, and is kept here under a random id while it runs, so its status can be polled and
// a PKCE login completed. Pending logins are bounded (MAX_PENDING) and end on their own (device
// codes expire, a browser login waits LOGIN_TIMEOUT_MS at most); finished ones are remembered
// for RETAIN_MS so a poll sees the outcome, then forgotten. A login's flow runs in the memory of
// the gateway process that started it (its owner); with `redis:` the owner shares the login's
// public view through the LoginRelay on every change, so any instance behind the load balancer
// answers a poll, and a redirect address posted to another instance is handed to the owner to
// exchange. Without Redis (or while it is down) a login is known only to its owner.
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
import { LoginRelay } from '../../store/shared/login-relay';
import type { HttpLogin } from './http-login';
import { HttpLoginUi, type LoginPrompt } from './http-login-ui';
import { failedLoginView, isLoginView, loginView, type LoginView } from './login-views';
import { SilentOwners } from './silent-owners';

/**
 * Logins waiting for a person at once; more is a script gone wrong, or an attack. Counted per
 * instance (each bounds the flows it runs itself).
 */
export const MAX_PENDING_LOGINS = 8;
/** How long a browser (PKCE) login waits for the pasted redirect. */
export const LOGIN_TIMEOUT_MS = 10 * 60_000;
/** How long a finished login's outcome stays available to a poll. */
export const RETAIN_MS = 15 * 60_000;
/** How long POST …/complete waits for the code exchange before answering "still pending". */
const COMPLETE_WAIT_MS = 60_000;
/** How often the owner shares its logins again: they outlast a Redis outage, and show it is alive. */
const SHARE_EVERY_MS = 10_000;
/** A pending login its owner has not shared again for this long has lost the instance running it. */
const ALIVE_MS = 3 * SHARE_EVERY_MS;
/** A pending login stays shared this long past its expiry, so the owner's final word replaces it without a gap. */
const EXPIRY_GRACE_MS = 60_000;
/** How often POST …/complete on another instance reads the login back while its owner exchanges the code. */
const COMPLETE_POLL_MS = 200;

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
  private readonly silentOwners = new SilentOwners();
  private readonly stopHandOver: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(
    @Inject(OAUTH_DEFINITIONS) private readonly definitions: OAuthDefinitions,
    private readonly registry: PluginRegistry,
    private readonly store: AccountStore,
    private readonly router: RequestRouter,
    private readonly credentials: AccountCredentials,
    private readonly notices: ChangeNotices,
    private readonly relay: LoginRelay,
  ) {
    this.stopHandOver = relay.onHandOver((id, pasted) => this.handedOver(id, pasted));
    this.timer = setInterval(() => void this.shareAll(), SHARE_EVERY_MS).unref();
  }

  /** Providers with a login. */
  providers(): string[] {
    return Object.keys(this.definitions);
  }

  /**
   * Starts a login and answers once the user has something to do (a code to enter, or a URL to
   * open); a failure before that (the provider's endpoint refused, the callback port is taken)
   * is thrown as a GatewayError and leaves nothing behind.
   */
  async start(provider: string, accountId: string | undefined): Promise<LoginView> {
    this.sweep();
    const definition = resolveOAuthDefinition(provider, this.definitions, this.registry.config);
    if (!definition) {
      throw new GatewayError(404, `byokey cannot log in to "${provider}" (providers with a login: ${this.providers().join(', ')}).`, {
        type: 'not_found_error',
        code: 'unknown_provider',
      });
    }
    if (definition.importOnly) {
      throw new GatewayError(400, `byokey cannot log in to "${provider}" itself: ${definition.importOnly}`, { type: 'invalid_request_error', code: 'login_not_supported' });
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
        await this.share(login);
        this.logger.log(`logged in to ${definition.displayName}: account ${provider}/${account} (admin API)`);
      },
      async (error: unknown) => {
        if (login.status !== 'pending') return; // ended already: the gateway is stopping
        login.error = error instanceof OAuthError ? { code: error.code, message: error.message } : { code: 'login_failed', message: 'The login failed unexpectedly; the gateway log has details.' };
        if (!(error instanceof OAuthError)) this.logger.error({ err: error }, `login ${login.id} failed unexpectedly`);
        this.finish(login, 'failed');
        await this.share(login);
      },
    );
    this.logins.set(login.id, { login, ui, abort, outcome });
    await this.share(login);
    return loginView(login);
  }

  /** Login `id`, run here or (shared through Redis) by another instance. */
  async get(id: string): Promise<LoginView> {
    this.sweep();
    const running = this.logins.get(id);
    if (running) return loginView(running.login);
    const relayed = await this.relayed(id);
    if (!relayed) throw notFound(id);
    return relayed.view;
  }

  /**
   * Completes a browser login with the address the browser was sent back to (or the code the
   * provider's page showed). Answers when the code is exchanged and the account stored, or with
   * the reason it failed.
   */
  async complete(id: string, pasted: string, isUsable: (text: string) => boolean): Promise<LoginView> {
    const running = this.logins.get(id);
    if (!running) return this.completeElsewhere(id, pasted, isUsable);
    const { login } = running;
    checkCompletable(loginView(login), pasted, isUsable);
    running.ui.paste(pasted);
    await Promise.race([running.outcome, new Promise((resolve) => setTimeout(resolve, COMPLETE_WAIT_MS).unref())]);
    // Read again: the exchange above may have finished the login.
    const view = loginView(login);
    if (view.status === 'failed') throw completionFailed(view);
    return view;
  }

  /**
   * A login another instance runs: the pasted address is handed to it (the PKCE verifier is
   * there), and the login read back until that instance has exchanged the code, for as long as a
   * completion here would wait.
   */
  private async completeElsewhere(id: string, pasted: string, isUsable: (text: string) => boolean): Promise<LoginView> {
    const relayed = await this.relayed(id);
    if (!relayed) throw notFound(id);
    checkCompletable(relayed.view, pasted, isUsable);
    if (!(await this.relay.handOver(relayed.owner, id, pasted))) {
      throw new GatewayError(503, 'The gateway instance running this login cannot be reached right now; try again, or start a new login.', {
        type: 'server_error',
        code: 'login_owner_unreachable',
      });
    }
    let view = relayed.view;
    for (const deadline = Date.now() + COMPLETE_WAIT_MS; view.status === 'pending' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, COMPLETE_POLL_MS));
      // Unreadable now (Redis went away): the last view read answers, and a poll goes on from there.
      view = (await this.relayed(id))?.view ?? view;
    }
    if (view.status === 'failed') throw completionFailed(view);
    return view;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stopHandOver();
    // The other instances are told at once that the pending logins end here, rather than finding
    // their owner gone ALIVE_MS later (when Redis is still open: shutdown hooks run module by module).
    const pending = [...this.logins.values()].filter((r) => r.login.status === 'pending');
    for (const { login } of pending) {
      login.error = { code: 'gateway_stopped', message: 'The gateway instance running this login stopped before it finished; start a new login.' };
      this.finish(login, 'failed');
    }
    await Promise.all(pending.map(({ login }) => this.share(login)));
    // Stops device polling and closes loopback callback servers.
    for (const running of this.logins.values()) running.abort.abort();
  }

  /** What a person pasted on another instance, for a login run here. */
  private handedOver(id: string, pasted: string): void {
    const running = this.logins.get(id);
    if (!running || running.login.status !== 'pending' || running.login.flow !== 'authorization-code') return;
    running.ui.paste(pasted);
  }

  /**
   * Login `id` as another instance shared it: a pending one whose owner stopped sharing it, or
   * has not listened for a few seconds (it crashed: its connection to the others is gone; a
   * moment's silence is a subscriber reconnecting, see silent-owners.ts), reads as failed.
   */
  private async relayed(id: string): Promise<{ owner: string; view: LoginView } | undefined> {
    const relayed = await this.relay.read(id);
    if (!relayed || !isLoginView(relayed.view)) return undefined;
    const view = relayed.view;
    if (view.status === 'pending' && (relayed.aliveUntil < Date.now() || this.silentOwners.gone(relayed.owner, await this.relay.isListening(relayed.owner)))) {
      return {
        owner: relayed.owner,
        view: failedLoginView(view, {
          code: 'login_owner_gone',
          message: 'The gateway instance running this login stopped answering (it may have been stopped or restarted); start a new login.',
        }),
      };
    }
    return { owner: relayed.owner, view };
  }

  /** Shares a login run here with the other instances, for as long as they may be asked for it. Never rejects. */
  private async share(login: HttpLogin): Promise<void> {
    const now = Date.now();
    const ttlMs = login.finishedAt === undefined ? login.expiresAt + EXPIRY_GRACE_MS - now : login.finishedAt + RETAIN_MS - now;
    await this.relay.share(login.id, { owner: this.relay.instanceId, aliveUntil: now + ALIVE_MS, view: { ...loginView(login) } }, ttlMs);
  }

  /** Every login run here, again: after a Redis outage they are back, and the pending ones stay alive. */
  private async shareAll(): Promise<void> {
    this.sweep();
    await Promise.all([...this.logins.values()].map(({ login }) => this.share(login)));
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

function notFound(id: string): GatewayError {
  return new GatewayError(
    404,
    `No login ${id} (finished logins are forgotten after ${RETAIN_MS / 60_000} minutes; without shared Redis, or while it cannot be reached, a pending one is known only to the gateway that started it).`,
    { type: 'not_found_error', code: 'login_not_found' },
  );
}

/** Refuses what cannot complete a login: not a browser login, one that has ended, or not an answer at all. */
function checkCompletable(view: LoginView, pasted: string, isUsable: (text: string) => boolean): void {
  if (view.flow !== 'authorization-code') {
    throw new GatewayError(409, 'This is a device-code login: there is nothing to paste. Enter the code at the verification URL, then poll the login.', {
      type: 'invalid_request_error',
      code: 'not_a_browser_login',
    });
  }
  if (view.status !== 'pending') {
    const why = view.status === 'failed' && view.error ? ` (${view.error.message})` : '';
    throw new GatewayError(409, `This login has already ${view.status === 'done' ? 'succeeded' : 'failed'}${why}; start a new one to log in again.`, {
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
}

function completionFailed(view: LoginView): GatewayError {
  return new GatewayError(400, view.error?.message ?? 'The login failed.', { type: 'invalid_request_error', code: view.error?.code ?? 'login_failed' });
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
