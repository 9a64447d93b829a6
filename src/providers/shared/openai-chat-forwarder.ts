// Sends a Chat Completions request to an OpenAI-style upstream and hands back its answer: the
// JSON body (as its raw text, parsed only on demand), or its SSE chunks up to `[DONE]`. Shared by every plugin whose upstream speaks
// OpenAI chat (openai-compatible, Qwen, …); each adds only its URL, credential and headers.
import { Injectable } from '@nestjs/common';
import { CHAT_STREAM_DONE, type ChatCompletionRequest } from '../../protocol/openai-chat';
import type { UpstreamResult } from '../../registry/provider-executor';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp, type SseEnd } from '../../upstream/upstream-http.service';
import { readJsonAnswer } from '../../upstream/json-answer';
import { keepHeaders, upstreamStatusError } from '../../upstream/upstream-response';
import { redactSecrets } from '../../common/redact-secrets';
import type { SseEvent } from '../../protocol/sse';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';

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
      body: JSON.stringify(body),
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
      return { kind: 'json', status: response.status, headers: kept, ...readJsonAnswer(text, instance) };
    }
    // The upstream's chunks until `[DONE]`; an end without `[DONE]` is an error, not a success.
    const end: SseEnd = {
      isEnd: (event) => event.data === CHAT_STREAM_DONE,
      missing: () => new UpstreamError(`upstream ${instance} ended the stream before [DONE]`, { failure: 'protocol', instance }),
    };
    const scrub = (event: SseEvent) => scrubErrorChunk(event, request.secret);
    return { kind: 'stream', status: response.status, headers: kept, events: this.http.events(response.body, instance, signal, end, scrub) };
  }
}

/**
 * An error payload inside the stream (`data: {"error":{…}}`), redacted: it goes to a chat client
 * as it came, or becomes the error of a translated stream. Only events with an `"error"` key are
 * looked at, found by a plain substring (an escaped `\"error\"` in text does not match), so the
 * chunks of an answer pass untouched and unparsed.
 */
export function scrubErrorChunk(event: SseEvent, secret: string | undefined): SseEvent {
  if (!event.data.includes('"error"')) return event;
  const data = redactSecrets(event.data, secret);
  return data === event.data ? event : { ...event, data, json: undefined };
}
