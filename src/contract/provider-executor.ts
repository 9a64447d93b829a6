// The contract between the gateway and a provider plugin (DESIGN.md "Contracts"). An executor
// receives a request already in the protocol it speaks natively and answers in that protocol:
// a JSON body, or a stream of events. Translation between protocols happens outside it.
import type { OAuthCredential } from '../auth/oauth-credential';
import type { ProviderInstanceConfig } from '../config/gateway-config';
import type { SseEvent } from '../protocol/sse';
import type { EmbeddingsRequest } from '../protocol/openai-embeddings';
import type { WireProtocol } from '../protocol/wire-protocol';
import type { JsonAnswer } from '../upstream/json-answer';

export type { WireProtocol };

/** The credential the router chose for one call. Never logged as a whole. */
export type Credential =
  | { kind: 'api-key'; /** stable, printable label such as `api_keys[1]` */ id: string; key: string; baseUrl?: string }
  /** A logged-in account chosen by routing; the executor gets its token from AccountCredentials. */
  | { kind: 'account'; provider: string; accountId: string }
  | OAuthCredential
  | { kind: 'none' };

export type { OAuthCredential };

export interface UpstreamCall<TBody = unknown> {
  instance: ProviderInstanceConfig;
  credential: Credential;
  /** The model id as the upstream knows it (any `instance/` prefix removed). */
  model: string;
  /** The request in the executor's protocol, `model` already set to the upstream's id. */
  body: TBody;
  stream: boolean;
  /** Aborted when the client leaves or the gateway shuts down: stop at once. */
  signal: AbortSignal;
  requestId: string;
  /**
   * Client headers an upstream may need to see, lower-cased: `anthropic-beta`,
   * `anthropic-version`, session ids. Never the client's credentials.
   */
  clientHeaders?: Record<string, string>;
  /** Set when the call is one of several on one client connection (see CallAffinity). */
  affinity?: CallAffinity;
  /**
   * The protocol `body` is in: the route target's, which is the executor's `protocol` unless its
   * model list said otherwise for this model (LiveModel.protocol). Only an executor that speaks
   * several protocols needs to read it; undefined means the executor's own.
   */
  protocol?: WireProtocol;
}

/**
 * Ties together the calls made for one client connection (an inbound Responses WebSocket), so
 * an executor can keep them on one upstream connection: a `previous_response_id` resolves only
 * on the upstream socket that produced it. The router tries the credential that served the
 * previous call first. Lives as long as the client connection.
 */
export interface CallAffinity {
  /** True once the client connection is gone. */
  readonly ended: boolean;
  /** The instance and credential key that served the last call (the router keeps it). */
  last?: { instance: string; credentialKey: string };
  /** Runs `listener` once the client connection is gone. */
  onEnd(listener: () => void): void;
}

/** Response headers worth keeping (rate limits, request ids), lower-cased. */
export type KeptHeaders = Record<string, string>;

export type UpstreamResult<TJson = unknown> =
  /**
   * A whole answer: `raw` is its text as the upstream sent it, for a route that answers in the
   * same protocol and changes nothing (it goes out as it came); `parsed()` is the object, for a
   * route that translates it. Built with `readJsonAnswer`, which has rejected a body that is
   * plainly not JSON; `parsed()` throws a protocol UpstreamError if it is not JSON after all.
   */
  | ({ kind: 'json'; status: number; headers: KeptHeaders } & JsonAnswer<TJson>)
  /**
   * A started stream. `events` yields the protocol's events without its terminator (no
   * `[DONE]`): the route writes that after a clean end. An upstream that stops early makes
   * `events` throw, never end quietly.
   */
  | { kind: 'stream'; status: number; headers: KeptHeaders; events: AsyncIterable<SseEvent> };

export interface ProviderExecutor<TBody = unknown> {
  readonly protocol: WireProtocol;
  /**
   * Runs one call. Resolves once the upstream has accepted it (status and headers known);
   * rejects with an UpstreamError when it did not.
   */
  execute(call: UpstreamCall<TBody>): Promise<UpstreamResult>;
  /** Counts a request's input tokens upstream, where the provider can (Anthropic's count_tokens). */
  countTokens?(call: UpstreamCall<TBody>): Promise<{ input_tokens: number }>;
  /**
   * Sends an OpenAI Embeddings request (POST /v1/embeddings), where the upstream serves one
   * (openai-compatible servers). Resolves with the upstream's whole JSON answer, kept as its
   * bytes; rejects with an UpstreamError like `execute`. A plugin without it cannot embed, and
   * the route refuses its models with a 400 before any call.
   */
  embeddings?(call: UpstreamCall<EmbeddingsRequest>): Promise<UpstreamResult>;
  /**
   * The models the upstream serves today, from its own list endpoint, where it has one. The
   * registry caches the answer (live-model-lists.ts): it is merged into GET /v1/models and
   * routes the ids it names. Rejects with an UpstreamError (or a GatewayError for a missing
   * login) when the list cannot be had.
   */
  listModels?(call: ModelListCall): Promise<LiveModel[]>;
}

/** One fetch of an upstream's model list. */
export interface ModelListCall {
  instance: ProviderInstanceConfig;
  /** The instance's first API key, or `none` for its provider's default account. */
  credential: Credential;
  /** Aborted when the fetch takes too long or the gateway shuts down. */
  signal: AbortSignal;
}

/** A model an upstream lists. */
export interface LiveModel {
  id: string;
  /** A name for people, where the upstream gives one (Anthropic's `display_name`). */
  displayName?: string;
  /** When the model was released, in unix seconds, where the upstream says. */
  created?: number;
  /**
   * The protocol this model is served over when it is not the executor's `protocol`: for an
   * upstream that offers each model on the endpoints it names (Copilot: chat completions for
   * most, Messages for Claude, Responses for Codex-class models). Routing picks the bridge from
   * it, and the executor's `execute` then receives the body in this protocol (`call.protocol`).
   * An executor sets it only to protocols its `execute` accepts.
   */
  protocol?: WireProtocol;
}

/** The account a credential names (routing picked it), or undefined for the provider's default. */
export function accountOf(credential: Credential): string | undefined {
  return credential.kind === 'account' ? credential.accountId : undefined;
}
