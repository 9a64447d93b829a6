// The Copilot token: what a GitHub login is exchanged for before each use of the Copilot API
// (reference/wire-protocols.md §5: GET {github}/copilot_internal/v2/token). It lives about half an
// hour and names the API root the account must use. Kept per account until the exchange's
// `refresh_in` says to renew it, and never past 5 minutes before `expires_at`; concurrent
// requests share one exchange, and while the old token still lives they do not wait for it. A GitHub token that GitHub refuses (401: revoked, or the app's
// access withdrawn) marks the account as needing a new login, as a refused refresh does.
import { Injectable, Logger, Optional } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import { needsRelogin } from '../../auth/credential-error';
import type { OAuthCredential } from '../../contract/provider-executor';
import { isObject } from '../../protocol/json-object';
import { AccountStore } from '../../store/account-store';
import { ChangeNotices } from '../../store/shared/change-notices';
import { getJson } from '../../upstream/get-json';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';
import { CopilotClock } from './copilot-clock';
import { githubHeaders } from './copilot-headers';
import { COPILOT_DEFAULT_API_URL } from './copilot-versions';

/** Renew this long before `expires_at` at the latest (issue #3's margin for every token). */
export const COPILOT_TOKEN_MARGIN_MS = 5 * 60_000;
/**
 * A token due for renewal that still lives longer than this is used at once while the renewal
 * runs in the background: no request waits for GitHub. Closer to its expiry, callers wait.
 */
export const COPILOT_TOKEN_STILL_GOOD_MS = 60_000;
/** A token whose answer gives no expiry is taken to live this long (BK's default). */
export const COPILOT_TOKEN_DEFAULT_TTL_MS = 25 * 60_000;

export interface CopilotToken {
  token: string;
  /** The Copilot API root for this account (`endpoints.api`), without a trailing slash. */
  apiUrl: string;
  /** When it stops working (ms). */
  expiresAt: number;
  /** When to exchange again (ms): `refresh_in`, or the margin before `expires_at`. */
  renewAt: number;
  /** The account's plan (`copilot_plan`, `sku`), where the answer says. */
  plan?: string;
}

export interface CopilotTokenRequest {
  instance: string;
  /** The GitHub API root (settings' github_api_url or the default). */
  githubApiUrl: string;
  account: OAuthCredential;
  /** The instance's `headers:` (editor versions overridden there apply to the exchange too). */
  headers?: Record<string, string>;
  timeouts: UpstreamTimeouts;
}

interface Entry {
  githubToken: string;
  token?: CopilotToken;
  inflight?: Promise<CopilotToken>;
}

@Injectable()
export class CopilotTokens {
  private readonly logger = new Logger('CopilotTokens');
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly http: UpstreamHttp,
    private readonly clock: CopilotClock,
    private readonly store: AccountStore,
    /** Without it (unit tests), an account marked as needing a login is not announced. */
    @Optional() private readonly credentials?: AccountCredentials,
    @Optional() private readonly notices?: ChangeNotices,
  ) {}

  /** A Copilot token for the account, exchanged when there is none or it is due. */
  async get(request: CopilotTokenRequest): Promise<CopilotToken> {
    const key = `${request.githubApiUrl}\u0000${request.account.accountId}`;
    let entry = this.entries.get(key);
    // A new login (another GitHub token) starts over.
    if (!entry || entry.githubToken !== request.account.accessToken) {
      entry = { githubToken: request.account.accessToken };
      this.entries.set(key, entry);
    }
    const now = this.clock.now();
    if (entry.token && now < entry.token.renewAt) return entry.token;
    if (!entry.inflight) {
      const current = entry;
      // Not tied to the caller's signal: it is shared, and a caller that leaves must not abort it for the others.
      current.inflight = this.exchange(request, AbortSignal.timeout(Math.max(request.timeouts.firstByteMs, 5_000)))
        .then((token) => (current.token = token))
        .finally(() => (current.inflight = undefined));
      // A renewal nobody waits for (below) fails quietly here, and is tried again by the next call.
      current.inflight.catch((error: unknown) => {
        if (current.token && this.clock.now() < current.token.expiresAt) {
          this.logger.warn(`${request.instance}: could not renew the Copilot token of account "${request.account.accountId}" (${(error as Error).message}); using the current one meanwhile`);
        }
      });
    }
    const stale = entry.token;
    // Due, but good for a while yet: renewed in the background, used now.
    if (stale && now < stale.expiresAt - COPILOT_TOKEN_STILL_GOOD_MS) return stale;
    const inflight: Promise<CopilotToken> = entry.inflight!;
    try {
      return await inflight;
    } catch (error) {
      // GitHub did not answer this time; a token that still works is better than none.
      if (stale && this.clock.now() < stale.expiresAt && !(error instanceof UpstreamError && error.status === 401)) return stale;
      throw error;
    }
  }

  /** Forgets the account's token: the Copilot API refused it, so the next call exchanges again. */
  forget(githubApiUrl: string, accountId: string, token: string): void {
    const entry = this.entries.get(`${githubApiUrl}\u0000${accountId}`);
    if (entry?.token?.token === token) entry.token = undefined;
  }

  private async exchange(request: CopilotTokenRequest, signal: AbortSignal): Promise<CopilotToken> {
    const { account, instance } = request;
    let body: Record<string, unknown>;
    try {
      body = await getJson(this.http, {
        instance,
        url: `${request.githubApiUrl}/copilot_internal/v2/token`,
        headers: githubHeaders(account.accessToken, request.headers),
        signal,
        timeouts: request.timeouts,
      });
    } catch (error) {
      if (error instanceof UpstreamError && error.failure === 'status' && error.status === 401) throw await this.revoked(account, error);
      if (error instanceof UpstreamError && error.failure === 'status' && (error.status === 403 || error.status === 404)) {
        throw new UpstreamError(
          `GitHub refused a Copilot token for the copilot account "${account.accountId}" (${error.status}${error.upstreamMessage ? `: ${error.upstreamMessage}` : ''}); does this GitHub account have a Copilot seat?`,
          { failure: 'status', instance, status: 403, upstreamMessage: error.upstreamMessage, upstreamCode: 'copilot_not_enabled', secret: account.accessToken },
        );
      }
      throw error;
    }
    return readToken(body, instance, this.clock.now());
  }

  /** GitHub refused the login itself: only `byokey login copilot` helps now. */
  private async revoked(account: OAuthCredential, error: UpstreamError): Promise<Error> {
    const reason = `GitHub refused the login token (401${error.upstreamMessage ? `: ${error.upstreamMessage}` : ''})`;
    const stored = await this.store.get(account.provider, account.accountId);
    // Only the token that was refused: a login that replaced it meanwhile stays good.
    if (stored && stored.tokens.accessToken === account.accessToken) {
      await this.store.setStatus(account.provider, account.accountId, 'needs_relogin', reason, stored.version);
      this.logger.warn(`the copilot account "${account.accountId}" needs a new login: ${reason}`);
      this.credentials?.accountsChanged();
      void this.notices?.publish('accounts', `${account.provider}/${account.accountId} needs a new login`);
    }
    return needsRelogin(account.provider, account.accountId, reason);
  }
}

/** The exchange's answer (§5: token, expires_at, refresh_in, endpoints.api, copilot_plan/sku). */
export function readToken(body: Record<string, unknown>, instance: string, now: number): CopilotToken {
  const token = body.token;
  if (typeof token !== 'string' || token === '') {
    throw new UpstreamError(`upstream ${instance} answered the Copilot token exchange without a token`, { failure: 'protocol', instance });
  }
  const expiresAt = typeof body.expires_at === 'number' && body.expires_at > 0 ? body.expires_at * 1000 : now + COPILOT_TOKEN_DEFAULT_TTL_MS;
  // A token that lives less than twice the margin (a test's, a proxy's) is renewed half-way.
  const byMargin = expiresAt - Math.min(COPILOT_TOKEN_MARGIN_MS, Math.max(0, expiresAt - now) / 2);
  const byRefreshIn = typeof body.refresh_in === 'number' && body.refresh_in > 0 ? now + body.refresh_in * 1000 : Infinity;
  const endpoints = isObject(body.endpoints) ? body.endpoints : {};
  const api = typeof endpoints.api === 'string' && endpoints.api !== '' ? endpoints.api : COPILOT_DEFAULT_API_URL;
  const plan = typeof body.copilot_plan === 'string' ? body.copilot_plan : typeof body.sku === 'string' ? body.sku : undefined;
  return { token, apiUrl: api.replace(/\/+$/, ''), expiresAt, renewAt: Math.max(now, Math.min(byMargin, byRefreshIn)), plan };
}
