// A fake Kimi Code (reference/wire-protocols.md §7): its OAuth server (device authorization,
// device-code and refresh grants on /api/oauth/token, form bodies) and its coding API
// (POST /coding/v1/chat/completions in OpenAI's format, GET /coding/v1/models), one server.
// Every call must carry the Kimi CLI's X-Msh-* device headers; API calls a Bearer access token
// the fake issued and that has not expired. Like the real one, the device-code poll answers its
// pending states as HTTP 200 with an `error` field. Tests steer it with the fields below.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sendJson, sseFrame, writeFlushed } from './fake-upstream-base';
import { defaultChunks, defaultCompletion } from './openai-upstream.fake';

export const KIMI_CLIENT_ID = '17e5f671-d194-4dfb-9706-5516cb48c098';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The device headers the reference names on every Kimi call. */
export const KIMI_DEVICE_HEADERS = ['x-msh-platform', 'x-msh-version', 'x-msh-device-name', 'x-msh-device-model', 'x-msh-device-id'];

export interface KimiReceived {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Form fields (OAuth) or the JSON body (chat). */
  body: any;
}

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  approved: boolean;
  used: boolean;
}

export class FakeKimi extends FakeUpstreamBase {
  readonly requests: KimiReceived[] = [];
  /** What GET /coding/v1/models lists. */
  listedModels = [
    { id: 'kimi-for-coding', object: 'model', created: 1761264000, owned_by: 'moonshot', display_name: 'Kimi For Coding', context_length: 262144 },
    { id: 'kimi-k2-turbo-preview', object: 'model', created: 1754006400, owned_by: 'moonshot', display_name: 'Kimi K2 Turbo', context_length: 262144 },
  ];
  /** Approve device codes as soon as they are issued. */
  autoApprove = true;
  accessTokenTtlSeconds = 3600;
  /** The next chat requests answer 401 as if the token were revoked (counts down). */
  rejectNextChats = 0;

  private readonly deviceCodes: DeviceCode[] = [];
  /** Access token → expiry (ms). */
  private readonly accessTokens = new Map<string, number>();
  /** Refresh token → spent. */
  private readonly refreshTokens = new Map<string, boolean>();

  get apiUrl(): string {
    return `${this.origin}/coding/v1`;
  }

  get deviceCodeUrl(): string {
    return `${this.origin}/api/oauth/device_authorization`;
  }

  get tokenUrl(): string {
    return `${this.origin}/api/oauth/token`;
  }

  protected override startedUrl(): string {
    return this.apiUrl;
  }

  /** An access token as a login would leave it: valid until `expiresAt` (ms). */
  issueAccessToken(expiresAt: number): string {
    const token = `kimi-at-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(token, expiresAt);
    return token;
  }

  issueRefreshToken(): string {
    const token = `kimi-rt-${randomBytes(12).toString('hex')}`;
    this.refreshTokens.set(token, false);
    return token;
  }

  /** Calls to the token endpoint with this grant. */
  grants(grant: string): number {
    return this.requests.filter((r) => r.path === '/api/oauth/token' && r.body.grant_type === grant).length;
  }

  calls(method: string, path: string): KimiReceived[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = await readBody(req);
    const form = String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    let body: any = {};
    if (form) body = Object.fromEntries(new URLSearchParams(text));
    else if (text) body = safeJson(text);
    this.requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body });

    const missing = KIMI_DEVICE_HEADERS.filter((name) => typeof req.headers[name] !== 'string' || req.headers[name] === '');
    if (missing.length > 0) return sendJson(res, 400, { error: 'invalid_request', error_description: `missing device headers: ${missing.join(', ')}` });

    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /api/oauth/device_authorization') return this.deviceAuthorization(body, form, res);
    if (route === 'POST /api/oauth/token') return this.token(body, form, res);
    if (route === 'POST /coding/v1/chat/completions' || route === 'GET /coding/v1/models') {
      const refused = this.checkBearer(req);
      if (refused) return sendJson(res, 401, { error: { message: refused, type: 'invalid_authentication_error' } });
      if (route === 'GET /coding/v1/models') return sendJson(res, 200, { object: 'list', data: this.listedModels });
      return this.chat(body, res);
    }
    sendJson(res, 404, { error: { message: `no route ${route}`, type: 'invalid_request_error' } });
  }

  private checkBearer(req: IncomingMessage): string | undefined {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return 'missing bearer token';
    const expiresAt = this.accessTokens.get(token);
    if (expiresAt === undefined) return 'The access token is invalid';
    if (Date.now() >= expiresAt) return 'The access token has expired';
    if (req.method === 'POST' && this.rejectNextChats > 0) {
      this.rejectNextChats--;
      return 'The access token is invalid';
    }
    return undefined;
  }

  private deviceAuthorization(body: Record<string, string>, form: boolean, res: ServerResponse): void {
    if (!form) return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected a form body' });
    if (body.client_id !== KIMI_CLIENT_ID) return sendJson(res, 401, { error: 'invalid_client', error_description: 'unknown client_id' });
    const code: DeviceCode = { deviceCode: randomBytes(16).toString('hex'), userCode: 'KIMI-2718', approved: this.autoApprove, used: false };
    this.deviceCodes.push(code);
    sendJson(res, 200, {
      device_code: code.deviceCode,
      user_code: code.userCode,
      verification_uri: 'https://www.kimi.com/code/authorize_device',
      verification_uri_complete: `https://www.kimi.com/code/authorize_device?user_code=${code.userCode}`,
      expires_in: 600,
      interval: 1,
    });
  }

  private token(body: Record<string, string>, form: boolean, res: ServerResponse): void {
    if (!form) return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected a form body' });
    if (body.client_id !== KIMI_CLIENT_ID) return sendJson(res, 401, { error: 'invalid_client', error_description: 'unknown client_id' });
    if (body.grant_type === DEVICE_GRANT) {
      const code = this.deviceCodes.find((c) => c.deviceCode === body.device_code);
      if (!code || code.used) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'unknown device_code' });
      if (!code.approved) return sendJson(res, 200, { error: 'authorization_pending', error_description: 'The user has not yet authorized' });
      code.used = true;
      return sendJson(res, 200, this.mint());
    }
    if (body.grant_type === 'refresh_token') {
      const spent = this.refreshTokens.get(body.refresh_token);
      if (spent === undefined || spent) return sendJson(res, 401, { error: 'invalid_grant', error_description: 'The refresh token is invalid' });
      this.refreshTokens.set(body.refresh_token, true);
      return sendJson(res, 200, this.mint());
    }
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `grant_type ${body.grant_type} is not supported` });
  }

  private mint(): Record<string, unknown> {
    return {
      access_token: this.issueAccessToken(Date.now() + this.accessTokenTtlSeconds * 1000),
      refresh_token: this.issueRefreshToken(),
      token_type: 'Bearer',
      expires_in: this.accessTokenTtlSeconds,
      scope: 'openid offline_access',
    };
  }

  private async chat(body: any, res: ServerResponse): Promise<void> {
    if (typeof body?.model !== 'string' || !this.listedModels.some((m) => m.id === body.model)) {
      return sendJson(res, 404, { error: { message: `Not found the model ${String(body?.model)} or Permission denied`, type: 'resource_not_found_error' } });
    }
    if (!body.stream) return sendJson(res, 200, defaultCompletion(body));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    for (const chunk of defaultChunks(body)) await writeFlushed(res, sseFrame(chunk));
    res.end('data: [DONE]\n\n');
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
