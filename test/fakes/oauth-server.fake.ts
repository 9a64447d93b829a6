// A fake OAuth server for tests: one node:http server speaking, under path prefixes, the real
// login protocols of reference/wire-protocols.md — OpenAI's (§2: PKCE authorize + form code
// exchange + JSON refresh, JWTs with the `https://api.openai.com/auth` claims, rotating refresh
// tokens with `refresh_token_reused`), Anthropic's (§3.3: JSON token endpoint, sk-ant-oat01 /
// sk-ant-ort01), GitHub's device flow (§5: pending as HTTP 200 + error), Qwen's (§7: PKCE
// device flow, pending as HTTP 400 + error, form refresh) and Google's (§6.2, §7 "Antigravity":
// installed-app clients whose secret must come with every token request, offline access, an
// id_token carrying the e-mail, refresh tokens that do not rotate). Tests point definitions at it, play
// the browser against its authorize pages, and steer it with the controls below.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeOAuthProvider = 'openai' | 'anthropic' | 'github' | 'qwen' | 'google';

/** The public client ids of the official CLIs (wire-protocols.md §2, §3.3, §5, §7); Google's are in GOOGLE_CLIENTS. */
export const REAL_CLIENT_IDS: Record<Exclude<FakeOAuthProvider, 'google'>, string> = {
  openai: 'app_EMoamEEZ73f0CkXaXp7hrann',
  anthropic: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
  github: 'Iv1.b507a08c87ecfe98',
  qwen: 'f0304373b74a44d2b584a3fb70ca9e56',
};

/**
 * The Google installed-app clients the fake knows, and what each one's official app sends:
 * Gemini CLI's loopback flow has no PKCE (§6.2), Antigravity's sends S256 (CPA's antigravity
 * auth). Any loopback port is accepted, as Google does for installed apps.
 */
export const GOOGLE_CLIENTS = {
  'gemini-cli': {
    clientId: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
    clientSecret: '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',
    scopes: ['cloud-platform', 'userinfo.email', 'userinfo.profile'].map((s) => `https://www.googleapis.com/auth/${s}`),
    pkce: 'forbidden',
    redirectUri: /^http:\/\/127\.0\.0\.1:\d+\/oauth2callback$/,
  },
  antigravity: {
    clientId: '1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com',
    clientSecret: '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',
    scopes: ['cloud-platform', 'userinfo.email', 'userinfo.profile', 'cclog', 'experimentsandconfigs'].map(
      (s) => `https://www.googleapis.com/auth/${s}`,
    ),
    pkce: 'required',
    redirectUri: /^http:\/\/localhost:\d+\/oauth-callback$/,
  },
} as const;

export type GoogleClientName = keyof typeof GOOGLE_CLIENTS;

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface FakeOAuthRequest {
  provider?: FakeOAuthProvider;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  contentType: 'form' | 'json' | 'none' | 'other';
  rawBody: string;
  /** Form or JSON body as an object ({} when there is none). */
  body: Record<string, unknown>;
}

export type DeviceCodeState = 'pending' | 'approved' | 'denied' | 'expired' | 'used';

export interface FakeDeviceCode {
  provider: 'github' | 'qwen';
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  codeChallenge?: string;
  /** The verification_uri the device-code answer named (where the person enters the code). */
  verificationUri: string;
  expiresAt: number;
  intervalSeconds: number;
  state: DeviceCodeState;
  /** The fake's clock at each poll of this code. */
  pollTimes: number[];
}

interface IssuedCode {
  provider: 'openai' | 'anthropic' | 'google';
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  codeChallenge?: string;
  used: boolean;
}

interface IssuedRefreshToken {
  provider: FakeOAuthProvider;
  scope: string;
  used: boolean;
  /** Google ties a refresh token to the client it was issued to. */
  clientId?: string;
}

type ScriptedPoll = 'authorization_pending' | 'slow_down';

export interface FakeOAuthServerOptions {
  /** The fake's clock (ms); share the test's fake clock to expire codes and tokens. */
  now?: () => number;
}

export class FakeOAuthServer {
  /** Client ids each provider accepts (the real ones unless a test changes them). */
  readonly clientIds: Record<Exclude<FakeOAuthProvider, 'google'>, string> = { ...REAL_CLIENT_IDS };
  /** Who logs in to OpenAI: the id_token's email and auth claims. */
  openaiAccount = { email: 'user@example.com', accountId: 'acc-fake-0001', planType: 'plus', userId: 'user-fake-0001' };
  /** Who logs in to Anthropic. */
  anthropicAccount = { email: 'claude@example.com', uuid: 'acct-fake-0001', organization: { uuid: 'org-fake-0001', name: 'Fake Org' } };
  /** Who logs in to Google: the id_token's email and subject. */
  googleAccount = { email: 'me@gmail.example', sub: '109876543210987654321' };
  /**
   * Every Google access token issued (at login and at each refresh). A Code Assist fake can take
   * this very set as its `tokens`, so it accepts exactly what this server handed out.
   */
  readonly googleAccessTokens = new Set<string>();
  /** Lifetime of access tokens (the JWT `exp` for OpenAI, `expires_in` for the others). */
  accessTokenTtlSeconds = 3600;
  /** OpenAI's answer names no `expires_in` (§2 lists id_token/access_token/refresh_token); true adds it. */
  openaiSendsExpiresIn = false;
  /** Refresh answers leave out `refresh_token` (OpenAI's fields are all optional): the old one stays valid. */
  omitRefreshTokenOnRefresh = false;
  /** Anthropic's authorize page: redirect to the callback, or show `code#state` to paste. */
  anthropicAuthorizeMode: 'redirect' | 'show-code' = 'redirect';
  /** Device codes: lifetime and poll interval the device-code endpoint announces. */
  deviceExpiresIn = 900;
  deviceInterval = 5;
  /** Approve every device code as soon as it is issued (scripted polls still come first). */
  deviceAutoApprove = false;
  /** Told each GitHub token issued, before it is sent: a test hands it to the fake GitHub API (FakeCopilot.githubTokens), which then knows it as GitHub would. */
  onGithubToken?: (accessToken: string) => void;
  /** Delay before each token-endpoint answer (ms, real time). */
  tokenLatencyMs = 0;
  /** Token-endpoint requests whose answer `tokenLatencyMs` is holding right now. */
  readonly heldTokenRequests = new Set<FakeOAuthRequest>();

  readonly requests: FakeOAuthRequest[] = [];
  readonly deviceCodes: FakeDeviceCode[] = [];

  private readonly now: () => number;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>();
  private readonly tokenCalls = new Map<string, number>();
  private readonly scriptedPolls: ScriptedPoll[] = [];
  private refreshFailure?: { kind: 'invalid_grant' | 'server_error'; remaining: number };
  private nextAuthorizeError?: string;
  private readonly sockets = new Set<Socket>();
  private server?: Server;

  constructor(options: FakeOAuthServerOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('the fake OAuth server is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Endpoint URLs, to put in definitions (or in providers.yaml `oauth:` overrides). */
  get urls() {
    const base = this.baseUrl;
    return {
      openai: { authorize: `${base}/openai/oauth/authorize`, token: `${base}/openai/oauth/token` },
      anthropic: { authorize: `${base}/anthropic/oauth/authorize`, token: `${base}/anthropic/v1/oauth/token` },
      github: { deviceCode: `${base}/github/login/device/code`, token: `${base}/github/login/oauth/access_token` },
      qwen: { deviceCode: `${base}/qwen/api/v1/oauth2/device/code`, token: `${base}/qwen/api/v1/oauth2/token` },
      google: { authorize: `${base}/google/o/oauth2/v2/auth`, token: `${base}/google/token` },
    };
  }

  get lastRequest(): FakeOAuthRequest {
    const last = this.requests[this.requests.length - 1];
    if (!last) throw new Error('the fake OAuth server received no request');
    return last;
  }

  /** The last request to a token endpoint (any provider), or undefined. */
  get lastTokenRequest(): FakeOAuthRequest | undefined {
    return [...this.requests].reverse().find((r) => /\/(token|access_token)$/.test(r.path));
  }

  /** Token-endpoint calls, by grant type (`authorization_code`, `refresh_token`, the device grant) and provider. */
  tokenCallCount(grantType?: string, provider?: FakeOAuthProvider): number {
    let total = 0;
    for (const [key, count] of this.tokenCalls) {
      const [p, g] = key.split(' ');
      if ((grantType === undefined || g === grantType) && (provider === undefined || p === provider)) total += count;
    }
    return total;
  }

  // --- controls ---

  /** The next authorize request redirects back with `error=<error>` instead of a code. */
  denyNextAuthorization(error = 'access_denied'): void {
    this.nextAuthorizeError = error;
  }

  /** The next `count` refreshes fail: `invalid_grant` (400, permanent) or `server_error` (500, transient). */
  failRefresh(kind: 'invalid_grant' | 'server_error', count = Number.POSITIVE_INFINITY): void {
    this.refreshFailure = { kind, remaining: count };
  }

  /** The next device polls answer these, in order, before the code's own state counts. */
  scriptPolls(...answers: ScriptedPoll[]): void {
    this.scriptedPolls.push(...answers);
  }

  approveDevice(userCode?: string): FakeDeviceCode {
    return this.setDeviceState(userCode, 'approved');
  }

  denyDevice(userCode?: string): FakeDeviceCode {
    return this.setDeviceState(userCode, 'denied');
  }

  expireDevice(userCode?: string): FakeDeviceCode {
    return this.setDeviceState(userCode, 'expired');
  }

  /** A valid refresh token issued without a login (for tests that start from a stored account). */
  seedRefreshToken(provider: FakeOAuthProvider, token = this.newRefreshToken(provider)): string {
    this.refreshTokens.set(token, { provider, scope: '', used: false });
    return token;
  }

  /** Whether a refresh token is still unused (rotation spends it). */
  isRefreshTokenLive(token: string): boolean {
    const issued = this.refreshTokens.get(token);
    return issued !== undefined && !issued.used;
  }

  // --- routing ---

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const rawBody = await readBody(req);
    const request = parseRequest(req, url, rawBody);
    this.requests.push(request);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /openai/oauth/authorize':
        return this.authorize('openai', request, res);
      case 'POST /openai/oauth/token':
        return this.token('openai', request, res);
      case 'GET /anthropic/oauth/authorize':
        return this.authorize('anthropic', request, res);
      case 'POST /anthropic/v1/oauth/token':
        return this.token('anthropic', request, res);
      case 'POST /github/login/device/code':
        return this.deviceCode('github', request, res);
      case 'POST /github/login/oauth/access_token':
        return this.token('github', request, res);
      case 'POST /qwen/api/v1/oauth2/device/code':
        return this.deviceCode('qwen', request, res);
      case 'POST /qwen/api/v1/oauth2/token':
        return this.token('qwen', request, res);
      case 'GET /google/o/oauth2/v2/auth':
        return this.googleAuthorize(request, res);
      case 'POST /google/token':
        return this.token('google', request, res);
      default:
        sendJson(res, 404, { error: 'not_found', error_description: `no route ${route}` });
    }
  }

  // --- authorization-code flow (OpenAI, Anthropic) ---

  private authorize(provider: 'openai' | 'anthropic', request: FakeOAuthRequest, res: ServerResponse): void {
    request.provider = provider;
    const q = request.query;
    const problem =
      q.response_type !== 'code'
        ? 'response_type must be code'
        : q.client_id !== this.clientIds[provider]
          ? `unknown client_id ${q.client_id ?? '(none)'}`
          : !q.redirect_uri || !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+\//.test(q.redirect_uri)
            ? 'redirect_uri must be a loopback URL'
            : !q.scope
              ? 'scope is required'
              : !q.state
                ? 'state is required'
                : !q.code_challenge || q.code_challenge_method !== 'S256'
                  ? 'a PKCE S256 code_challenge is required'
                  : provider === 'openai' && !q.scope.split(' ').includes('offline_access')
                    ? 'scope must include offline_access'
                    : provider === 'anthropic' && q.code !== 'true'
                      ? 'code=true is required'
                      : undefined;
    if (problem) {
      sendText(res, 400, `authorize request rejected: ${problem}`);
      return;
    }
    const redirect = new URL(q.redirect_uri);
    if (this.nextAuthorizeError) {
      redirect.searchParams.set('error', this.nextAuthorizeError);
      redirect.searchParams.set('error_description', 'The user denied the request');
      redirect.searchParams.set('state', q.state);
      this.nextAuthorizeError = undefined;
      res.writeHead(302, { location: redirect.toString() }).end();
      return;
    }
    const code = `${provider === 'openai' ? 'ac_' : ''}${token(24)}`;
    this.codes.set(code, {
      provider,
      clientId: q.client_id,
      redirectUri: q.redirect_uri,
      scope: q.scope,
      state: q.state,
      codeChallenge: q.code_challenge,
      used: false,
    });
    if (provider === 'anthropic' && this.anthropicAuthorizeMode === 'show-code') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body><p>Paste this code into Claude Code:</p><code id="code">${code}#${q.state}</code></body></html>`);
      return;
    }
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', q.state);
    res.writeHead(302, { location: redirect.toString() }).end();
  }

  // --- token endpoints ---

  private async token(provider: FakeOAuthProvider, request: FakeOAuthRequest, res: ServerResponse): Promise<void> {
    request.provider = provider;
    const grant = typeof request.body.grant_type === 'string' ? request.body.grant_type : '(none)';
    const key = `${provider} ${grant}`;
    this.tokenCalls.set(key, (this.tokenCalls.get(key) ?? 0) + 1);
    // Unref'd: a held answer whose client died (a killed process) must not keep the test run alive.
    if (this.tokenLatencyMs > 0) {
      this.heldTokenRequests.add(request);
      await new Promise((resolve) => setTimeout(resolve, this.tokenLatencyMs).unref());
      this.heldTokenRequests.delete(request);
    }

    const encodingProblem = this.encodingProblem(provider, grant, request.contentType);
    if (encodingProblem) return sendJson(res, 400, { error: 'invalid_request', error_description: encodingProblem });
    if (provider === 'google') return this.googleToken(grant, request, res);
    if (request.body.client_id !== this.clientIds[provider]) {
      return sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (grant === 'authorization_code' && (provider === 'openai' || provider === 'anthropic')) {
      return this.exchangeCode(provider, request, res);
    }
    if (grant === 'refresh_token' && provider !== 'github') return this.refresh(provider, request, res);
    if (grant === DEVICE_GRANT && (provider === 'github' || provider === 'qwen')) return this.devicePoll(provider, request, res);
    return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `grant_type ${grant} is not supported here` });
  }

  /** OpenAI: form for the code, form or JSON for refresh (§2); Anthropic: JSON (§3.3); Qwen, Google: form (§6.2, §7). */
  private encodingProblem(provider: FakeOAuthProvider, grant: string, contentType: FakeOAuthRequest['contentType']): string | undefined {
    const want =
      provider === 'anthropic'
        ? ['json']
        : provider === 'qwen' || provider === 'google' || (provider === 'openai' && grant === 'authorization_code')
          ? ['form']
          : ['form', 'json'];
    return want.includes(contentType) ? undefined : `expected a ${want.join(' or ')} body, got ${contentType}`;
  }

  private exchangeCode(provider: 'openai' | 'anthropic', request: FakeOAuthRequest, res: ServerResponse): void {
    const body = request.body;
    const code = typeof body.code === 'string' ? body.code : '';
    const issued = this.codes.get(code);
    const invalid = (description: string): void => sendJson(res, 400, { error: 'invalid_grant', error_description: description });
    if (!issued || issued.provider !== provider) return invalid('Invalid authorization code');
    if (issued.used) return invalid('Authorization code has already been used');
    if (body.redirect_uri !== issued.redirectUri) return invalid('redirect_uri does not match the authorize request');
    if (issued.codeChallenge !== undefined) {
      const verifier = typeof body.code_verifier === 'string' ? body.code_verifier : '';
      if (!verifier) return invalid('code_verifier is required');
      if (s256(verifier) !== issued.codeChallenge) return invalid('code_verifier does not match the code_challenge');
    }
    if (provider === 'anthropic' && body.state !== undefined && body.state !== issued.state) {
      return invalid('state does not match the authorize request');
    }
    issued.used = true;
    sendJson(res, 200, this.mintTokens(provider, issued.scope));
  }

  /** Answers a scripted refresh failure, if one is due; true when it did. */
  private scriptedRefreshFailure(res: ServerResponse): boolean {
    if (!this.refreshFailure || this.refreshFailure.remaining <= 0) return false;
    this.refreshFailure.remaining -= 1;
    if (this.refreshFailure.kind === 'server_error') {
      sendJson(res, 500, { error: 'server_error', error_description: 'The authorization server is temporarily unavailable' });
    } else {
      sendJson(res, 400, { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired' });
    }
    return true;
  }

  private refresh(provider: FakeOAuthProvider, request: FakeOAuthRequest, res: ServerResponse): void {
    if (this.scriptedRefreshFailure(res)) return;
    const presented = typeof request.body.refresh_token === 'string' ? request.body.refresh_token : '';
    const issued = this.refreshTokens.get(presented);
    if (!issued || issued.provider !== provider) return this.refreshRefused(provider, res, 'refresh_token_invalidated', 'The refresh token is not recognized');
    if (issued.used) {
      return this.refreshRefused(
        provider,
        res,
        'refresh_token_reused',
        'Your refresh token has already been used to generate a new access token. Please try signing in again.',
      );
    }
    // Without a new refresh token the old one is not spent: the client keeps using it.
    if (!this.omitRefreshTokenOnRefresh) issued.used = true;
    const answer = this.mintTokens(provider, issued.scope, !this.omitRefreshTokenOnRefresh);
    sendJson(res, 200, answer);
  }

  /** OpenAI answers a dead refresh token with 401 and its nested error shape; the others with RFC 6749's. */
  private refreshRefused(provider: FakeOAuthProvider, res: ServerResponse, code: string, message: string): void {
    if (provider === 'openai') {
      return sendJson(res, 401, { error: { message, type: 'invalid_request_error', param: null, code } });
    }
    sendJson(res, 400, { error: 'invalid_grant', error_description: message });
  }

  private mintTokens(provider: FakeOAuthProvider, scope: string, withRefreshToken = true): Record<string, unknown> {
    const now = this.now();
    // GitHub's user tokens for Copilot do not expire and come without a refresh token.
    const refreshToken = withRefreshToken && provider !== 'github' ? this.newRefreshToken(provider) : undefined;
    if (refreshToken) this.refreshTokens.set(refreshToken, { provider, scope, used: false });
    switch (provider) {
      case 'openai':
        return this.mintOpenAI(now, refreshToken);
      case 'anthropic':
        return {
          access_token: `sk-ant-oat01-${token(32)}`,
          refresh_token: refreshToken,
          token_type: 'Bearer',
          expires_in: this.accessTokenTtlSeconds,
          scope,
          organization: { ...this.anthropicAccount.organization },
          account: { uuid: this.anthropicAccount.uuid, email_address: this.anthropicAccount.email },
        };
      case 'qwen':
        return {
          access_token: token(32),
          refresh_token: refreshToken,
          token_type: 'Bearer',
          expires_in: this.accessTokenTtlSeconds,
          resource_url: 'portal.qwen.ai',
        };
      case 'github': {
        const accessToken = `ghu_${token(30)}`;
        this.onGithubToken?.(accessToken);
        return { access_token: accessToken, token_type: 'bearer', scope };
      }
      case 'google':
        throw new Error('Google tokens are minted by mintGoogle');
    }
  }

  private mintOpenAI(now: number, refreshToken: string | undefined): Record<string, unknown> {
    const iat = Math.floor(now / 1000);
    const exp = iat + this.accessTokenTtlSeconds;
    const account = this.openaiAccount;
    const auth = {
      chatgpt_account_id: account.accountId,
      chatgpt_plan_type: account.planType,
      chatgpt_user_id: account.userId,
      user_id: account.userId,
    };
    const idToken = fakeJwt({
      iss: 'https://auth.openai.com',
      aud: [this.clientIds.openai],
      sub: `auth0|${account.userId}`,
      email: account.email,
      email_verified: true,
      iat,
      exp,
      'https://api.openai.com/auth': auth,
    });
    const accessToken = fakeJwt({
      iss: 'https://auth.openai.com',
      aud: ['https://api.openai.com/v1'],
      client_id: this.clientIds.openai,
      iat,
      exp,
      'https://api.openai.com/auth': auth,
      'https://api.openai.com/profile': { email: account.email, email_verified: true },
    });
    const answer: Record<string, unknown> = { id_token: idToken, access_token: accessToken };
    if (refreshToken) answer.refresh_token = refreshToken;
    if (this.openaiSendsExpiresIn) answer.expires_in = this.accessTokenTtlSeconds;
    return answer;
  }

  private newRefreshToken(provider: FakeOAuthProvider): string {
    return provider === 'openai' ? `rt_${token(32)}` : provider === 'anthropic' ? `sk-ant-ort01-${token(32)}` : token(32);
  }

  // --- Google (§6.2, §7 "Antigravity") ---

  private googleClient(clientId: unknown): (typeof GOOGLE_CLIENTS)[GoogleClientName] | undefined {
    return Object.values(GOOGLE_CLIENTS).find((c) => c.clientId === clientId);
  }

  private googleAuthorize(request: FakeOAuthRequest, res: ServerResponse): void {
    request.provider = 'google';
    const q = request.query;
    const client = this.googleClient(q.client_id);
    const scopes = (q.scope ?? '').split(' ').filter(Boolean);
    const problem = !client
      ? `unknown client_id ${q.client_id ?? '(none)'}`
      : q.response_type !== 'code'
        ? 'response_type must be code'
        : !q.redirect_uri || !client.redirectUri.test(q.redirect_uri)
          ? `redirect_uri ${q.redirect_uri ?? '(none)'} is not the one this client registered`
          : scopes.length !== client.scopes.length || client.scopes.some((s) => !scopes.includes(s))
            ? `scope must be exactly ${client.scopes.join(' ')}`
            : q.access_type !== 'offline'
              ? 'access_type=offline is required for a refresh token'
              : !q.state
                ? 'state is required'
                : client.pkce === 'forbidden' && (q.code_challenge !== undefined || q.code_challenge_method !== undefined)
                  ? "this client's loopback flow sends no PKCE (§6.2)"
                  : client.pkce === 'required' && (!q.code_challenge || q.code_challenge_method !== 'S256')
                    ? 'a PKCE S256 code_challenge is required'
                    : undefined;
    if (problem || !client) {
      sendText(res, 400, `Error 400: invalid_request — ${problem}`);
      return;
    }
    const redirect = new URL(q.redirect_uri);
    if (this.nextAuthorizeError) {
      redirect.searchParams.set('error', this.nextAuthorizeError);
      redirect.searchParams.set('state', q.state);
      this.nextAuthorizeError = undefined;
      res.writeHead(302, { location: redirect.toString() }).end();
      return;
    }
    const code = `4/0A${token(30)}`;
    this.codes.set(code, {
      provider: 'google',
      clientId: client.clientId,
      redirectUri: q.redirect_uri,
      scope: q.scope,
      state: q.state,
      codeChallenge: q.code_challenge,
      used: false,
    });
    redirect.searchParams.set('state', q.state);
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('scope', q.scope);
    res.writeHead(302, { location: redirect.toString() }).end();
  }

  /** Google authenticates every token request with the installed app's client_id and client_secret. */
  private googleToken(grant: string, request: FakeOAuthRequest, res: ServerResponse): void {
    const body = request.body;
    const client = this.googleClient(body.client_id);
    if (!client || body.client_secret !== client.clientSecret) {
      return sendJson(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    const invalid = (description: string): void => sendJson(res, 400, { error: 'invalid_grant', error_description: description });
    if (grant === 'authorization_code') {
      const issued = this.codes.get(typeof body.code === 'string' ? body.code : '');
      if (!issued || issued.provider !== 'google' || issued.clientId !== client.clientId) return invalid('Malformed auth code.');
      if (issued.used) return invalid('Bad Request');
      if (body.redirect_uri !== issued.redirectUri) return sendJson(res, 400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' });
      if (issued.codeChallenge !== undefined) {
        const verifier = typeof body.code_verifier === 'string' ? body.code_verifier : '';
        if (s256(verifier) !== issued.codeChallenge) return invalid('Missing code verifier.');
      } else if (body.code_verifier !== undefined) {
        return invalid('code_verifier sent for an authorization without a code_challenge');
      }
      issued.used = true;
      const refreshToken = `1//0${token(40)}`;
      this.refreshTokens.set(refreshToken, { provider: 'google', scope: issued.scope, used: false, clientId: client.clientId });
      return sendJson(res, 200, { ...this.mintGoogle(client.clientId, issued.scope), refresh_token: refreshToken });
    }
    if (grant === 'refresh_token') {
      if (this.scriptedRefreshFailure(res)) return;
      const issued = this.refreshTokens.get(typeof body.refresh_token === 'string' ? body.refresh_token : '');
      if (!issued || issued.provider !== 'google' || issued.clientId !== client.clientId) return invalid('Token has been expired or revoked.');
      // Google does not rotate refresh tokens: the answer names none and the old one stays valid.
      return sendJson(res, 200, this.mintGoogle(client.clientId, issued.scope));
    }
    return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grant}` });
  }

  private mintGoogle(clientId: string, scope: string): Record<string, unknown> {
    const iat = Math.floor(this.now() / 1000);
    const accessToken = `ya29.${token(40)}`;
    this.googleAccessTokens.add(accessToken);
    const idToken = fakeJwt({
      iss: 'https://accounts.google.com',
      azp: clientId,
      aud: clientId,
      sub: this.googleAccount.sub,
      email: this.googleAccount.email,
      email_verified: true,
      iat,
      exp: iat + 3600,
    });
    return { access_token: accessToken, expires_in: this.accessTokenTtlSeconds, scope, token_type: 'Bearer', id_token: idToken };
  }

  // --- device flow (GitHub, Qwen) ---

  private deviceCode(provider: 'github' | 'qwen', request: FakeOAuthRequest, res: ServerResponse): void {
    request.provider = provider;
    const body = request.body;
    const json = acceptsJson(request);
    if (provider === 'qwen' && request.contentType !== 'form') {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected a form body' });
    }
    if (body.client_id !== this.clientIds[provider]) {
      return sendAnswer(res, 400, { error: 'invalid_client', error_description: 'unknown client_id' }, json || provider === 'qwen');
    }
    const challenge = typeof body.code_challenge === 'string' ? body.code_challenge : undefined;
    if (provider === 'qwen' && (!challenge || body.code_challenge_method !== 'S256')) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'code_challenge with method S256 is required' });
    }
    const userCode = `${letters(4)}-${letters(4)}`;
    const verificationUri = provider === 'github' ? 'https://github.com/login/device' : 'https://chat.qwen.ai/authorize';
    const record: FakeDeviceCode = {
      provider,
      deviceCode: token(20),
      userCode,
      clientId: String(body.client_id),
      scope: typeof body.scope === 'string' ? body.scope : '',
      codeChallenge: challenge,
      verificationUri,
      expiresAt: this.now() + this.deviceExpiresIn * 1000,
      intervalSeconds: this.deviceInterval,
      state: this.deviceAutoApprove ? 'approved' : 'pending',
      pollTimes: [],
    };
    this.deviceCodes.push(record);
    const answer: Record<string, unknown> =
      provider === 'github'
        ? {
            device_code: record.deviceCode,
            user_code: userCode,
            verification_uri: verificationUri,
            expires_in: this.deviceExpiresIn,
            interval: this.deviceInterval,
          }
        : {
            device_code: record.deviceCode,
            user_code: userCode,
            verification_uri: verificationUri,
            verification_uri_complete: `https://chat.qwen.ai/authorize?user_code=${userCode}&client=qwen-code`,
            expires_in: this.deviceExpiresIn,
            interval: this.deviceInterval,
          };
    // GitHub answers form-encoded unless asked for JSON.
    sendAnswer(res, 200, answer, json || provider === 'qwen');
  }

  private devicePoll(provider: 'github' | 'qwen', request: FakeOAuthRequest, res: ServerResponse): void {
    const body = request.body;
    const json = acceptsJson(request) || provider === 'qwen';
    // GitHub says everything with HTTP 200; Qwen's refusals and pending states are HTTP 400.
    const refuse = (error: string, description: string, extra: Record<string, unknown> = {}): void =>
      sendAnswer(res, provider === 'github' ? 200 : 400, { error, error_description: description, ...extra }, json);
    const record = this.deviceCodes.find((d) => d.provider === provider && d.deviceCode === body.device_code);
    if (!record) return refuse(provider === 'github' ? 'incorrect_device_code' : 'invalid_grant', 'The device_code is not valid');
    record.pollTimes.push(this.now());
    if (record.codeChallenge !== undefined) {
      const verifier = typeof body.code_verifier === 'string' ? body.code_verifier : '';
      if (s256(verifier) !== record.codeChallenge) return refuse('invalid_grant', 'code_verifier does not match the code_challenge');
    }
    if (record.state === 'used') return refuse('incorrect_device_code', 'The device_code has already been used');
    if (record.state !== 'expired' && this.now() >= record.expiresAt) record.state = 'expired';
    if (record.state === 'expired') return refuse('expired_token', 'The device_code has expired');
    if (record.state === 'denied') return refuse('access_denied', 'The authorization request was denied');

    const scripted = this.scriptedPolls.shift();
    if (scripted === 'slow_down') {
      record.intervalSeconds += 5;
      // GitHub names the new interval; Qwen does not.
      return refuse('slow_down', 'Too many requests have been made in the same timeframe', provider === 'github' ? { interval: record.intervalSeconds } : {});
    }
    if (scripted === 'authorization_pending' || record.state === 'pending') {
      return refuse('authorization_pending', 'The authorization request is still pending');
    }
    record.state = 'used';
    sendAnswer(res, 200, this.mintTokens(provider, record.scope), json);
  }

  private setDeviceState(userCode: string | undefined, state: DeviceCodeState): FakeDeviceCode {
    const record = userCode
      ? this.deviceCodes.find((d) => d.userCode === userCode)
      : this.deviceCodes[this.deviceCodes.length - 1];
    if (!record) throw new Error(`the fake OAuth server issued no device code${userCode ? ` ${userCode}` : ''}`);
    record.state = state;
    return record;
  }
}

function parseRequest(req: IncomingMessage, url: URL, rawBody: string): FakeOAuthRequest {
  const type = String(req.headers['content-type'] ?? '');
  const contentType = !rawBody
    ? 'none'
    : type.includes('application/x-www-form-urlencoded')
      ? 'form'
      : type.includes('application/json')
        ? 'json'
        : 'other';
  let body: Record<string, unknown> = {};
  if (contentType === 'form') body = Object.fromEntries(new URLSearchParams(rawBody));
  if (contentType === 'json') {
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      body = {};
    }
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    contentType,
    rawBody,
    body,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function acceptsJson(request: FakeOAuthRequest): boolean {
  return String(request.headers.accept ?? '').includes('application/json');
}

function sendAnswer(res: ServerResponse, status: number, body: Record<string, unknown>, json: boolean): void {
  if (json) return sendJson(res, status, body);
  const form = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString();
  res.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
  res.end(form);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function letters(count: number): string {
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ';
  return Array.from(randomBytes(count), (b) => alphabet[b % alphabet.length]).join('');
}

/** A JWT-shaped token (RS256 header, random signature): clients decode it, nobody verifies it. */
function fakeJwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'RS256', typ: 'JWT', kid: 'fake' })}.${encode(payload)}.${token(64)}`;
}
