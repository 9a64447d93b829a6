// Sends a Chat Completions request to an OpenAI-style upstream and hands back its answer: the
// JSON body (checked, and kept as its raw text), or its SSE chunks up to `[DONE]`, each checked
// as it is decoded: a chunk that is not a JSON object, or that carries an error (what OpenRouter
// and vLLM send when a provider fails, often followed by a cheerful `[DONE]`), ends the stream as
// the failure it is. Shared by every plugin whose upstream speaks OpenAI chat (openai-compatible,
// Qwen, …); each adds only its URL, credential and headers.
import { Injectable } from '@nestjs/common';
import { CHAT_STREAM_DONE, type ChatCompletionRequest } from '../../protocol/openai-chat';
import type { SseEvent } from '../../protocol/sse';
import { chatErrorOf, type ChatStreamError } from '../../translate/chat-stream-error';
import type { UpstreamResult } from '../../contract/provider-executor';
import { parseUpstreamObject } from '../../upstream/parse-upstream-json';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp, type SseEnd } from '../../upstream/upstream-http.service';
import { readJsonAnswer } from '../../upstream/json-answer';
import { keepHeaders, upstreamStatusError } from '../../upstream/upstream-response';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';
import { jsonText } from '../../protocol/raw-json';

export interface ChatForwardRequest {
  /** Provider instance name, for errors. */
  instance: string;
  /** The API root; the request goes to `<baseUrl>/chat/completions`. */
  baseUrl: string;
  /** Headers of the plugin (auth, identity); content-type and accept are added here. */
  headers: Record<string, string>;
  /** The credential in those headers, redacted from the upstream's error messages. */
  secret?: string;
  body: ChatCompletionRequest;
  /** The model id to send; the body's own is replaced only when it differs. */
  model: string;
  stream: boolean;
  signal: AbortSignal;
  timeouts: UpstreamTimeouts;
}

@Injectable()
export class OpenAIChatForwarder {
  constructor(private readonly http: UpstreamHttp) {}

  async forward(request: ChatForwardRequest): Promise<UpstreamResult> {
    const { instance, signal } = request;
    const body = request.body.model === request.model ? request.body : { ...request.body, model: request.model };
    const response = await this.http.request({
      instance,
      url: `${request.baseUrl.replace(/\/+$/, '')}/chat/completions`,
      method: 'POST',
      headers: {
        // Lower-cased, so the headers set below replace a plugin's one however it is spelt.
        ...lowerCaseKeys(request.headers),
        'content-type': 'application/json',
        accept: request.stream ? 'text/event-stream' : 'application/json',
      },
      body: jsonText(body),
      signal,
      timeouts: request.timeouts,
    });
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, instance, signal);
      throw upstreamStatusError(instance, response, text, request.secret);
    }
    const kept = keepHeaders(response.headers);
    if (!request.stream) {
      const text = await this.http.text(response.body, instance, signal);
      const answer = readJsonAnswer(text, instance);
      const failed = chatErrorOf(answer.parsed());
      if (failed) throw reportedError(instance, failed, 'status', request.secret);
      return { kind: 'json', status: response.status, headers: kept, ...answer };
    }
    // The upstream's chunks until `[DONE]`; an end without `[DONE]` is an error, not a success.
    const end: SseEnd = {
      isEnd: (event) => event.data === CHAT_STREAM_DONE,
      missing: () => new UpstreamError(`upstream ${instance} ended the stream before [DONE]`, { failure: 'protocol', instance }),
      // An error chunk throws an UpstreamError, which redacts the credential we sent from its words.
      check: (event) => checkChunk(event, instance, request.secret),
    };
    return { kind: 'stream', status: response.status, headers: kept, events: this.http.events(response.body, instance, signal, end) };
  }
}

/**
 * Checks a chunk before it is passed on: it must parse as a JSON object, and one that carries an
 * error is thrown. The parse is kept on the event, so a translator downstream does not parse it
 * again. (A scan that builds nothing was tried instead: on the strings the SSE decoder produces it
 * cost more per chunk than V8's JSON.parse.)
 */
function checkChunk(event: SseEvent, instance: string, secret: string | undefined): void {
  const json = parseUpstreamObject(event.data, instance, 'a stream chunk');
  const failed = chatErrorOf(json);
  if (failed) throw reportedError(instance, failed, 'stream', secret);
  event.json = json;
}

/** An error the upstream reported in a 200 body or a chunk, with its status and type kept for mapping. */
function reportedError(instance: string, failed: ChatStreamError, failure: 'status' | 'stream', secret: string | undefined): UpstreamError {
  return new UpstreamError(`upstream ${instance} reported an error: ${failed.message}`, {
    failure,
    instance,
    // An error in a 200 body with no status of its own is the upstream failing, not the request.
    status: failed.status ?? (failure === 'status' ? 502 : undefined),
    upstreamMessage: failed.message,
    upstreamType: failed.type,
    upstreamCode: failed.code,
    upstreamParam: failed.param,
    secret,
  });
}
