// A fake api.anthropic.com that speaks reference/wire-protocols.md §3: `POST /v1/messages` (also
// `?beta=true`), `POST /v1/messages/count_tokens` and `GET /v1/models` (the Models API: pages of
// {type,id,display_name,created_at} with has_more/first_id/last_id, `limit`, `after_id`,
// `before_id`), with API-key and Claude Code OAuth auth,
// request validation like the real API (errors as {"type":"error","error":{type,message},"request_id"};
// `role: "system"` turns only under the mid-conversation-system beta),
// default answers like Samples C and D (text, thinking with signatures it remembers, tool_use),
// simulated prompt caching, rate-limit headers of both families, and scripted failure modes
// (529, 429, 401, 400, in-stream `event: error`, cut streams, delays, holds for disconnect tests).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, pieces, readBody, sleep, sseFrame, words } from './fake-upstream-base';

type Json = Record<string, any>;

export const OAUTH_BETA = 'oauth-2025-04-20';
export const CLAUDE_CODE_IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";
export const BILLING_HEADER_PREFIX = 'x-anthropic-billing-header:';
/** Salt of the billing-header fingerprint (§3.2). */
export const BILLING_SALT = '59cf53e54c78';
/** The beta under which `role: "system"` turns may sit in `messages` (§3.1 list, item 9). */
export const MID_CONVERSATION_SYSTEM_BETA = 'mid-conversation-system-2026-04-07';
export const FAKE_API_KEY = 'sk-ant-api03-fake-key-0001';
export const FAKE_OAUTH_TOKEN = 'sk-ant-oat01-fake-token-0001';
export const FAKE_ORGANIZATION_ID = '7d1c0a54-0f8e-4d0c-9a51-fa4e0000cafe';

/** The messages the fake answers with, so tests can match them exactly. */
export const ERRORS = {
  versionRequired: 'anthropic-version: header is required',
  apiKeyRequired: 'x-api-key header is required',
  invalidApiKey: 'invalid x-api-key',
  oauthNotSupported: 'OAuth authentication is currently not supported.',
  invalidBearer: 'Invalid bearer token',
  oauthExpired: 'OAuth token has expired. Please obtain a new token or refresh your existing token.',
  claudeCodeOnly: 'This credential is only authorized for use with Claude Code and cannot be used for other API requests.',
  invalidJson: 'There was an issue with your request body: it is not valid JSON.',
  modelRequired: 'model: Field required',
  maxTokensRequired: 'max_tokens: Field required',
  messagesRequired: 'messages: Field required',
  messagesEmpty: 'messages: at least one message is required',
  firstMessageUser: 'messages: first message must use the "user" role',
  emptyText: 'messages: text content blocks must be non-empty',
  budgetTooSmall: 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
  budgetNotBelowMax:
    '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
  temperatureWithThinking:
    '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking',
  overloaded: 'Overloaded',
  rateLimitedApiKey:
    "This request would exceed your organization's rate limit of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.",
  rateLimitedOAuth: "This request would exceed your account's rate limit. Please try again later.",
} as const;

/** One model of `GET /v1/models`. */
export interface FakeModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

/** What the fake lists by default: newest first, as the API does, one of them newer than any catalog. */
export const DEFAULT_LISTED_MODELS: readonly FakeModelInfo[] = [
  { type: 'model', id: 'claude-opus-5-5', display_name: 'Claude Opus 5.5', created_at: '2026-11-24T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-5-5', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
];

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

/** HTTP status of each error type (§3.5). */
export const ERROR_STATUS: Record<ErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  timeout_error: 504,
  api_error: 500,
  overloaded_error: 529,
};

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';
export type Endpoint = 'messages' | 'count_tokens';

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** How a request authenticated: which kind of credential, in which header. */
export interface AuthUsed {
  kind: 'api-key' | 'oauth';
  via: 'x-api-key' | 'authorization';
  token: string;
}

/** What the fake read from the Claude Code system blocks (§3.2), when the first one is a billing header. */
export interface ClaudeCodeIdentity {
  billingHeader: string;
  /** The second system block is exactly CLAUDE_CODE_IDENTITY. */
  identityBlock: boolean;
  version?: string;
  fingerprint?: string;
  entrypoint?: string;
  /** The fingerprint equals SHA256(salt + msg[4] + msg[7] + msg[20] + version)[0..3]. */
  fingerprintMatches: boolean;
}

export interface AnthropicRequest {
  method: string;
  /** Path without the query: `/v1/messages`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  rawBody: string;
  body: any;
  endpoint?: Endpoint;
  auth?: AuthUsed;
  /** The comma-separated `anthropic-beta` values, trimmed, in order. */
  betas: string[];
  claudeCode?: ClaudeCodeIdentity;
  /** Set when the fake refused the request (validation, auth, a scripted error). */
  rejected?: { status: number; type: ErrorType; message: string };
  requestId: string;
  /** Set when the fake answered with a message (streamed or not). */
  messageId?: string;
  stream: boolean;
  /** Stream events sent, in order (pings included); for a JSON answer, the body. */
  sent: Json[];
  receivedAt: number;
}

export interface ClientDisconnect {
  requestId: string;
  messageId?: string;
  /** Stream events the client had been sent. */
  eventsSent: number;
  at: number;
}

/**
 * A normal answer, optionally cut short. "After N" counts SSE events from message_start (0),
 * pings included: in the default text answer 0 is message_start, 1 content_block_start, 2 ping,
 * 3.. text deltas.
 */
export interface AnswerScenario {
  kind: 'answer';
  endpoint?: 'messages';
  /** Overrides the automatic choice (tool_use when tools are given and the last turn is no tool_result). */
  answer?: 'text' | 'tool_use';
  text?: string;
  /** Force a thinking block on (true or its text) or off, whatever the request's `thinking`. */
  thinking?: boolean | string;
  toolUse?: { name?: string; input?: Json; id?: string };
  /** Several tool_use blocks at once (parallel calls); wins over `toolUse`. */
  toolUses?: Array<{ name?: string; input?: Json; id?: string }>;
  stopReason?: StopReason;
  usage?: Partial<Usage>;
  /** Replace the generated stream events entirely (stream only). */
  events?: Json[];
  headers?: Record<string, string>;
  delayMs?: number;
  /** Send `event: error` after N events, then end the response. A JSON answer gets it as its HTTP error. */
  errorAfter?: number;
  error?: { type: ErrorType; message: string };
  /** Destroy the socket after N events (a JSON answer: instead of answering). */
  dropAfter?: number;
  /** A JSON answer pretty-printed with this indent, as a proxy in front of the API might send it. */
  indent?: number;
  /** Send N events (a JSON answer: nothing), then wait for `release()` or the client's disconnect. */
  holdAfter?: number;
}

type Scripted<T> = T & { endpoint?: Endpoint };
export type AnthropicScenario =
  | AnswerScenario
  /** 529 overloaded_error. */
  | Scripted<{ kind: 'overloaded'; message?: string }>
  /** 429 rate_limit_error with `retry-after`, the rate-limit headers showing the limit hit. */
  | Scripted<{ kind: 'rate_limit'; retryAfterSeconds?: number; message?: string }>
  /** 401 authentication_error (default message per credential kind: invalid key / expired token). */
  | Scripted<{ kind: 'auth_error'; message?: string }>
  /** 400 invalid_request_error with this message. */
  | Scripted<{ kind: 'bad_request'; message: string }>
  /** Any error in the Anthropic shape. */
  | Scripted<{ kind: 'error'; type: ErrorType; message: string; status?: number; headers?: Record<string, string> }>
  /** Close the connection without answering. */
  | Scripted<{ kind: 'destroy' }>;

export interface RateLimitBucket {
  limit: number;
  remaining: number;
  resetInSeconds: number;
}

/** The API-key family (`anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-*`). */
export interface ApiKeyRateLimits {
  requests: RateLimitBucket;
  tokens: RateLimitBucket;
  inputTokens: RateLimitBucket;
  outputTokens: RateLimitBucket;
}

export interface UnifiedWindow {
  status: 'allowed' | 'allowed_warning' | 'rejected';
  resetInSeconds: number;
}

/** The subscription family (`anthropic-ratelimit-unified-*`) sent to OAuth credentials. */
export interface UnifiedRateLimits {
  fiveHour: UnifiedWindow;
  sevenDay: UnifiedWindow;
  sevenDayOi: UnifiedWindow;
}

interface Rejection {
  status: number;
  type: ErrorType;
  message: string;
  headers?: Record<string, string>;
}

interface Active {
  requestId: string;
  messageId?: string;
  eventsSent: number;
  gone: boolean;
  wake?: () => void;
}

interface Answer {
  message: Json;
  usage: Usage;
  /** Called once the answer is really sent: registers issued signatures and cache prefixes. */
  commit: () => void;
}

/** Top-level body fields the Messages API knows (§3.2, plus the SDK's newer ones); others are rejected. */
export const KNOWN_FIELDS = [
  'model', 'max_tokens', 'messages', 'system', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences',
  'metadata', 'tools', 'tool_choice', 'thinking', 'service_tier', 'output_config', 'cache_control', 'container',
  'inference_geo', 'speed', 'diagnostics', 'context_management', 'mcp_servers', 'output_format', 'compaction',
  'billing_policy', 'fallbacks', 'fallback_credit_token', 'thread',
];
const COUNT_TOKENS_EXCLUDED = ['max_tokens', 'stream', 'stop_sequences', 'temperature', 'top_p', 'top_k', 'metadata', 'service_tier'];
const USER_BLOCKS = ['text', 'image', 'document', 'tool_result', 'search_result', 'container_upload'];
const ASSISTANT_BLOCKS = ['text', 'tool_use', 'thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result', 'web_fetch_tool_result'];
const ID_PATTERN = /^[a-zA-Z0-9_-]+$/;
const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;

export class FakeAnthropicUpstream extends FakeUpstreamBase<AnthropicScenario> {
  /** Accepted API keys (in `x-api-key`, or as SDK ≥1.x sends them, in `Authorization: Bearer`). */
  apiKeys: string[] = [FAKE_API_KEY];
  /** Accepted OAuth access tokens (Bearer with the oauth beta, or in `x-api-key`). */
  oauthTokens: string[] = [FAKE_OAUTH_TOKEN];
  /** OAuth requests must open `system` with the billing-header block and the Claude Code identity block. */
  requireClaudeCodeIdentity = false;
  /** When set, other models get 404 not_found_error `model: <id>`. */
  knownModels?: string[];
  /** What `GET /v1/models` lists. */
  listedModels: FakeModelInfo[] = [...DEFAULT_LISTED_MODELS];
  /** `GET /v1/models` answers this status (an Anthropic error body) instead, when set. */
  modelListStatus?: number;
  /** Answer 400 "<field>: Extra inputs are not permitted" to unknown top-level body fields. */
  rejectUnknownFields = true;
  /** `anthropic-beta` values answered with a 400 (BK notes the old prompt-caching beta is rejected). */
  rejectedBetas: string[] = ['prompt-caching-2024-07-31'];
  eventDelayMs = 0;
  /** Decides the answer from the request body when no scripted scenario is queued (a scripted agent). */
  responder?: (body: any) => AnthropicScenario | undefined;
  /** Sent to API keys; each answered message drains `requests` by one and `tokens` by its usage. */
  rateLimits: ApiKeyRateLimits = defaultApiKeyRateLimits();
  /** Sent to OAuth tokens; a window set to `rejected` shows in `unified-status` and `unified-reset`. */
  unifiedRateLimits: UnifiedRateLimits = defaultUnifiedRateLimits();

  readonly requests: AnthropicRequest[] = [];
  /** `GET /v1/models` requests, kept apart from `requests` (which tests read as message traffic). */
  readonly modelListRequests: AnthropicRequest[] = [];
  readonly clientDisconnects: ClientDisconnect[] = [];
  /** Responses whose client went away before the fake finished them. */
  abortedResponses = 0;
  /** Responses sent to their end (message_stop, an in-stream error, or a JSON body). */
  finishedResponses = 0;
  /** Responses that reached a `holdAfter` point. */
  heldResponses = 0;
  /** Responses the fake cut by destroying the socket. */
  droppedResponses = 0;

  /** Signatures the fake issued, with the thinking text each one signs. */
  private readonly signatures = new Map<string, string>();
  /** Prompt-cache prefixes written so far (hash of model + prefix). */
  private readonly cachedPrefixes = new Set<string>();
  private readonly holds = new Set<() => void>();
  private counter = 0;

  /** Let every held response go on (those whose client left simply stop). */
  release(): void {
    for (const wake of [...this.holds]) wake();
    this.holds.clear();
  }

  /** The SDK-style root a gateway uses as `base_url`: `http://127.0.0.1:PORT` (no `/v1`). */
  get url(): string {
    return this.origin;
  }

  get lastRequest(): AnthropicRequest {
    const last = this.requests[this.requests.length - 1];
    if (!last) throw new Error('the fake Anthropic upstream received no request');
    return last;
  }

  /** Whether `signature` was issued by this fake for exactly this thinking text. */
  issuedSignature(signature: string, thinking?: string): boolean {
    return this.signatures.has(signature) && (thinking === undefined || this.signatures.get(signature) === thinking);
  }

  waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= count, () => `${count} requests, saw ${this.requests.length}`, timeoutMs);
  }

  /** Pass `abortedResponses + 1` read before the request to wait for its abort. */
  waitForAborts(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.abortedResponses >= count, () => `${count} aborted responses, saw ${this.abortedResponses}`, timeoutMs);
  }

  waitForHolds(count = 1, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.heldResponses >= count, () => `${count} held responses, saw ${this.heldResponses}`, timeoutMs);
  }

  waitForFinished(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.finishedResponses >= count, () => `${count} finished responses, saw ${this.finishedResponses}`, timeoutMs);
  }

  override async stop(): Promise<void> {
    this.release();
    await super.stop();
  }

  // ---- request handling ----------------------------------------------------------------------

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const rawBody = await readBody(req);
    const n = this.next();
    const record: AnthropicRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody,
      body: rawBody,
      betas: headerList(req.headers['anthropic-beta']),
      requestId: `req_01Fake${String(n).padStart(6, '0')}`,
      stream: false,
      sent: [],
      receivedAt: Date.now(),
    };
    const endpoint: Endpoint | undefined =
      req.method === 'POST' && url.pathname === '/v1/messages' ? 'messages'
      : req.method === 'POST' && url.pathname === '/v1/messages/count_tokens' ? 'count_tokens'
      : undefined;
    record.endpoint = endpoint;
    let parsed = true;
    try {
      record.body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      parsed = false;
    }
    if (parsed && endpoint === 'messages') record.stream = record.body?.stream === true;
    if (parsed) record.claudeCode = readClaudeCodeIdentity(record.body);

    const reject = (rejection: Rejection, rateHeaders = true) => {
      record.rejected = { status: rejection.status, type: rejection.type, message: rejection.message };
      this.record(record);
      const headers = { ...this.baseHeaders(record, rateHeaders), ...rejection.headers };
      this.sendJson(res, rejection.status, errorBody(rejection.type, rejection.message, record.requestId), headers, record);
    };

    if (req.method === 'GET' && url.pathname === '/v1/models') return this.listModels(record, url, res);
    if (!endpoint) return reject({ status: 404, type: 'not_found_error', message: 'Not Found' }, false);
    const headerRejection = this.checkHeaders(req.headers, record);
    if (headerRejection) return reject(headerRejection, false);
    if (!parsed || typeof record.body !== 'object' || record.body === null || Array.isArray(record.body)) {
      return reject({ status: 400, type: 'invalid_request_error', message: ERRORS.invalidJson });
    }
    if (this.requireClaudeCodeIdentity && record.auth?.kind === 'oauth') {
      const cc = record.claudeCode;
      if (!cc || !cc.identityBlock) return reject({ status: 400, type: 'invalid_request_error', message: ERRORS.claudeCodeOnly });
    }
    const bodyRejection = this.checkBody(record.body, endpoint, record.betas);
    if (bodyRejection) return reject(bodyRejection);

    const scenario = this.take(endpoint, record.body);
    switch (scenario.kind) {
      case 'overloaded':
        return reject({ status: 529, type: 'overloaded_error', message: scenario.message ?? ERRORS.overloaded });
      case 'rate_limit':
        return reject(this.rateLimited(record, scenario.retryAfterSeconds, scenario.message));
      case 'auth_error': {
        const message = scenario.message ?? (record.auth?.kind === 'oauth' ? ERRORS.oauthExpired : ERRORS.invalidApiKey);
        return reject({ status: 401, type: 'authentication_error', message }, false);
      }
      case 'bad_request':
        return reject({ status: 400, type: 'invalid_request_error', message: scenario.message });
      case 'error':
        return reject({ status: scenario.status ?? ERROR_STATUS[scenario.type], type: scenario.type, message: scenario.message, headers: scenario.headers });
      case 'destroy':
        record.rejected = { status: 0, type: 'api_error', message: 'connection destroyed without an answer' };
        this.record(record);
        this.droppedResponses++;
        req.socket.destroy();
        return;
      case 'answer':
        break;
    }

    if (endpoint === 'count_tokens') {
      this.record(record);
      return this.sendJson(res, 200, { input_tokens: countInputTokens(record.body) }, this.baseHeaders(record, true), record);
    }

    const answer = this.answer(record.body, scenario, n);
    record.messageId = answer.message.id;
    this.rateLimits.requests.remaining--;
    this.record(record);
    const active: Active = { requestId: record.requestId, messageId: record.messageId, eventsSent: 0, gone: false };
    let selfEnded = false;
    res.on('close', () => {
      if (res.writableFinished || selfEnded) return;
      this.clientLeft(active);
    });
    const headers = { ...this.baseHeaders(record, true), ...scenario.headers };

    if (!record.stream) {
      if (scenario.holdAfter !== undefined) await this.hold(active);
      if (active.gone) return;
      if (scenario.dropAfter !== undefined) {
        selfEnded = true;
        this.droppedResponses++;
        res.socket?.destroy();
        return;
      }
      if (scenario.errorAfter !== undefined) {
        const error = scenario.error ?? { type: 'overloaded_error' as const, message: ERRORS.overloaded };
        record.rejected = { status: ERROR_STATUS[error.type], ...error };
        return this.sendJson(res, ERROR_STATUS[error.type], errorBody(error.type, error.message, record.requestId), headers, record);
      }
      answer.commit();
      return this.sendJson(res, 200, answer.message, headers, record, scenario.indent);
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
    const events = scenario.events ?? streamEvents(answer.message);
    const delay = scenario.delayMs ?? this.eventDelayMs;
    for (let i = 0; i <= events.length; i++) {
      if (scenario.holdAfter === i) await this.hold(active);
      if (active.gone) return;
      if (scenario.errorAfter === i) {
        const error = scenario.error ?? { type: 'overloaded_error' as const, message: ERRORS.overloaded };
        const event = { type: 'error', error };
        if (await this.sendEvent(res, event)) record.sent.push(event);
        selfEnded = true;
        res.end();
        this.finished();
        return;
      }
      if (scenario.dropAfter === i) {
        selfEnded = true;
        this.droppedResponses++;
        res.socket?.destroy();
        this.notify();
        return;
      }
      if (i === events.length) break;
      if (!(await this.sendEvent(res, events[i]))) return;
      record.sent.push(events[i]);
      active.eventsSent++;
      if (delay && i < events.length - 1) await sleep(delay);
    }
    answer.commit();
    selfEnded = true;
    res.end();
    this.finished();
  }

  /** `GET /v1/models`: the same auth as messages, then one page of `listedModels`. */
  private listModels(record: AnthropicRequest, url: URL, res: ServerResponse): void {
    this.modelListRequests.push(record);
    const send = (status: number, body: Json) => {
      record.sent.push(body);
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': record.requestId });
      res.end(text);
    };
    const rejection = this.checkHeaders(record.headers, record);
    if (rejection) {
      record.rejected = { status: rejection.status, type: rejection.type, message: rejection.message };
      return send(rejection.status, errorBody(rejection.type, rejection.message, record.requestId));
    }
    if (this.modelListStatus !== undefined) {
      const type = (Object.keys(ERROR_STATUS) as ErrorType[]).find((t) => ERROR_STATUS[t] === this.modelListStatus) ?? 'api_error';
      return send(this.modelListStatus, errorBody(type, 'Internal server error', record.requestId));
    }
    const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 20) || 20));
    const after = url.searchParams.get('after_id');
    const before = url.searchParams.get('before_id');
    const all = this.listedModels;
    let start = after ? all.findIndex((m) => m.id === after) + 1 : 0;
    let end = before ? Math.max(0, all.findIndex((m) => m.id === before)) : all.length;
    if (before) start = Math.max(0, end - limit);
    else end = Math.min(all.length, start + limit);
    const data = all.slice(start, end);
    send(200, { data, has_more: before ? start > 0 : end < all.length, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
  }

  private checkHeaders(headers: IncomingMessage['headers'], record: AnthropicRequest): Rejection | undefined {
    const version = headers['anthropic-version'];
    // Any value is accepted: SDK 1.14 sends a newer date than 2023-06-01 (ecosystem.md).
    if (typeof version !== 'string' || version.trim() === '') return { status: 400, type: 'invalid_request_error', message: ERRORS.versionRequired };

    const unauthorized = (message: string): Rejection => ({ status: 401, type: 'authentication_error', message });
    const apiKeyHeader = typeof headers['x-api-key'] === 'string' ? headers['x-api-key'].trim() : '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''))?.[1];
    if (apiKeyHeader) {
      // The OAuth token also works here (earendil-works/pi#2751), without the beta.
      if (this.apiKeys.includes(apiKeyHeader)) record.auth = { kind: 'api-key', via: 'x-api-key', token: apiKeyHeader };
      else if (this.oauthTokens.includes(apiKeyHeader)) record.auth = { kind: 'oauth', via: 'x-api-key', token: apiKeyHeader };
      else return unauthorized(ERRORS.invalidApiKey);
    } else if (bearer) {
      if (this.apiKeys.includes(bearer)) {
        // SDK 1.14 sends its apiKey as a Bearer token; only OAuth tokens need the beta.
        record.auth = { kind: 'api-key', via: 'authorization', token: bearer };
      } else if (!record.betas.includes(OAUTH_BETA)) {
        return unauthorized(ERRORS.oauthNotSupported);
      } else if (this.oauthTokens.includes(bearer)) {
        record.auth = { kind: 'oauth', via: 'authorization', token: bearer };
      } else {
        return unauthorized(ERRORS.invalidBearer);
      }
    } else {
      return unauthorized(ERRORS.apiKeyRequired);
    }

    const refused = record.betas.filter((b) => this.rejectedBetas.includes(b));
    if (refused.length > 0) {
      return {
        status: 400,
        type: 'invalid_request_error',
        message: `Unexpected value(s) \`${refused.join('`, `')}\` for the \`anthropic-beta\` header. Please consult our documentation at docs.claude.com or try again without the header.`,
      };
    }
    return undefined;
  }

  private checkBody(body: Json, endpoint: Endpoint, betas: string[]): Rejection | undefined {
    const bad = (message: string): Rejection => ({ status: 400, type: 'invalid_request_error', message });
    if (body.model === undefined) return bad(ERRORS.modelRequired);
    if (typeof body.model !== 'string' || body.model === '') return bad('model: Input should be a valid string');
    if (endpoint === 'messages' && body.max_tokens === undefined) return bad(ERRORS.maxTokensRequired);
    if (body.messages === undefined) return bad(ERRORS.messagesRequired);
    if (this.rejectUnknownFields) {
      for (const key of Object.keys(body)) {
        const known = KNOWN_FIELDS.includes(key) && !(endpoint === 'count_tokens' && COUNT_TOKENS_EXCLUDED.includes(key));
        if (!known) return bad(`${key}: Extra inputs are not permitted`);
      }
    }
    if (endpoint === 'messages') {
      if (!Number.isInteger(body.max_tokens)) return bad('max_tokens: Input should be a valid integer');
      if (body.max_tokens < 1) return bad('max_tokens: Input should be greater than or equal to 1');
      if (body.stream !== undefined && typeof body.stream !== 'boolean') return bad('stream: Input should be a valid boolean');
      if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || body.stop_sequences.some((s: unknown) => typeof s !== 'string'))) {
        return bad('stop_sequences: Input should be a valid list of strings');
      }
    }
    if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
      return bad('temperature: Input should be less than or equal to 1');
    }

    const systemRejection = checkSystem(body.system);
    if (systemRejection) return bad(systemRejection);
    const toolsRejection = checkTools(body.tools, body.tool_choice);
    if (toolsRejection) return bad(toolsRejection);

    const thinking = body.thinking;
    if (thinking !== undefined && thinking !== null) {
      if (typeof thinking !== 'object' || !['enabled', 'disabled', 'adaptive'].includes(thinking.type)) {
        return bad(`thinking: Input tag '${thinking?.type}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'`);
      }
      if (thinking.type === 'enabled') {
        if (thinking.budget_tokens === undefined) return bad('thinking.enabled.budget_tokens: Field required');
        if (!Number.isInteger(thinking.budget_tokens)) return bad('thinking.enabled.budget_tokens: Input should be a valid integer');
        if (thinking.budget_tokens < 1024) return bad(ERRORS.budgetTooSmall);
        if (endpoint === 'messages' && thinking.budget_tokens >= body.max_tokens) return bad(ERRORS.budgetNotBelowMax);
      }
      if (thinkingActive(body) && body.temperature !== undefined && body.temperature !== 1) return bad(ERRORS.temperatureWithThinking);
    }

    if (this.knownModels && !this.knownModels.includes(body.model)) return { status: 404, type: 'not_found_error', message: `model: ${body.model}` };
    const messagesRejection = this.checkMessages(body, betas);
    return messagesRejection ? bad(messagesRejection) : undefined;
  }

  private checkMessages(body: Json, betas: string[]): string | undefined {
    const all = body.messages;
    if (!Array.isArray(all)) return 'messages: Input should be a valid list';
    if (all.length === 0) return ERRORS.messagesEmpty;
    if (!betas.includes(MID_CONVERSATION_SYSTEM_BETA)) return this.checkConversation(body, all);
    // With the beta, `role: "system"` turns (text only) may sit anywhere; the other rules apply to
    // the conversation without them (error indices then count only the user/assistant turns).
    for (let i = 0; i < all.length; i++) {
      const m = all[i];
      if (m?.role !== 'system') continue;
      const texts = typeof m.content === 'string' ? [m.content] : Array.isArray(m.content) ? m.content : undefined;
      if (!texts || texts.length === 0) return `messages.${i}: system messages must have non-empty content`;
      for (const block of texts) {
        if (typeof block === 'string' ? block === '' : block?.type !== 'text' || typeof block.text !== 'string' || block.text === '') {
          return `messages.${i}.content: system messages take only non-empty text`;
        }
      }
    }
    return this.checkConversation(body, all.filter((m) => m?.role !== 'system'));
  }

  private checkConversation(body: Json, messages: Json[]): string | undefined {
    if (messages.length === 0) return ERRORS.firstMessageUser;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      const at = `messages.${i}`;
      if (!m || typeof m !== 'object') return `${at}: Input should be a valid dictionary`;
      if (m.role !== 'user' && m.role !== 'assistant') return `${at}.role: Input should be 'user' or 'assistant'`;
      if (i === 0 && m.role !== 'user') return ERRORS.firstMessageUser;
      if (i > 0 && messages[i - 1].role === m.role) {
        return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
      }
      const finalAssistant = i === messages.length - 1 && m.role === 'assistant';
      if (typeof m.content === 'string') {
        if (m.content === '' && !finalAssistant) return `${at}: all messages must have non-empty content except for the optional final assistant message`;
        continue;
      }
      if (!Array.isArray(m.content)) return `${at}.content: Input should be a valid string or list`;
      if (m.content.length === 0 && !finalAssistant) return `${at}: all messages must have non-empty content except for the optional final assistant message`;
      const allowed = m.role === 'user' ? USER_BLOCKS : ASSISTANT_BLOCKS;
      const previousToolUses = i > 0 ? toolUseIds(messages[i - 1]) : [];
      for (let j = 0; j < m.content.length; j++) {
        const block = m.content[j];
        const bat = `${at}.content.${j}`;
        if (!block || typeof block !== 'object' || typeof block.type !== 'string') return `${bat}: Input should be a valid dictionary with a 'type'`;
        if (!allowed.includes(block.type)) {
          return `${bat}: Input tag '${block.type}' found using 'type' does not match any of the expected tags: ${allowed.map((t) => `'${t}'`).join(', ')}`;
        }
        switch (block.type) {
          case 'text':
            if (typeof block.text !== 'string') return `${bat}.text: Field required`;
            if (block.text === '') return ERRORS.emptyText;
            break;
          case 'image': {
            const source = block.source;
            if (!source || !['base64', 'url', 'file'].includes(source.type)) return `${bat}.image.source: Input tag '${source?.type}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
            if (source.type === 'base64' && !['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(source.media_type)) {
              return `${bat}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
            }
            break;
          }
          case 'tool_use':
            if (typeof block.id !== 'string' || !ID_PATTERN.test(block.id)) return `${bat}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
            if (typeof block.name !== 'string' || block.name === '') return `${bat}.tool_use.name: Field required`;
            if (!block.input || typeof block.input !== 'object' || Array.isArray(block.input)) return `${bat}.tool_use.input: Input should be a valid dictionary`;
            break;
          case 'tool_result':
            if (typeof block.tool_use_id !== 'string') return `${bat}.tool_result.tool_use_id: Field required`;
            if (!previousToolUses.includes(block.tool_use_id)) {
              return `${bat}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
            }
            break;
          case 'thinking':
            if (typeof block.thinking !== 'string') return `${bat}.thinking.thinking: Field required`;
            if (typeof block.signature !== 'string') return `${bat}.thinking.signature: Field required`;
            if (!this.issuedSignature(block.signature, block.thinking)) return `${bat}: Invalid \`signature\` in \`thinking\` block`;
            break;
          case 'redacted_thinking':
            // The fake never issues redacted thinking, so no data it is sent can be genuine.
            return `${bat}: Invalid \`data\` in \`redacted_thinking\` block`;
        }
      }
      if (m.role === 'assistant' && i + 1 < messages.length) {
        const answered = new Set(toolResultIds(messages[i + 1]));
        const missing = toolUseIds(m).filter((id) => !answered.has(id));
        if (missing.length > 0) {
          return `${at}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
        }
      }
    }
    // With thinking on, the assistant turn that called the tools must keep its thinking block.
    const last = messages[messages.length - 1];
    if (thinkingActive(body) && last.role === 'user' && toolResultIds(last).length > 0) {
      const index = messages.length - 2;
      const first = Array.isArray(messages[index].content) ? messages[index].content[0] : undefined;
      if (first?.type !== 'thinking' && first?.type !== 'redacted_thinking') {
        return `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first?.type ?? 'text'}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`.`;
      }
    }
    return undefined;
  }

  // ---- answers -------------------------------------------------------------------------------

  /** The default answer (§3.4 Samples C and D) for a valid request, as a Message object. */
  private answer(body: Json, scenario: AnswerScenario, n: number): Answer {
    const messages: Json[] = body.messages.filter((m: Json) => m?.role !== 'system');
    const last = messages[messages.length - 1];
    const results = last.role === 'user' && Array.isArray(last.content) ? last.content.filter((b: Json) => b.type === 'tool_result') : [];
    const tools: Json[] = Array.isArray(body.tools) ? body.tools : [];
    const customTools = tools.filter((t) => t.type === undefined || t.type === 'custom');
    const choice = body.tool_choice;
    const kind = scenario.answer ?? (customTools.length > 0 && results.length === 0 && choice?.type !== 'none' ? 'tool_use' : 'text');
    const messageId = `msg_01Fake${String(n).padStart(6, '0')}`;
    const content: Json[] = [];
    const issued: Array<[string, string]> = [];

    const userText = lastUserText(messages);
    const wantThinking = scenario.thinking !== undefined ? scenario.thinking !== false : thinkingActive(body);
    if (wantThinking) {
      const omitted = body.thinking?.display === 'omitted';
      const thinking = omitted ? '' : typeof scenario.thinking === 'string' ? scenario.thinking : `The user wrote "${userText}". I will answer briefly.`;
      const signature = `Eq${createHash('sha256').update(`${messageId}\n${thinking}`).digest('base64')}`;
      issued.push([signature, thinking]);
      content.push({ type: 'thinking', thinking, signature });
    }

    let stopReason: StopReason;
    let stopSequence: string | null = null;
    if (kind === 'tool_use') {
      const named = choice?.type === 'tool' ? customTools.find((t) => t.name === choice.name) : undefined;
      const tool = named ?? customTools[0];
      (scenario.toolUses ?? [scenario.toolUse]).forEach((use, i) => {
        const name = use?.name ?? tool?.name ?? 'tool';
        const input = use?.input ?? sampleInput(tool?.input_schema, userText);
        const id = use?.id ?? `toolu_01Fake${String(n).padStart(6, '0')}${i > 0 ? `_${i}` : ''}`;
        content.push({ type: 'tool_use', id, name, input });
      });
      stopReason = 'tool_use';
    } else {
      let text = scenario.text ?? (results.length > 0 ? `Tool said: ${results.map((r: Json) => toolResultText(r.content)).join('\n')}` : `You said: ${userText}`);
      stopReason = 'end_turn';
      for (const seq of (body.stop_sequences ?? []) as string[]) {
        const at = seq ? text.indexOf(seq) : -1;
        if (at >= 0) {
          text = text.slice(0, at);
          stopReason = 'stop_sequence';
          stopSequence = seq;
        }
      }
      const room = Math.max(0, body.max_tokens - content.reduce((sum, b) => sum + tokens(b.thinking ?? ''), 0));
      if (tokens(text) > room) {
        text = text.slice(0, room * 4);
        stopReason = 'max_tokens';
        stopSequence = null;
      }
      content.push({ type: 'text', text });
    }

    const cache = this.cacheUsage(body);
    const usage: Usage = {
      input_tokens: cache.input,
      cache_creation_input_tokens: cache.creation,
      cache_read_input_tokens: cache.read,
      output_tokens: Math.max(1, content.reduce((sum, b) => sum + tokens(b.text ?? b.thinking ?? JSON.stringify(b.input ?? '')), 0)),
      ...scenario.usage,
    };
    const message = {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: scenario.stopReason ?? stopReason,
      stop_sequence: stopSequence,
      usage,
    };
    return {
      message,
      usage,
      commit: () => {
        this.rateLimits.tokens.remaining -= usage.input_tokens + usage.output_tokens;
        for (const [signature, thinking] of issued) this.signatures.set(signature, thinking);
        if (cache.key) this.cachedPrefixes.add(cache.key);
      },
    };
  }

  /**
   * Simulated prompt caching: the prefix up to the last `cache_control` breakpoint (tools, then
   * system, then messages) is written on first sight and read afterwards. Unlike the real API
   * there is no minimum cacheable length and no TTL.
   */
  private cacheUsage(body: Json): { input: number; creation: number; read: number; key?: string } {
    const segments = inputSegments(body);
    const total = Math.max(1, segments.reduce((sum, s) => sum + s.tokens, 0));
    let end = -1;
    segments.forEach((s, i) => {
      if (s.breakpoint) end = i;
    });
    if (body.cache_control) end = segments.length - 1;
    if (end < 0) return { input: total, creation: 0, read: 0 };
    const prefix = segments.slice(0, end + 1);
    const prefixTokens = prefix.reduce((sum, s) => sum + s.tokens, 0);
    const key = createHash('sha256').update(JSON.stringify([body.model, prefix.map((s) => s.key)])).digest('hex');
    const hit = this.cachedPrefixes.has(key);
    return { input: total - prefixTokens, creation: hit ? 0 : prefixTokens, read: hit ? prefixTokens : 0, key: hit ? undefined : key };
  }

  private rateLimited(record: AnthropicRequest, retryAfterSeconds = 30, message?: string): Rejection {
    const headers: Record<string, string> = { 'retry-after': String(retryAfterSeconds) };
    if (record.auth?.kind === 'oauth') {
      const at = String(Math.floor(Date.now() / 1000) + retryAfterSeconds);
      Object.assign(headers, {
        'anthropic-ratelimit-unified-status': 'rejected',
        'anthropic-ratelimit-unified-5h-status': 'rejected',
        'anthropic-ratelimit-unified-5h-reset': at,
        'anthropic-ratelimit-unified-reset': at,
      });
    } else {
      Object.assign(headers, {
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': rfc3339(retryAfterSeconds),
      });
    }
    const fallback = record.auth?.kind === 'oauth' ? ERRORS.rateLimitedOAuth : ERRORS.rateLimitedApiKey;
    return { status: 429, type: 'rate_limit_error', message: message ?? fallback, headers };
  }

  /** `request-id`, the organization, and the rate-limit family of the request's credential kind. */
  private baseHeaders(record: AnthropicRequest, rateHeaders: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'request-id': record.requestId };
    if (!record.auth) return headers;
    headers['anthropic-organization-id'] = FAKE_ORGANIZATION_ID;
    if (!rateHeaders) return headers;
    if (record.auth.kind === 'api-key') {
      const families: Array<[string, RateLimitBucket]> = [
        ['requests', this.rateLimits.requests],
        ['tokens', this.rateLimits.tokens],
        ['input-tokens', this.rateLimits.inputTokens],
        ['output-tokens', this.rateLimits.outputTokens],
      ];
      for (const [name, bucket] of families) {
        headers[`anthropic-ratelimit-${name}-limit`] = String(bucket.limit);
        headers[`anthropic-ratelimit-${name}-remaining`] = String(Math.max(0, bucket.remaining));
        headers[`anthropic-ratelimit-${name}-reset`] = rfc3339(bucket.resetInSeconds);
      }
      return headers;
    }
    const now = Math.floor(Date.now() / 1000);
    const u = this.unifiedRateLimits;
    const windows: Array<[string, UnifiedWindow]> = [['5h', u.fiveHour], ['7d', u.sevenDay], ['7d_oi', u.sevenDayOi]];
    for (const [name, w] of windows) {
      headers[`anthropic-ratelimit-unified-${name}-status`] = w.status;
      headers[`anthropic-ratelimit-unified-${name}-reset`] = String(now + w.resetInSeconds);
    }
    const rejected = windows.find(([, w]) => w.status === 'rejected');
    headers['anthropic-ratelimit-unified-status'] = rejected ? 'rejected' : 'allowed';
    headers['anthropic-ratelimit-unified-reset'] = String(now + (rejected ?? windows[0])[1].resetInSeconds);
    return headers;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private take(endpoint: Endpoint, body: any): AnthropicScenario {
    const index = this.scripted.findIndex((s) => (s.endpoint ?? 'messages') === endpoint);
    if (index < 0) return (endpoint === 'messages' ? this.responder?.(body) : undefined) ?? { kind: 'answer' };
    return this.scripted.splice(index, 1)[0];
  }

  private async hold(active: Active): Promise<void> {
    this.heldResponses++;
    this.notify();
    await new Promise<void>((resolve) => {
      const wake = () => {
        this.holds.delete(wake);
        resolve();
      };
      active.wake = wake;
      this.holds.add(wake);
      if (active.gone) wake();
    });
  }

  private clientLeft(active: Active): void {
    if (active.gone) return;
    active.gone = true;
    this.abortedResponses++;
    this.clientDisconnects.push({ requestId: active.requestId, messageId: active.messageId, eventsSent: active.eventsSent, at: Date.now() });
    active.wake?.();
    this.notify();
  }

  private sendEvent(res: ServerResponse, event: Json): Promise<boolean> {
    if (res.destroyed) return Promise.resolve(false);
    // Wait until the bytes are on the socket, so a later drop cannot swallow them.
    return new Promise((resolve) => res.write(sseFrame(event, event.type), () => resolve(!res.destroyed)));
  }

  private sendJson(res: ServerResponse, status: number, body: Json, headers: Record<string, string>, record: AnthropicRequest, indent?: number): void {
    const text = JSON.stringify(body, null, indent);
    record.sent.push(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text, () => this.finished());
  }

  private finished(): void {
    this.finishedResponses++;
    this.notify();
  }

  private record(record: AnthropicRequest): void {
    this.requests.push(record);
    this.notify();
  }

  private next(): number {
    return ++this.counter;
  }

  protected override get label(): string {
    return 'fake Anthropic upstream';
  }
}

// ---- pure helpers (exported where tests compute expectations with them) -----------------------

export function defaultApiKeyRateLimits(): ApiKeyRateLimits {
  return {
    requests: { limit: 4000, remaining: 4000, resetInSeconds: 60 },
    tokens: { limit: 2_000_000, remaining: 2_000_000, resetInSeconds: 60 },
    inputTokens: { limit: 1_600_000, remaining: 1_600_000, resetInSeconds: 60 },
    outputTokens: { limit: 400_000, remaining: 400_000, resetInSeconds: 60 },
  };
}

export function defaultUnifiedRateLimits(): UnifiedRateLimits {
  return {
    fiveHour: { status: 'allowed', resetInSeconds: 3 * 3600 },
    sevenDay: { status: 'allowed', resetInSeconds: 4 * 86400 },
    sevenDayOi: { status: 'allowed', resetInSeconds: 4 * 86400 },
  };
}

/** `{"type":"error","error":{type,message},"request_id"}` (§3.5). */
export function errorBody(type: ErrorType, message: string, requestId: string): Json {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

/** The fake's token estimate: a quarter of the characters, rounded up. */
export function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** What count_tokens answers, and what input + cache_creation + cache_read add up to. */
export function countInputTokens(body: Json): number {
  return Math.max(1, inputSegments(body).reduce((sum, s) => sum + s.tokens, 0));
}

/** The 3-hex fingerprint Claude Code puts in its billing header (§3.2). */
export function claudeCodeFingerprint(firstUserText: string, version: string): string {
  const chars = [4, 7, 20].map((i) => firstUserText[i] ?? '0').join('');
  return createHash('sha256').update(`${BILLING_SALT}${chars}${version}`).digest('hex').slice(0, 3);
}

/** The two system blocks Claude Code opens with, for tests that play a well-behaved gateway. */
export function claudeCodeSystem(firstUserText: string, version = '2.1.109', entrypoint = 'cli'): Json[] {
  return [
    { type: 'text', text: `${BILLING_HEADER_PREFIX} cc_version=${version}.${claudeCodeFingerprint(firstUserText, version)}; cc_entrypoint=${entrypoint};` },
    { type: 'text', text: CLAUDE_CODE_IDENTITY, cache_control: { type: 'ephemeral' } },
  ];
}

/** The stream of a Message (Samples C and D): every event named, a ping after the first block start. */
export function streamEvents(message: Json): Json[] {
  const usage: Usage = message.usage;
  const events: Json[] = [
    { type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } },
  ];
  (message.content as Json[]).forEach((block, index) => {
    const delta = (d: Json) => events.push({ type: 'content_block_delta', index, delta: d });
    if (block.type === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      if (index === 0) events.push({ type: 'ping' });
      if (block.thinking) for (const piece of pieces(block.thinking, 2)) delta({ type: 'thinking_delta', thinking: piece });
      delta({ type: 'signature_delta', signature: block.signature });
    } else if (block.type === 'tool_use') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      if (index === 0) events.push({ type: 'ping' });
      delta({ type: 'input_json_delta', partial_json: '' });
      for (const piece of pieces(JSON.stringify(block.input), 3)) delta({ type: 'input_json_delta', partial_json: piece });
    } else {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      if (index === 0) events.push({ type: 'ping' });
      for (const piece of words(block.text)) delta({ type: 'text_delta', text: piece });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
      },
    },
    { type: 'message_stop' },
  );
  return events;
}

/** The text of the last user turn's text blocks (the reply echoes it). */
export function lastUserText(messages: Json[]): string {
  const last = [...messages].reverse().find((m) => m?.role === 'user' && blockTexts(m.content) !== '');
  return last ? blockTexts(last.content) : '(nothing)';
}

function blockTexts(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((b: Json) => b?.type === 'text' && typeof b.text === 'string').map((b: Json) => b.text).join('\n');
}

function toolResultText(content: unknown): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return blockTexts(content);
}

function toolUseIds(message: Json | undefined): string[] {
  if (message?.role !== 'assistant' || !Array.isArray(message.content)) return [];
  return message.content.filter((b: Json) => b?.type === 'tool_use').map((b: Json) => b.id);
}

function toolResultIds(message: Json | undefined): string[] {
  if (message?.role !== 'user' || !Array.isArray(message.content)) return [];
  return message.content.filter((b: Json) => b?.type === 'tool_result').map((b: Json) => b.tool_use_id);
}

function thinkingActive(body: Json): boolean {
  return body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive';
}

function checkSystem(system: unknown): string | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return 'system: Input should be a valid string or list';
  for (let i = 0; i < system.length; i++) {
    const block = system[i];
    if (block?.type !== 'text') return `system.${i}.type: Input should be 'text'`;
    if (typeof block.text !== 'string' || block.text === '') return 'system: text content blocks must be non-empty';
  }
  return undefined;
}

function checkTools(tools: unknown, choice: any): string | undefined {
  if (tools === undefined) return choice?.type === 'tool' ? 'tool_choice: a tool was named but no `tools` were given' : undefined;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const names = new Set<string>();
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i];
    if (!tool || typeof tool !== 'object') return `tools.${i}: Input should be a valid dictionary`;
    if (tool.type !== undefined && tool.type !== 'custom') continue; // server tools have their own shapes
    if (typeof tool.name !== 'string' || !TOOL_NAME_PATTERN.test(tool.name)) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
    if (tool.input_schema === undefined) return `tools.${i}.custom.input_schema: Field required`;
    if (typeof tool.input_schema !== 'object' || tool.input_schema?.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
    if (names.has(tool.name)) return 'tools: Tool names must be unique.';
    names.add(tool.name);
  }
  if (choice?.type === 'tool' && !names.has(choice.name)) return `tool_choice: tool \`${choice.name}\` not found in \`tools\``;
  return undefined;
}

/** Arguments that fit the schema: strings echo the user's text, so a test can check them. */
function sampleInput(schema: Json | undefined, userText: string): Json {
  const properties: Json = schema?.properties ?? {};
  const required: string[] = Array.isArray(schema?.required) && schema.required.length > 0 ? schema.required : Object.keys(properties);
  const input: Json = {};
  for (const name of required) {
    const prop: Json = properties[name] ?? {};
    if (Array.isArray(prop.enum) && prop.enum.length > 0) input[name] = prop.enum[0];
    else if (prop.type === 'number' || prop.type === 'integer') input[name] = 42;
    else if (prop.type === 'boolean') input[name] = true;
    else if (prop.type === 'array') input[name] = [];
    else if (prop.type === 'object') input[name] = {};
    else input[name] = userText;
  }
  return input;
}

interface Segment {
  tokens: number;
  key: unknown;
  breakpoint: boolean;
}

/** The prompt in cache order (tools, system, message blocks), each piece with its token estimate. */
function inputSegments(body: Json): Segment[] {
  const segments: Segment[] = [];
  const strip = (block: Json) => {
    const { cache_control: _ignored, ...rest } = block;
    return rest;
  };
  const push = (text: string, key: unknown, breakpoint: unknown) => segments.push({ tokens: tokens(text), key, breakpoint: Boolean(breakpoint) });
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    push(JSON.stringify({ name: tool.name, description: tool.description, input_schema: tool.input_schema }), strip(tool), tool.cache_control);
  }
  if (typeof body.system === 'string') push(body.system, body.system, false);
  else for (const block of Array.isArray(body.system) ? body.system : []) push(block.text ?? '', strip(block), block.cache_control);
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (typeof m?.content === 'string') {
      push(m.content, [m.role, m.content], false);
      continue;
    }
    for (const block of Array.isArray(m?.content) ? m.content : []) {
      const text =
        block.type === 'text' ? block.text ?? ''
        : block.type === 'tool_use' ? `${block.name}${JSON.stringify(block.input ?? {})}`
        : block.type === 'tool_result' ? toolResultText(block.content)
        : block.type === 'thinking' ? block.thinking ?? ''
        : block.type === 'image' ? 'x'.repeat(1600 * 4)
        : JSON.stringify(block);
      push(text, [m.role, strip(block)], block.cache_control);
    }
  }
  return segments;
}

function readClaudeCodeIdentity(body: any): ClaudeCodeIdentity | undefined {
  const system = Array.isArray(body?.system) ? body.system : undefined;
  const header = system?.[0]?.text;
  if (typeof header !== 'string' || !header.startsWith(BILLING_HEADER_PREFIX)) return undefined;
  const version = /cc_version=(\d+\.\d+\.\d+)\.([0-9a-f]{3})\s*;/.exec(header);
  const entrypoint = /cc_entrypoint=([a-z-]+)\s*;/.exec(header)?.[1];
  const messages: Json[] = Array.isArray(body.messages) ? body.messages : [];
  const first = messages.find((m) => m?.role === 'user');
  const firstText = typeof first?.content === 'string' ? first.content : (Array.isArray(first?.content) ? first.content.find((b: Json) => b?.type === 'text')?.text : '') ?? '';
  return {
    billingHeader: header,
    identityBlock: system?.[1]?.text === CLAUDE_CODE_IDENTITY,
    version: version?.[1],
    fingerprint: version?.[2],
    entrypoint,
    fingerprintMatches: version ? claudeCodeFingerprint(firstText, version[1]) === version[2] : false,
  };
}

function headerList(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : value ?? '';
  return joined.split(',').map((v) => v.trim()).filter(Boolean);
}

function rfc3339(inSeconds: number): string {
  return new Date(Math.ceil(Date.now() / 1000 + inSeconds) * 1000).toISOString().replace('.000Z', 'Z');
}
