// A fake iFlow (reference/wire-protocols.md §7): its OAuth server — the browser authorize page
// (GET /oauth, redirect named `redirect`, no PKCE), the token endpoint (POST /oauth/token, form,
// HTTP Basic client_id:client_secret) and GET /api/oauth/getUserInfo?accessToken=…, which hands
// out the account's API key — and its API, POST /v1/chat/completions in OpenAI's format, which
// VERIFIES every request's signature: Bearer <apiKey>, `User-Agent: iFlow-Cli`,
// `session-id: session-<uuid>`, `x-iflow-timestamp: <unix ms>` (within `maxSkewMs` of the fake's
// clock) and `x-iflow-signature: hex(HMAC-SHA256(apiKey, "iFlow-Cli:<session-id>:<timestamp>"))`.
// Anything wrong is refused with a 401 naming what.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sendJson, sseFrame, writeFlushed } from './fake-upstream-base';
import { defaultChunks, defaultCompletion } from './openai-upstream.fake';

export const IFLOW_CLIENT_ID = '10009311001';
export const IFLOW_CLIENT_SECRET = '4Z3YjXycVsQvyGF1etiNlIBB4RsqSDtW';

export interface IflowReceived {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: any;
}

export class FakeIflow extends FakeUpstreamBase {
  readonly requests: IflowReceived[] = [];
  /** Who logs in: getUserInfo's `data`. */
  user = { email: 'flow@example.com', phone: '138****0000' };
  /** The fake's clock, for the timestamp check. */
  now: () => number = Date.now;
  /** How far a request's timestamp may be from the fake's clock. */
  maxSkewMs = 5 * 60_000;
  /** getUserInfo answers `success:false` (no key) while set. */
  userInfoFails = false;

  private readonly codes = new Set<string>();
  /** OAuth access token → the API key getUserInfo gives for it. */
  private readonly accessTokens = new Map<string, string>();
  private readonly refreshTokens = new Map<string, boolean>();
  private readonly apiKeys = new Set<string>();

  get apiUrl(): string {
    return `${this.origin}/v1`;
  }

  get authorizeUrl(): string {
    return `${this.origin}/oauth`;
  }

  get tokenUrl(): string {
    return `${this.origin}/oauth/token`;
  }

  protected override startedUrl(): string {
    return this.apiUrl;
  }

  /** An API key the API accepts, as a login would have stored it. */
  issueApiKey(): string {
    const key = `sk-${randomBytes(16).toString('hex')}`;
    this.apiKeys.add(key);
    return key;
  }

  issueRefreshToken(): string {
    const token = `iflow-rt-${randomBytes(12).toString('hex')}`;
    this.refreshTokens.set(token, false);
    return token;
  }

  revokeApiKey(key: string): void {
    this.apiKeys.delete(key);
  }

  calls(method: string, path: string): IflowReceived[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = await readBody(req);
    const form = String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    let body: any = {};
    if (form) body = Object.fromEntries(new URLSearchParams(text));
    else if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers, body });
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /oauth':
        return this.authorize(query, res);
      case 'POST /oauth/token':
        return this.token(req, body, form, res);
      case 'GET /api/oauth/getUserInfo':
        return this.userInfo(query, res);
      case 'POST /v1/chat/completions':
        return this.chat(req, body, res);
      default:
        sendJson(res, 404, { error: { message: `no route ${route}`, type: 'invalid_request_error', code: null } });
    }
  }

  private authorize(query: Record<string, string>, res: ServerResponse): void {
    if (query.client_id !== IFLOW_CLIENT_ID || !query.redirect || !query.state) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('client_id, redirect and state are required');
      return;
    }
    const code = randomBytes(12).toString('hex');
    this.codes.add(code);
    const back = new URL(query.redirect);
    back.searchParams.set('code', code);
    back.searchParams.set('state', query.state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  private token(req: IncomingMessage, body: Record<string, string>, form: boolean, res: ServerResponse): void {
    const basic = `Basic ${Buffer.from(`${IFLOW_CLIENT_ID}:${IFLOW_CLIENT_SECRET}`).toString('base64')}`;
    if (!form) return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected a form body' });
    if (req.headers.authorization !== basic) return sendJson(res, 401, { error: 'invalid_client', error_description: 'bad client credentials' });
    if (body.grant_type === 'authorization_code') {
      if (!this.codes.delete(body.code)) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'unknown code' });
      return sendJson(res, 200, this.mint());
    }
    if (body.grant_type === 'refresh_token') {
      if (this.refreshTokens.get(body.refresh_token) !== false) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'refresh token invalid' });
      this.refreshTokens.set(body.refresh_token, true);
      return sendJson(res, 200, this.mint());
    }
    sendJson(res, 400, { error: 'unsupported_grant_type' });
  }

  private mint(): Record<string, unknown> {
    const access = `iflow-at-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(access, this.issueApiKey());
    return { access_token: access, refresh_token: this.issueRefreshToken(), token_type: 'bearer', expires_in: 3600, scope: 'read' };
  }

  private userInfo(query: Record<string, string>, res: ServerResponse): void {
    const apiKey = this.accessTokens.get(query.accessToken ?? '');
    if (!apiKey || this.userInfoFails) return sendJson(res, 200, { success: false, code: '401', message: 'accessToken invalid', data: null });
    sendJson(res, 200, { success: true, code: '200', message: 'success', data: { apiKey, email: this.user.email, phone: this.user.phone } });
  }

  /** Why a chat request's credentials or signature are not accepted, or undefined. */
  private refusal(req: IncomingMessage): string | undefined {
    const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || !this.apiKeys.has(key)) return 'Invalid API key';
    if (req.headers['user-agent'] !== 'iFlow-Cli') return 'unsupported client (user-agent)';
    const session = req.headers['session-id'];
    if (typeof session !== 'string' || !/^session-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(session)) return 'missing or malformed session-id';
    const timestamp = req.headers['x-iflow-timestamp'];
    if (typeof timestamp !== 'string' || !/^\d{13}$/.test(timestamp)) return 'missing or malformed x-iflow-timestamp';
    if (Math.abs(this.now() - Number(timestamp)) > this.maxSkewMs) return 'x-iflow-timestamp is too far from the server time';
    const expected = createHmac('sha256', key).update(`iFlow-Cli:${session}:${timestamp}`).digest('hex');
    if (req.headers['x-iflow-signature'] !== expected) return 'signature verification failed';
    return undefined;
  }

  private async chat(req: IncomingMessage, body: any, res: ServerResponse): Promise<void> {
    const refused = this.refusal(req);
    if (refused) return sendJson(res, 401, { error: { message: refused, type: 'authentication_error', code: 'invalid_signature' } });
    if (!body.stream) return sendJson(res, 200, defaultCompletion(body));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    for (const chunk of defaultChunks(body)) await writeFlushed(res, sseFrame(chunk));
    res.end('data: [DONE]\n\n');
  }
}
