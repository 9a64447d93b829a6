// A fake ChatGPT Codex backend that speaks reference/wire-protocols.md §1 on one port, over both
// transports: HTTP (`POST /backend-api/codex/responses`, SSE with `event:` lines, no `[DONE]`) and
// WebSocket v2 (same path, `response.create` frames in, bare event JSON out, socket kept open).
// It validates requests the way the real backend does (FastAPI-style `{"detail":…}` 400s), answers
// like Samples A and B by default, and has scripted failure modes (429 usage limits, in-stream
// failures, drops, close codes 1008/1009, the 60-minute connection limit, 426 refusals, stalled
// upgrades, holds). `GET /backend-api/codex/models?client_version=…` answers the model list as
// the Codex CLI reads it (`{"models":[ModelInfo…]}`, an ETag), with the same auth.
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { FakeUpstreamBase, pieces, readBody, sendJson, sleep, sseFrame, words } from './fake-upstream-base';

export const RESPONSES_PATH = '/backend-api/codex/responses';
export const MODELS_PATH = '/backend-api/codex/models';

/** What the Codex CLI reads of a backend model (its `ModelInfo`; the fake sends the fields it requires). */
export interface FakeCodexModel {
  slug: string;
  display_name: string;
  description?: string | null;
  visibility: 'list' | 'hide' | 'none';
  supported_in_api: boolean;
  priority: number;
}

/** The default list: a model newer than any catalog, a known one, and one the CLI hides from its picker. */
export const DEFAULT_CODEX_MODELS: readonly FakeCodexModel[] = [
  { slug: 'gpt-6.2-sol', display_name: 'GPT-6.2 Sol', description: 'Latest frontier model.', visibility: 'list', supported_in_api: true, priority: 0 },
  { slug: 'gpt-5.4', display_name: 'GPT-5.4', description: null, visibility: 'list', supported_in_api: true, priority: 1 },
  { slug: 'codex-auto-review', display_name: 'Codex Auto Review', description: null, visibility: 'hide', supported_in_api: false, priority: 9 },
];
/** The WebSocket v2 beta value the backend requires on the upgrade (§1.8). */
export const WS_BETA = 'responses_websockets=2026-02-06';
/** Body fields the backend answers with `Unsupported parameter: <name>` on both transports (§1.3). */
export const REJECTED_PARAMETERS = [
  'temperature',
  'top_p',
  'max_output_tokens',
  'max_completion_tokens',
  'stream_options',
  'user',
  'truncation',
  'prompt_cache_retention',
  'safety_identifier',
] as const;
/**
 * Rejected over HTTP only: WebSocket v2 frames carry them legitimately (§1.8). `generate: false`
 * is Codex CLI's warm-up over the WebSocket (0.171.0 sends it first on every socket): the
 * backend answers it with an empty completed response whose id a follow-up may name.
 */
export const HTTP_ONLY_REJECTED_PARAMETERS = ['previous_response_id', 'type', 'generate'] as const;
export const CONNECTION_LIMIT_MESSAGE =
  'Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.';
export const DEFAULT_USAGE = {
  input_tokens: 3120,
  input_tokens_details: { cached_tokens: 2944 },
  output_tokens: 42,
  output_tokens_details: { reasoning_tokens: 24 },
  total_tokens: 3162,
};
/** Arguments of the default function call (Sample B), streamed in three deltas. */
export const DEFAULT_CALL_ARGUMENTS = '{"command":["ls","-la"]}';

type Json = Record<string, any>;
export type CodexTransport = 'http' | 'ws';

export interface CodexRequest {
  transport: CodexTransport;
  /** HTTP: the request's headers; WebSocket: the upgrade request's headers. */
  headers: IncomingMessage['headers'];
  body: any;
  /** 1-based WebSocket connection number (ws only). */
  connection?: number;
  /** Set when the fake refused the request (validation, auth, connection limit). */
  rejected?: { status: number; detail: string };
  /** The response id, when the fake answered with a stream. */
  responseId?: string;
  /** Everything sent for this request, in order: events, WS metadata frames and error frames. */
  sent: Json[];
  receivedAt: number;
}

export interface CodexUpgrade {
  headers: IncomingMessage['headers'];
  outcome: 'accepted' | 'refused' | 'rejected' | 'closed' | 'stalled';
  /** HTTP status of a refused or rejected upgrade. */
  status?: number;
  connection?: number;
}

export interface ClientDisconnect {
  transport: CodexTransport;
  connection?: number;
  responseId: string;
  /** Stream events (metadata frames excluded) the client had been sent. */
  eventsSent: number;
  at: number;
}

export interface WsClose {
  connection: number;
  code: number;
  reason: string;
  by: 'client' | 'server';
}

export interface RateLimitWindow {
  usedPercent: number;
  windowMinutes: number;
  resetAfterSeconds: number;
}

export interface RateLimits {
  planType: string;
  primary: RateLimitWindow;
  secondary: RateLimitWindow;
  credits: { hasCredits: boolean; unlimited: boolean; balance: string };
}

/** A normal answer, optionally cut short. "After N" counts stream events from response.created (0). */
export interface StreamScenario {
  kind: 'stream';
  /** Only requests on this transport take the scenario; the others skip over it. */
  transport?: CodexTransport;
  /** Overrides the automatic choice (function call when tools and the last input is not a tool output). */
  answer?: 'text' | 'function_call';
  text?: string;
  /** Leave out the reasoning item of a text answer. */
  reasoning?: false;
  /** The reasoning summary of a text answer (default `**Reading the request**`). */
  reasoningSummary?: string;
  functionCall?: { name?: string; arguments?: string; callId?: string };
  /** Several function calls in one answer (parallel calls); wins over `functionCall`. */
  functionCalls?: Array<{ name?: string; arguments?: string; callId?: string }>;
  /** Replace the generated events entirely; `sequence_number` is added where missing. */
  events?: Json[];
  completedOutput?: 'empty' | 'filled';
  usage?: Json;
  delayMs?: number;
  /** Extra HTTP response headers; over WS they go into the `response.metadata` frame. */
  headers?: Record<string, string>;
  /** WS: send the metadata frames before response.created (default: the fake's `wsMetadataFrames`). */
  metadataFrames?: boolean;
  failAfter?: number;
  failure?: { code: string; message: string };
  /** Emit the Codex-wrapped `error` event after N events, then end (HTTP) / stay open (WS). */
  errorAfter?: number;
  error?: { status?: number; error?: Json; headers?: Record<string, string> };
  incompleteAfter?: number;
  incompleteReason?: string;
  /** HTTP: destroy the socket; WS: terminate (the client sees 1006). */
  dropAfter?: number;
  /** WS: close with `closeCode` (HTTP: destroy the socket). */
  closeAfter?: number;
  closeCode?: number;
  closeReason?: string;
  /** Emit N events, then wait for `release()` or the client's disconnect. */
  holdAfter?: number;
}

export type CodexScenario =
  | StreamScenario
  /** 429 usage_limit_reached with x-codex-* headers; over WS an error frame with status 429. */
  | { kind: 'usage_limit'; transport?: CodexTransport; planType?: string; resetsInSeconds?: number; message?: string; headers?: Record<string, string> }
  /** Any other HTTP error; over WS an error frame `{type:"error",status,error,headers}`. */
  | { kind: 'http_error'; transport?: CodexTransport; status: number; body?: unknown; rawBody?: string; headers?: Record<string, string> }
  /** WS only: close the socket instead of answering (default 1009, message too big). */
  | { kind: 'close'; code?: number; reason?: string }
  /** WS only: the 60-minute limit error frame; every later request on that socket gets it too. */
  | { kind: 'connection_limit' };

export type UpgradeOutcome =
  | { kind: 'accept' }
  /** Answer the upgrade with an HTTP status (default 426, so clients fall back to HTTP). */
  | { kind: 'refuse'; status?: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the upgrade, then close at once (default 1008, policy violation). */
  | { kind: 'close'; code?: number; reason?: string }
  /** Never answer the upgrade (a proxy that stalls it): the socket stays until the client gives up. */
  | { kind: 'stall' };

interface Active {
  responseId: string;
  eventsSent: number;
  gone: boolean;
  wake?: () => void;
}

interface Connection {
  id: number;
  socket: WebSocket;
  headers: IncomingMessage['headers'];
  openedAt: number;
  expired: boolean;
  closedByServer: boolean;
  /** Items known to each response completed on this socket: its context plus its output. */
  contexts: Map<string, Json[]>;
  chain: Promise<void>;
  active?: Active;
}

interface Sink {
  transport: CodexTransport;
  send(event: Json): Promise<boolean>;
  end(): void;
  drop(): void;
  close(code: number, reason: string): void;
}

interface Rejection {
  status: number;
  detail: string;
  type?: string;
  code?: string | null;
  param?: string | null;
}

export class FakeCodexBackend extends FakeUpstreamBase<CodexScenario> {
  /** When set, `Authorization: Bearer <token>` must carry one of these. */
  acceptedTokens?: string[];
  /** When set, `ChatGPT-Account-ID` must equal it. */
  accountId?: string;
  /** When set, other models get the backend's "not supported … ChatGPT account" 400. */
  supportedModels?: string[];
  /** What `GET …/models` lists (full ModelInfo objects go out; these are the fields that matter). */
  listedModels: FakeCodexModel[] = [...DEFAULT_CODEX_MODELS];
  /** Whether `response.completed.response.output` repeats the items (the real one often sends []). */
  completedOutput: 'empty' | 'filled' = 'empty';
  eventDelayMs = 0;
  /** Decides the answer from the request body when no scripted scenario is queued (a scripted agent). */
  responder?: (body: any) => CodexScenario | undefined;
  rateLimits: RateLimits = defaultRateLimits();
  /** Send the x-codex-* rate-limit headers on HTTP 200 answers too. */
  rateLimitHeaders = true;
  /** WS: send codex.response.metadata, codex.rate_limits and response.metadata before response.created. */
  wsMetadataFrames = true;
  /** WS: requests on a socket older than this get the connection-limit error frame. */
  wsMaxConnectionAgeMs = 60 * 60 * 1000;
  /** WS: a frame larger than this closes the socket with 1009. */
  wsMaxMessageBytes?: number;
  /** WS: how upgrades are answered when `scriptUpgrades` has nothing queued. */
  upgradeDefault: UpgradeOutcome = { kind: 'accept' };

  readonly requests: CodexRequest[] = [];
  /** `GET …/models` requests (apart from `requests`, which are model calls): headers and query. */
  readonly modelListRequests: Array<{ headers: IncomingMessage['headers']; query: Record<string, string> }> = [];
  readonly upgrades: CodexUpgrade[] = [];
  /** Requests per WebSocket connection, indexed by connection number - 1. */
  readonly requestsPerConnection: number[] = [];
  readonly wsCloses: WsClose[] = [];
  readonly clientDisconnects: ClientDisconnect[] = [];
  /** `response.processed` acknowledgements received over WS. */
  readonly processedAcks: Array<{ connection: number; responseId: string }> = [];
  /** WebSocket connections opened (accepted upgrades). */
  connections = 0;
  /** Responses whose client went away before the fake finished them. */
  abortedResponses = 0;
  /** Responses streamed to their end (completed, failed, incomplete or error event). */
  finishedResponses = 0;
  /** Responses that reached a `holdAfter` point. */
  heldResponses = 0;

  private upgradeScript: UpgradeOutcome[] = [];
  private readonly holds = new Set<() => void>();
  private readonly live = new Set<Connection>();
  private counter = 0;
  private wss?: WebSocketServer;

  /** Queue outcomes for the next WebSocket upgrades; later ones get `upgradeDefault`. */
  scriptUpgrades(...outcomes: UpgradeOutcome[]): this {
    this.upgradeScript.push(...outcomes);
    return this;
  }

  /** Let every held response go on (those whose client left simply stop). */
  release(): void {
    for (const wake of [...this.holds]) wake();
    this.holds.clear();
  }

  protected override setUp(server: Server): void {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: true });
    this.wss.on('headers', (headers, req) => {
      headers.push(`x-codex-turn-state: ${turnState(req.headers) ?? `ts_fake_${this.next()}`}`);
      headers.push('x-models-etag: "fake-models-1"');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  protected override get label(): string {
    return 'fake Codex backend';
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    return this.origin;
  }

  /** The `base_url` a gateway uses: `http://127.0.0.1:PORT/backend-api/codex`. */
  get httpUrl(): string {
    return `${this.url}/backend-api/codex`;
  }

  /** `ws://127.0.0.1:PORT/backend-api/codex/responses` */
  get wsUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}${RESPONSES_PATH}`;
  }

  get lastRequest(): CodexRequest {
    const last = this.requests[this.requests.length - 1];
    if (!last) throw new Error('the fake Codex backend received no request');
    return last;
  }

  /** WebSocket connections still open. */
  get openConnections(): number {
    return this.live.size;
  }

  waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= count, () => `${count} requests, saw ${this.requests.length}`, timeoutMs);
  }

  waitForConnections(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.connections >= count, () => `${count} WebSocket connections, saw ${this.connections}`, timeoutMs);
  }

  /** Pass `abortedResponses + 1` read before the request to wait for its abort. */
  waitForAborts(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.abortedResponses >= count, () => `${count} aborted responses, saw ${this.abortedResponses}`, timeoutMs);
  }

  waitForHolds(count = 1, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.heldResponses >= count, () => `${count} held responses, saw ${this.heldResponses}`, timeoutMs);
  }

  waitForWsCloses(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.wsCloses.length >= count, () => `${count} WebSocket closes, saw ${this.wsCloses.length}`, timeoutMs);
  }

  waitForFinished(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.finishedResponses >= count, () => `${count} finished responses, saw ${this.finishedResponses}`, timeoutMs);
  }

  override async stop(): Promise<void> {
    this.release();
    for (const conn of this.live) conn.socket.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await super.stop();
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path === MODELS_PATH && req.method === 'GET') return this.listModels(req, res);
    if (path !== RESPONSES_PATH) return sendJson(res, 404, { detail: 'Not Found' });
    if (req.method !== 'POST') return sendJson(res, 405, { detail: 'Method Not Allowed' });
    const text = await readBody(req);
    const record: CodexRequest = { transport: 'http', headers: req.headers, body: text, sent: [], receivedAt: Date.now() };
    let parsed = true;
    try {
      record.body = JSON.parse(text);
    } catch {
      parsed = false;
    }
    const rejection = this.checkHeaders(req.headers) ?? (parsed ? this.checkBody(record.body, 'http', []) : { status: 400, detail: 'Invalid JSON body' });
    if (rejection) {
      record.rejected = { status: rejection.status, detail: rejection.detail };
      this.record(record);
      return sendJson(res, rejection.status, { detail: rejection.detail });
    }
    const scenario = this.take('http', record.body);
    switch (scenario.kind) {
      case 'usage_limit': {
        const { body, headers } = this.usageLimit(scenario);
        record.rejected = { status: 429, detail: body.error.message };
        this.record(record);
        return sendJson(res, 429, body, headers);
      }
      case 'http_error': {
        record.rejected = { status: scenario.status, detail: scenario.rawBody ?? JSON.stringify(scenario.body ?? null) };
        this.record(record);
        if (scenario.rawBody !== undefined) {
          res.writeHead(scenario.status, { 'content-type': 'text/plain; charset=utf-8', ...scenario.headers });
          res.end(scenario.rawBody);
          return;
        }
        return sendJson(res, scenario.status, scenario.body ?? { detail: STATUS_CODES[scenario.status] ?? 'Error' }, scenario.headers);
      }
      case 'close':
      case 'connection_limit':
        throw new Error('unreachable: WebSocket-only scenarios are never taken over HTTP');
      case 'stream':
        break;
    }

    const responseId = `resp_fake${this.next()}`;
    record.responseId = responseId;
    this.record(record);
    const active: Active = { responseId, eventsSent: 0, gone: false };
    let selfEnded = false;
    res.on('close', () => {
      if (res.writableFinished || selfEnded) return;
      this.clientLeft(active, 'http');
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${responseId}`,
      'openai-model': record.body.model ?? '',
      'x-codex-turn-state': turnState(req.headers) ?? `ts_fake_${this.next()}`,
      'x-models-etag': '"fake-models-1"',
      ...(this.rateLimitHeaders ? rateLimitHeaders(this.rateLimits) : {}),
      ...scenario.headers,
    });
    const sink: Sink = {
      transport: 'http',
      send: async (event) => {
        if (res.destroyed) return false;
        const lines = sseFrame(event, typeof event.type === 'string' ? event.type : undefined);
        // Wait until the bytes are on the socket, so a later drop cannot swallow them.
        await new Promise<void>((resolve) => res.write(lines, () => resolve()));
        return !res.destroyed;
      },
      end: () => {
        selfEnded = true;
        res.end();
      },
      drop: () => {
        selfEnded = true;
        res.socket?.destroy();
      },
      close: () => sink.drop(),
    };
    await this.play(sink, record, scenario, active, []);
  }

  /** The model list, as ModelInfo objects with the fields the CLI requires (`ModelsResponse`). */
  private listModels(req: IncomingMessage, res: ServerResponse): void {
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://fake.invalid').searchParams);
    this.modelListRequests.push({ headers: req.headers, query });
    const rejection = this.checkHeaders(req.headers);
    if (rejection) return sendJson(res, rejection.status, { detail: rejection.detail });
    if (!/^\d+\.\d+\.\d+$/.test(query.client_version ?? '')) return sendJson(res, 400, { detail: 'client_version is required' });
    const models = this.listedModels.map((m) => ({
      description: null,
      default_reasoning_level: 'medium',
      supported_reasoning_levels: [
        { effort: 'low', description: 'Fast' },
        { effort: 'medium', description: 'Balanced' },
        { effort: 'high', description: 'Thorough' },
      ],
      shell_type: 'shell_command',
      upgrade: null,
      base_instructions: 'You are Codex.',
      supports_reasoning_summaries: true,
      support_verbosity: true,
      default_verbosity: 'low',
      apply_patch_tool_type: 'freeform',
      truncation_policy: { mode: 'tokens', limit: 10000 },
      supports_parallel_tool_calls: true,
      context_window: 272000,
      experimental_supported_tools: [],
      ...m,
    }));
    sendJson(res, 200, { models }, { etag: '"fake-models-1"' });
  }

  // ---- WebSocket -----------------------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const path = (req.url ?? '').split('?')[0];
    if (path !== RESPONSES_PATH) return rawReply(socket, 404, { detail: 'Not Found' });
    const attempt: CodexUpgrade = { headers: req.headers, outcome: 'accepted' };
    this.upgrades.push(attempt);
    const outcome = this.upgradeScript.shift() ?? this.upgradeDefault;
    if (outcome.kind === 'refuse') {
      attempt.outcome = 'refused';
      attempt.status = outcome.status ?? 426;
      rawReply(socket, attempt.status, outcome.body ?? { detail: STATUS_CODES[attempt.status] ?? 'Error' }, outcome.headers);
      return this.notify();
    }
    if (outcome.kind === 'stall') {
      attempt.outcome = 'stalled';
      return this.notify();
    }
    const beta = String(req.headers['openai-beta'] ?? '');
    const rejection: Rejection | undefined = !beta.split(',').map((v) => v.trim()).includes(WS_BETA)
      ? { status: 400, detail: `WebSocket connections require the OpenAI-Beta header ${WS_BETA}` }
      : this.checkHeaders(req.headers);
    if (rejection) {
      attempt.outcome = 'rejected';
      attempt.status = rejection.status;
      rawReply(socket, rejection.status, { detail: rejection.detail });
      return this.notify();
    }
    this.wss!.handleUpgrade(req, socket, head, (ws) => {
      const conn: Connection = {
        id: ++this.connections,
        socket: ws,
        headers: req.headers,
        openedAt: Date.now(),
        expired: false,
        closedByServer: false,
        contexts: new Map(),
        chain: Promise.resolve(),
      };
      attempt.connection = conn.id;
      this.live.add(conn);
      this.requestsPerConnection.push(0);
      // A client's protocol error must not crash the test process.
      ws.on('error', () => undefined);
      ws.on('message', (data, isBinary) => {
        conn.chain = conn.chain.then(() => this.onFrame(conn, data, isBinary)).catch(() => undefined);
      });
      ws.on('close', (code, reason) => {
        this.live.delete(conn);
        this.wsCloses.push({ connection: conn.id, code, reason: reason.toString(), by: conn.closedByServer ? 'server' : 'client' });
        if (conn.active && !conn.closedByServer) this.clientLeft(conn.active, 'ws', conn.id);
        this.notify();
      });
      if (outcome.kind === 'close') {
        attempt.outcome = 'closed';
        conn.closedByServer = true;
        ws.close(outcome.code ?? 1008, outcome.reason ?? 'Policy violation');
      }
      this.notify();
    });
  }

  private async onFrame(conn: Connection, data: RawData, isBinary: boolean): Promise<void> {
    const ws = conn.socket;
    if (isBinary) {
      conn.closedByServer = true;
      ws.close(1003, 'binary frames are not supported');
      return;
    }
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const text = buffer.toString('utf8');
    let body: any = text;
    let parsed = true;
    try {
      body = JSON.parse(text);
    } catch {
      parsed = false;
    }
    if (parsed && body?.type === 'response.processed') {
      this.processedAcks.push({ connection: conn.id, responseId: String(body.response_id) });
      return;
    }
    const record: CodexRequest = { transport: 'ws', headers: conn.headers, body, connection: conn.id, sent: [], receivedAt: Date.now() };
    this.requestsPerConnection[conn.id - 1]++;
    const reject = async (rejection: Rejection) => {
      record.rejected = { status: rejection.status, detail: rejection.detail };
      this.record(record);
      await this.sendFrame(conn, record, errorFrame(rejection));
    };

    if (this.wsMaxMessageBytes !== undefined && buffer.length > this.wsMaxMessageBytes) {
      record.rejected = { status: 413, detail: 'message too big' };
      this.record(record);
      conn.closedByServer = true;
      ws.close(1009, 'message too big');
      return;
    }
    if (!parsed) return reject({ status: 400, detail: 'Invalid JSON frame' });
    if (body?.type !== 'response.create') return reject({ status: 400, detail: `Unsupported message type: ${body?.type}` });
    if (conn.expired || Date.now() - conn.openedAt >= this.wsMaxConnectionAgeMs) return this.limitReached(conn, record);

    let prior: Json[] = [];
    const previous = body.previous_response_id;
    if (previous !== undefined && previous !== null) {
      const known = conn.contexts.get(String(previous));
      if (!known) {
        return reject({
          status: 400,
          detail: `Previous response with id '${previous}' not found.`,
          code: 'previous_response_not_found',
          param: 'previous_response_id',
        });
      }
      prior = known;
    }
    const rejection = this.checkBody(body, 'ws', prior);
    if (rejection) return reject(rejection);

    if (body.generate === false) return this.warmUp(conn, record, body, prior);

    const scenario = this.take('ws', body);
    switch (scenario.kind) {
      case 'usage_limit': {
        const { body: errorBody, headers } = this.usageLimit(scenario);
        record.rejected = { status: 429, detail: errorBody.error.message };
        this.record(record);
        await this.sendFrame(conn, record, { type: 'error', status: 429, error: errorBody.error, headers: titleCase(headers) });
        return;
      }
      case 'http_error': {
        const errorBody = scenario.body as Json | undefined;
        record.rejected = { status: scenario.status, detail: scenario.rawBody ?? JSON.stringify(errorBody ?? null) };
        this.record(record);
        await this.sendFrame(conn, record, {
          type: 'error',
          status: scenario.status,
          error: errorBody?.error ?? errorBody ?? { type: 'server_error', message: scenario.rawBody ?? STATUS_CODES[scenario.status] ?? 'Error' },
          ...(scenario.headers ? { headers: scenario.headers } : {}),
        });
        return;
      }
      case 'close':
        record.rejected = { status: 0, detail: `closed with ${scenario.code ?? 1009}` };
        this.record(record);
        conn.closedByServer = true;
        ws.close(scenario.code ?? 1009, scenario.reason ?? 'message too big');
        return;
      case 'connection_limit':
        return this.limitReached(conn, record);
      case 'stream':
        break;
    }

    const responseId = `resp_fake${this.next()}`;
    record.responseId = responseId;
    this.record(record);
    const active: Active = { responseId, eventsSent: 0, gone: false };
    conn.active = active;
    if (scenario.metadataFrames ?? this.wsMetadataFrames) {
      const frames = this.metadataFrames(responseId, record.body.model, conn.headers, scenario.headers);
      for (const frame of frames) if (!(await this.sendFrame(conn, record, frame))) return;
    }
    const sink: Sink = {
      transport: 'ws',
      send: (event) => this.sendFrame(conn, record, event, false),
      end: () => undefined,
      drop: () => {
        conn.closedByServer = true;
        ws.terminate();
      },
      close: (code, reason) => {
        conn.closedByServer = true;
        ws.close(code, reason);
      },
    };
    const completedItems = await this.play(sink, record, scenario, active, prior);
    if (conn.active === active) conn.active = undefined;
    if (completedItems) {
      conn.contexts.set(responseId, completedItems);
      // Scripted events may name their response themselves; a follow-up then names that id.
      const scriptedId: unknown = scenario.events?.find((e) => e.type === 'response.completed')?.response?.id;
      if (typeof scriptedId === 'string') conn.contexts.set(scriptedId, completedItems);
    }
  }

  /** A warm-up (`generate: false`): created and completed at once, no output, its input kept as context. */
  private async warmUp(conn: Connection, record: CodexRequest, body: Json, prior: Json[]): Promise<void> {
    const responseId = `resp_fake${this.next()}`;
    record.responseId = responseId;
    this.record(record);
    const base = responseObject(responseId, body);
    const completed = { ...base, status: 'completed', output: [], usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } };
    if (!(await this.sendFrame(conn, record, { type: 'response.created', sequence_number: 0, response: base }))) return;
    await this.sendFrame(conn, record, { type: 'response.completed', sequence_number: 1, response: completed });
    conn.contexts.set(responseId, [...prior, ...inputItems(body)]);
  }

  private async limitReached(conn: Connection, record: CodexRequest): Promise<void> {
    conn.expired = true;
    record.rejected = { status: 400, detail: CONNECTION_LIMIT_MESSAGE };
    this.record(record);
    await this.sendFrame(
      conn,
      record,
      errorFrame({ status: 400, detail: CONNECTION_LIMIT_MESSAGE, code: 'websocket_connection_limit_reached' }),
    );
  }

  private sendFrame(conn: Connection, record: CodexRequest, frame: Json, log = true): Promise<boolean> {
    return new Promise((resolve) => {
      if (conn.socket.readyState !== WebSocket.OPEN) return resolve(false);
      if (log) record.sent.push(frame);
      conn.socket.send(JSON.stringify(frame), (err) => resolve(!err));
    });
  }

  private metadataFrames(responseId: string, model: string, headers: IncomingMessage['headers'], extra?: Record<string, string>): Json[] {
    const limits = this.rateLimits;
    const now = Math.floor(Date.now() / 1000);
    const window = (w: RateLimitWindow) => ({ used_percent: w.usedPercent, window_minutes: w.windowMinutes, reset_at: now + w.resetAfterSeconds });
    return [
      { type: 'codex.response.metadata', metadata: { request_id: `req_${responseId}`, model } },
      {
        type: 'codex.rate_limits',
        plan_type: limits.planType,
        rate_limits: { primary: window(limits.primary), secondary: window(limits.secondary) },
        credits: { has_credits: limits.credits.hasCredits, unlimited: limits.credits.unlimited, balance: limits.credits.balance },
      },
      {
        type: 'response.metadata',
        headers: { 'x-codex-turn-state': turnState(headers) ?? `ts_fake_${this.next()}`, 'openai-model': model, ...extra },
        metadata: {},
      },
    ];
  }

  // ---- shared --------------------------------------------------------------------------------

  /**
   * Streams the answer through `sink`, applying the scenario's cut-off modes. Returns the items
   * the conversation holds after a completed response (prior + input + output), else undefined.
   */
  private async play(sink: Sink, record: CodexRequest, scenario: StreamScenario, active: Active, prior: Json[]): Promise<Json[] | undefined> {
    const body = record.body as Json;
    const answer = this.answer(body, scenario, active.responseId);
    const events = scenario.events
      ? scenario.events.map((e, i) => ('sequence_number' in e ? e : { type: e.type, sequence_number: i, ...e }))
      : answer.events;
    const delay = scenario.delayMs ?? this.eventDelayMs;
    const base = responseObject(active.responseId, body);
    for (let i = 0; i <= events.length; i++) {
      if (scenario.holdAfter === i) {
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
      if (active.gone) return undefined;
      const terminal = this.cutOff(scenario, i, base, sink.transport);
      if (terminal) {
        if (await sink.send(terminal)) record.sent.push(terminal);
        this.finishedResponses++;
        this.notify();
        sink.end();
        return undefined;
      }
      if (scenario.dropAfter === i) {
        sink.drop();
        return undefined;
      }
      if (scenario.closeAfter === i) {
        sink.close(scenario.closeCode ?? 1009, scenario.closeReason ?? 'message too big');
        return undefined;
      }
      if (i === events.length) break;
      if (!(await sink.send(events[i]))) return undefined;
      record.sent.push(events[i]);
      active.eventsSent++;
      if (delay && i < events.length - 1) await sleep(delay);
    }
    this.finishedResponses++;
    this.notify();
    sink.end();
    const output = scenario.events ? events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item) : answer.output;
    return [...prior, ...inputItems(body), ...output];
  }

  private cutOff(scenario: StreamScenario, i: number, base: Json, transport: CodexTransport): Json | undefined {
    if (scenario.failAfter === i) {
      const error = scenario.failure ?? {
        code: 'rate_limit_exceeded',
        message: `Rate limit reached for ${base.model}. Please try again in 11.054s.`,
      };
      return { type: 'response.failed', sequence_number: i, response: { ...base, status: 'failed', error } };
    }
    if (scenario.errorAfter === i) {
      const limit = this.usageLimit({});
      const status = scenario.error?.status ?? 429;
      return {
        type: 'error',
        sequence_number: i,
        // The SSE path carries `status_code`, the WebSocket path `status` (§1.7, §1.8).
        [transport === 'http' ? 'status_code' : 'status']: status,
        error: scenario.error?.error ?? limit.body.error,
        headers: scenario.error?.headers ?? titleCase(limit.headers),
      };
    }
    if (scenario.incompleteAfter === i) {
      return {
        type: 'response.incomplete',
        sequence_number: i,
        response: { ...base, status: 'incomplete', incomplete_details: { reason: scenario.incompleteReason ?? 'max_output_tokens' } },
      };
    }
    return undefined;
  }

  /** The default answer (§1.5 Samples A and B) with the request's tools, model and input echoed. */
  private answer(body: Json, scenario: StreamScenario, responseId: string): { events: Json[]; output: Json[] } {
    const items = inputItems(body);
    const last = items[items.length - 1];
    const lastIsToolOutput = last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output';
    const tools: Json[] = Array.isArray(body.tools) ? body.tools : [];
    const firstFunction = tools.find((t) => t?.type === 'function' && typeof t.name === 'string');
    const kind = scenario.answer ?? (firstFunction && !lastIsToolOutput ? 'function_call' : 'text');
    const base = responseObject(responseId, body);
    const events: Json[] = [
      { type: 'response.created', response: base },
      { type: 'response.in_progress', response: base },
    ];
    const output: Json[] = [];
    const n = this.next();

    if (kind === 'function_call') {
      (scenario.functionCalls ?? [scenario.functionCall]).forEach((call, index) => {
        const name = call?.name ?? firstFunction?.name ?? 'shell';
        const args = call?.arguments ?? DEFAULT_CALL_ARGUMENTS;
        const suffix = index > 0 ? `_${index}` : '';
        const callId = call?.callId ?? `call_fake${n}${suffix}`;
        const id = `fc_fake${n}${suffix}`;
        events.push({ type: 'response.output_item.added', output_index: index, item: { id, type: 'function_call', status: 'in_progress', name, call_id: callId, arguments: '' } });
        for (const delta of pieces(args, 3)) events.push({ type: 'response.function_call_arguments.delta', item_id: id, output_index: index, delta });
        events.push({ type: 'response.function_call_arguments.done', item_id: id, output_index: index, name, arguments: args });
        const item = { id, type: 'function_call', status: 'completed', name, call_id: callId, arguments: args };
        events.push({ type: 'response.output_item.done', output_index: index, item });
        output.push(item);
      });
    } else {
      let index = 0;
      if (scenario.reasoning !== false) {
        const id = `rs_fake${n}`;
        const summary = scenario.reasoningSummary ?? '**Reading the request**';
        events.push(
          { type: 'response.output_item.added', output_index: index, item: { id, type: 'reasoning', summary: [] } },
          { type: 'response.reasoning_summary_part.added', item_id: id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } },
        );
        for (const delta of pieces(summary, 2)) {
          events.push({ type: 'response.reasoning_summary_text.delta', item_id: id, output_index: index, summary_index: 0, delta });
        }
        const item = { id, type: 'reasoning', summary: [{ type: 'summary_text', text: summary }], encrypted_content: `gAAAAABo_fake_${responseId}` };
        events.push(
          { type: 'response.reasoning_summary_text.done', item_id: id, output_index: index, summary_index: 0, text: summary },
          { type: 'response.reasoning_summary_part.done', item_id: id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: summary } },
          { type: 'response.output_item.done', output_index: index, item },
        );
        output.push(item);
        index++;
      }
      const text = scenario.text ?? (lastIsToolOutput ? `Tool said: ${outputText(last.output)}` : `You said: ${lastUserText(items)}`);
      const id = `msg_fake${n}`;
      const part = (t: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: t });
      events.push(
        { type: 'response.output_item.added', output_index: index, item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
        { type: 'response.content_part.added', item_id: id, output_index: index, content_index: 0, part: part('') },
      );
      for (const delta of words(text)) {
        events.push({ type: 'response.output_text.delta', item_id: id, output_index: index, content_index: 0, delta, logprobs: [] });
      }
      const item = { id, type: 'message', status: 'completed', role: 'assistant', content: [part(text)] };
      events.push(
        { type: 'response.output_text.done', item_id: id, output_index: index, content_index: 0, text, logprobs: [] },
        { type: 'response.content_part.done', item_id: id, output_index: index, content_index: 0, part: part(text) },
        { type: 'response.output_item.done', output_index: index, item },
      );
      output.push(item);
    }

    const filled = (scenario.completedOutput ?? this.completedOutput) === 'filled';
    events.push({
      type: 'response.completed',
      response: { ...base, status: 'completed', output: filled ? output : [], usage: scenario.usage ?? DEFAULT_USAGE },
    });
    return { events: events.map(({ type, ...rest }, i) => ({ type, sequence_number: i, ...rest })), output };
  }

  private checkHeaders(headers: IncomingMessage['headers']): Rejection | undefined {
    const match = /^Bearer\s+(\S+)\s*$/.exec(String(headers.authorization ?? ''));
    if (!match || (this.acceptedTokens && !this.acceptedTokens.includes(match[1]))) return { status: 401, detail: 'Unauthorized' };
    const account = headers['chatgpt-account-id'];
    if (typeof account !== 'string' || account === '') return { status: 400, detail: 'Missing ChatGPT-Account-ID header' };
    if (this.accountId !== undefined && account !== this.accountId) {
      return { status: 403, detail: 'ChatGPT-Account-ID does not match the authenticated user' };
    }
    return undefined;
  }

  private checkBody(body: any, transport: CodexTransport, prior: Json[]): Rejection | undefined {
    const bad = (detail: string): Rejection => ({ status: 400, detail });
    if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('Invalid request body');
    const rejected: readonly string[] = transport === 'http' ? [...REJECTED_PARAMETERS, ...HTTP_ONLY_REJECTED_PARAMETERS] : REJECTED_PARAMETERS;
    for (const name of rejected) if (Object.hasOwn(body, name)) return bad(`Unsupported parameter: ${name}`);
    if (typeof body.model !== 'string' || body.model === '') return bad('Model is required');
    if (this.supportedModels && !this.supportedModels.includes(body.model)) {
      return bad(`The '${body.model}' model is not supported when using Codex with a ChatGPT account.`);
    }
    if (body.store !== false) return bad('Store must be set to false');
    if (transport === 'http' && body.stream !== true) return bad('Stream must be set to true');
    if (typeof body.instructions !== 'string') return bad('Instructions are required');
    if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) return bad('Input must be a list');
    const items = inputItems(body);
    if (items.some((item) => item?.role === 'system')) return bad('System messages are not allowed');
    const calls = new Set<string>();
    const answered = new Set<string>();
    for (const item of [...prior, ...items]) {
      if (item?.type === 'function_call' || item?.type === 'custom_tool_call') calls.add(item.call_id);
      if (item?.type === 'function_call_output' || item?.type === 'custom_tool_call_output') {
        if (!calls.has(item.call_id)) return bad(`No tool call found for function call output with call_id ${item.call_id}.`);
        answered.add(item.call_id);
      }
    }
    for (const callId of calls) if (!answered.has(callId)) return bad(`No tool output found for function call ${callId}.`);
    return undefined;
  }

  private usageLimit(scenario: { planType?: string; resetsInSeconds?: number; message?: string; headers?: Record<string, string> }) {
    const resetsIn = scenario.resetsInSeconds ?? 13872;
    const planType = scenario.planType ?? this.rateLimits.planType;
    const limits: RateLimits = {
      ...this.rateLimits,
      planType,
      primary: { ...this.rateLimits.primary, usedPercent: 100, resetAfterSeconds: resetsIn },
    };
    const body = {
      error: {
        type: 'usage_limit_reached',
        message: scenario.message ?? 'The usage limit has been reached',
        plan_type: planType,
        resets_at: Math.floor(Date.now() / 1000) + resetsIn,
        eligible_promo: null,
        resets_in_seconds: resetsIn,
      },
    };
    return { body, headers: { ...rateLimitHeaders(limits), 'x-codex-active-limit': 'codex', ...scenario.headers } };
  }

  /** The first queued scenario this transport may take; WS-only kinds are skipped over HTTP. */
  private take(transport: CodexTransport, body: any): CodexScenario {
    const index = this.scripted.findIndex((s) => {
      const only = 'transport' in s && s.transport ? s.transport : s.kind === 'close' || s.kind === 'connection_limit' ? 'ws' : undefined;
      return only === undefined || only === transport;
    });
    if (index < 0) return this.responder?.(body) ?? { kind: 'stream' };
    return this.scripted.splice(index, 1)[0];
  }

  private clientLeft(active: Active, transport: CodexTransport, connection?: number): void {
    if (active.gone) return;
    active.gone = true;
    this.abortedResponses++;
    this.clientDisconnects.push({ transport, connection, responseId: active.responseId, eventsSent: active.eventsSent, at: Date.now() });
    active.wake?.();
    this.notify();
  }

  private record(record: CodexRequest): void {
    this.requests.push(record);
    this.notify();
  }

  private next(): number {
    return ++this.counter;
  }

}

export function defaultRateLimits(): RateLimits {
  return {
    planType: 'plus',
    primary: { usedPercent: 12.5, windowMinutes: 300, resetAfterSeconds: 4400 },
    secondary: { usedPercent: 40, windowMinutes: 10080, resetAfterSeconds: 302400 },
    credits: { hasCredits: false, unlimited: false, balance: '0' },
  };
}

/** The x-codex-* headers of §1.4 for a snapshot (lower case, as Node sends them). */
export function rateLimitHeaders(limits: RateLimits): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {};
  for (const [name, w] of [['primary', limits.primary], ['secondary', limits.secondary]] as const) {
    headers[`x-codex-${name}-used-percent`] = String(w.usedPercent);
    headers[`x-codex-${name}-window-minutes`] = String(w.windowMinutes);
    headers[`x-codex-${name}-reset-at`] = String(now + w.resetAfterSeconds);
    headers[`x-codex-${name}-reset-after-seconds`] = String(w.resetAfterSeconds);
  }
  headers['x-codex-credits-has-credits'] = String(limits.credits.hasCredits);
  headers['x-codex-credits-unlimited'] = String(limits.credits.unlimited);
  headers['x-codex-credits-balance'] = limits.credits.balance;
  headers['x-codex-plan-type'] = limits.planType;
  return headers;
}

function responseObject(id: string, body: Json): Json {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'in_progress',
    model: body.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    store: false,
    reasoning: body.reasoning ?? null,
    usage: null,
    error: null,
    incomplete_details: null,
  };
}

function errorFrame(rejection: Rejection): Json {
  return {
    type: 'error',
    status: rejection.status,
    error: { type: rejection.type ?? 'invalid_request_error', code: rejection.code ?? null, message: rejection.detail, param: rejection.param ?? null },
  };
}

function inputItems(body: Json): Json[] {
  if (typeof body.input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body.input }] }];
  return Array.isArray(body.input) ? body.input : [];
}

function lastUserText(items: Json[]): string {
  const last = [...items].reverse().find((i) => i?.role === 'user' && (i.type === undefined || i.type === 'message'));
  if (!last) return '(nothing)';
  if (typeof last.content === 'string') return last.content;
  const parts: Json[] = Array.isArray(last.content) ? last.content : [];
  return parts.filter((p) => p?.type === 'input_text').map((p) => p.text).join('') || '(nothing)';
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.map((p: Json) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return JSON.stringify(output);
}

function turnState(headers: IncomingMessage['headers']): string | undefined {
  const value = headers['x-codex-turn-state'];
  return typeof value === 'string' && value ? value : undefined;
}

/** `x-codex-primary-used-percent` → `X-Codex-Primary-Used-Percent`, as WS error frames spell them. */
function titleCase(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase())] = value;
  return out;
}

/** An HTTP answer written straight onto an upgrade socket, which has no ServerResponse. */
function rawReply(socket: Duplex, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    `content-type: ${typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'}`,
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
