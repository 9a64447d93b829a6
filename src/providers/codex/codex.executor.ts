// Plugin "codex": a ChatGPT subscription through the Codex backend's Responses API
// (reference/wire-protocols.md §1), over HTTP SSE or a kept-open WebSocket (`transport`). An
// instance with an API key instead talks to the OpenAI Platform's Responses API. Speaks
// Responses natively; /v1/chat/completions reaches it through the chat⇄Responses translators.
// Serves any OpenAI-shaped model id (CODEX_MODEL_PATTERN) besides its catalog, and lists what the
// backend's (or, with a key, the Platform's) `GET <base>/models` answers.
// The backend sees the Codex CLI's identity: the caller's own when the caller is the CLI.
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import type { ResponsesRequest } from '../../protocol/openai-responses';
import type { SseEvent } from '../../protocol/sse';
import {
  accountOf,
  type LiveModel,
  type ModelListCall,
  type OAuthCredential,
  type ProviderExecutor,
  type UpstreamCall,
  type UpstreamResult,
} from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { RateLimitSnapshots } from '../../store/rate-limit-snapshots';
import { UpstreamError } from '../../upstream/upstream-error';
import { getJson } from '../../upstream/get-json';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { readOpenAIModelList } from '../shared/openai-model-list';
import { readCodexModelList } from './codex-model-list';
import { CODEX_CLI_VERSION, callerSession, codexHeaders } from './codex-headers';
import { codexIdentity } from './codex-identity';
import { codexEventStream, type CodexStreamHooks } from './codex-event-stream';
import { CodexHttpTransport } from './codex-http.transport';
import { conversationKey, toCodexRequest } from './codex-request';
import { CodexSettingsDto } from './codex-settings.dto';
import { retryBeforeFirstEvent } from './codex-stream-attempts';
import { CODEX_MODELS } from './codex.catalog';
import { CodexWebSocketTransport, DEFAULT_WS_POOL_SIZE, upstreamConnectionGone } from './codex-ws.transport';
import { CodexWsMetrics, type CodexHttpFallbackReason } from './codex-ws.metrics';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { listTimeouts, upstreamTimeouts } from '../../upstream/upstream-timeouts';

export const CODEX_BASE_URL = 'https://chatgpt.com/backend-api/codex';
export const OPENAI_PLATFORM_BASE_URL = 'https://api.openai.com/v1';
/**
 * Ids shaped like OpenAI's text models, which a codex instance serves beyond its catalog (the
 * backend names a new one every few weeks): `gpt-…`, `chatgpt-…`, `codex-…`, and the o-series
 * (`o3`, `o4-mini`). Not `llama-3` or `qwen3-…`: those have no business going to ChatGPT when
 * nothing else serves them. `codex/<anything>` reaches the instance whatever its shape.
 */
export const CODEX_MODEL_PATTERN = /^(?:gpt-|chatgpt-|codex-|o\d)/;

@ProviderPlugin({ type: 'codex', catalog: CODEX_MODELS, modelPattern: CODEX_MODEL_PATTERN, settings: CodexSettingsDto, accounts: 'codex' })
@Injectable()
export class CodexExecutor implements ProviderExecutor<ResponsesRequest> {
  readonly protocol = 'openai-responses' as const;

  constructor(
    private readonly http: CodexHttpTransport,
    private readonly ws: CodexWebSocketTransport,
    private readonly credentials: AccountCredentials,
    private readonly rateLimits: RateLimitSnapshots,
    private readonly upstream: UpstreamHttp,
    private readonly wsMetrics: CodexWsMetrics,
  ) {}

  execute(call: UpstreamCall<ResponsesRequest>): Promise<UpstreamResult> {
    const { credential } = call;
    if (credential.kind === 'api-key') return this.platform(call, credential.key, credential.baseUrl);
    // The subscription: the account's token, refreshed as needed; a 401 refreshes and retries once.
    return this.credentials.run('codex', (account) => this.subscription(call, account), accountOf(credential), call.requestId);
  }

  /**
   * The models of the subscription (the backend's list, as the Codex CLI asks for it) or, with an
   * API key, of the OpenAI Platform, keeping only the ids this plugin can serve (no embeddings,
   * whisper, dall-e, …).
   */
  listModels(call: ModelListCall): Promise<LiveModel[]> {
    const settings = call.instance.settings as CodexSettingsDto;
    const instance = call.instance.name;
    const { credential } = call;
    const get = (url: string, headers: Record<string, string>, account?: OAuthCredential) =>
      getJson(this.upstream, { instance, url, headers: { ...lowerCaseKeys(settings.headers), ...headers }, signal: call.signal, timeouts: listTimeouts(settings, account) });
    if (credential.kind === 'api-key') {
      const baseUrl = trimSlash(credential.baseUrl ?? settings.base_url ?? OPENAI_PLATFORM_BASE_URL);
      return get(`${baseUrl}/models`, { authorization: `Bearer ${credential.key}` }).then((body) =>
        readOpenAIModelList(body, instance).filter((m) => CODEX_MODEL_PATTERN.test(m.id)),
      );
    }
    return this.credentials.run(
      'codex',
      async (account) => {
        const chatgptAccountId = typeof account.claims.chatgpt_account_id === 'string' ? account.claims.chatgpt_account_id : undefined;
        const baseUrl = trimSlash(settings.base_url ?? CODEX_BASE_URL);
        const body = await get(`${baseUrl}/models?client_version=${CODEX_CLI_VERSION}`, codexHeaders({ accessToken: account.accessToken, accountId: chatgptAccountId }), account);
        return readCodexModelList(body, instance);
      },
      accountOf(credential),
    );
  }

  /** The OpenAI Platform's Responses API with an API key: the same events, no Codex identity. */
  private async platform(call: UpstreamCall<ResponsesRequest>, key: string, keyBaseUrl?: string): Promise<UpstreamResult> {
    const settings = call.instance.settings as CodexSettingsDto;
    const baseUrl = keyBaseUrl ?? settings.base_url ?? OPENAI_PLATFORM_BASE_URL;
    const opened = await this.http.open({
      instance: call.instance.name,
      url: `${trimSlash(baseUrl)}/responses`,
      headers: { ...lowerCaseKeys(settings.headers), authorization: `Bearer ${key}` },
      secret: key,
      // Non-stream answers are assembled by the gateway from the stream.
      body: { ...call.body, model: call.model, stream: true },
      signal: call.signal,
      timeouts: upstreamTimeouts(settings, undefined),
    });
    return { kind: 'stream', status: 200, headers: opened.headers, events: codexEventStream(opened.events, { instance: call.instance.name, secret: key }) };
  }

  private async subscription(call: UpstreamCall<ResponsesRequest>, account: OAuthCredential): Promise<UpstreamResult> {
    const settings = call.instance.settings as CodexSettingsDto;
    const instance = call.instance.name;
    const body = toCodexRequest({ ...call.body, model: call.model });
    const client = call.clientHeaders;
    const sessionId = callerSession(client)?.value ?? conversationKey(call.body, account.accountId);
    body.prompt_cache_key ??= sessionId;
    const chatgptAccountId = typeof account.claims.chatgpt_account_id === 'string' ? account.claims.chatgpt_account_id : undefined;
    const headers = {
      ...lowerCaseKeys(settings.headers),
      ...codexHeaders({ accessToken: account.accessToken, accountId: chatgptAccountId, sessionId, identity: codexIdentity(client), clientHeaders: client }),
    };
    // A client's own WebSocket is served over an upstream socket of its own (whatever
    // `transport` says), where the backend resolves a follow-up's previous_response_id; such a
    // follow-up can go nowhere else, so it is never retried on a new socket or over HTTP.
    const affinity = call.affinity;
    const previous = affinity && typeof call.body.previous_response_id === 'string' ? call.body.previous_response_id : undefined;
    // v2's warm-up (`generate: false`) is the same kind of request: it only means something there.
    const generate = affinity ? call.body.generate : undefined;
    const wsBody = previous || generate !== undefined ? { ...body, previous_response_id: previous, generate } : body;
    const hooks: CodexStreamHooks = {
      instance,
      secret: account.accessToken,
      onRateLimits: (frame) => this.rateLimits.record('codex', account.accountId, { frame }),
    };
    const baseUrl = trimSlash(settings.base_url ?? CODEX_BASE_URL);
    const timeouts = upstreamTimeouts(settings, account);
    const overHttp = async (): Promise<{ headers: Record<string, string>; events: AsyncIterable<SseEvent> }> => {
      const opened = await this.http.open({
        instance,
        url: `${baseUrl}/responses`,
        headers,
        secret: account.accessToken,
        body,
        signal: call.signal,
        timeouts,
        onHeaders: (kept) => this.rateLimits.record('codex', account.accountId, { headers: codexRateHeaders(kept) }),
      });
      return { headers: opened.headers, events: codexEventStream(opened.events, hooks) };
    };

    const wantsWebSocket = settings.transport === 'websocket' || affinity !== undefined;
    if (!wantsWebSocket || !this.ws.enabled(instance)) {
      if (previous) throw upstreamConnectionGone(instance, previous);
      if (wantsWebSocket) this.wsMetrics.httpFallback(instance, 'disabled');
      const opened = await overHttp();
      return { kind: 'stream', status: 200, headers: opened.headers, events: opened.events };
    }

    const overWebSocket = async (fresh = false) =>
      codexEventStream(
        await this.ws.open({
          instance,
          accountId: account.accountId,
          accessToken: account.accessToken,
          url: settings.ws_url ?? `${baseUrl.replace(/^http/, 'ws')}/responses`,
          headers,
          body: wsBody,
          signal: call.signal,
          timeouts,
          poolSize: settings.ws_pool_size ?? DEFAULT_WS_POOL_SIZE,
          onIdleFrame: hooks.onRateLimits,
          fresh,
          affinity,
        }),
        hooks,
      );
    let first: AsyncIterable<SseEvent>;
    try {
      first = await overWebSocket();
    } catch (error) {
      // A refused upgrade (426) or a socket that cannot be opened: this request goes over HTTP.
      // Other answers to the upgrade (401, 429 …) are the backend's word, the same over HTTP.
      // A follow-up opens no socket, so its failure here says nothing about WebSockets.
      if (previous || !(error instanceof UpstreamError) || !isWebSocketTrouble(error)) throw error;
      this.ws.noteFailure(instance, error);
      this.wsMetrics.httpFallback(instance, fallbackReason(error));
      return { kind: 'stream', status: 200, headers: {}, events: (await overHttp()).events };
    }
    let retriedSocket = false;
    const events = retryBeforeFirstEvent(first, (error) => {
      if (call.signal.aborted || !(error instanceof UpstreamError) || !isWebSocketTrouble(error)) return undefined;
      this.ws.noteFailure(instance, error);
      if (previous) return Promise.reject(upstreamConnectionGone(instance, previous));
      // One fresh socket for a broken or expired connection; HTTP for a request too big for
      // a frame (1009) or when the fresh socket failed too.
      if (!retriedSocket && error.upstreamCode !== 'message_too_big' && this.ws.enabled(instance)) {
        retriedSocket = true;
        return overWebSocket(true);
      }
      this.wsMetrics.httpFallback(instance, fallbackReason(error));
      return overHttp().then((opened) => opened.events);
    });
    return { kind: 'stream', status: 200, headers: {}, events: this.noteWhenDone(instance, events) };
  }

  /** Resets the instance's WebSocket failure count once a response arrives whole. */
  private async *noteWhenDone(instance: string, events: AsyncIterable<SseEvent>): AsyncGenerator<SseEvent> {
    for await (const event of events) yield event;
    this.ws.noteSuccess(instance);
  }
}

/**
 * Failures of the WebSocket itself, which another socket or HTTP may not have. A handshake that
 * timed out counts (a proxy may stall upgrades); a response that timed out does not: the
 * upstream is slow, not the socket, and the router's failover treats it like an HTTP timeout.
 */
function isWebSocketTrouble(error: UpstreamError): boolean {
  if (error.failure === 'connect' || error.upstreamCode === 'websocket_connect_timeout') return true;
  if (error.failure === 'status' && (error.status === 426 || error.upstreamCode === 'message_too_big')) return true;
  return error.upstreamCode === 'websocket_connection_limit_reached';
}

/** What a WebSocket failure that sent the request over HTTP says about the WebSocket. */
function fallbackReason(error: UpstreamError): CodexHttpFallbackReason {
  if (error.failure === 'status' && error.status === 426) return 'refused';
  return error.upstreamCode === 'message_too_big' ? 'too_big' : 'failed';
}

/** The x-codex-* headers: plan usage windows and credits (§1.4). */
function codexRateHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) if (name.startsWith('x-codex-')) out[name] = headers[name];
  return out;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
