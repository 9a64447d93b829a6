// Forwards Chat Completions to `<base_url>/chat/completions` as they came: the body is the
// client's own object (unknown fields kept) with only `model` rewritten when the client used an
// alias or an `instance/` prefix; streams are passed on event by event.
import { Injectable } from '@nestjs/common';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import { CHAT_STREAM_DONE } from '../../protocol/openai-chat';
import type { SseEvent } from '../../protocol/sse';
import { decodeSse } from '../../protocol/sse-decoder';
import { ProviderPlugin } from '../../registry/provider-plugin.decorator';
import type { ProviderExecutor, UpstreamCall, UpstreamResult } from '../../registry/provider-executor';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from '../../config/gateway-config';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp, type UpstreamBody, type UpstreamResponse } from '../../upstream/upstream-http.service';
import { keepHeaders, upstreamStatusError } from '../../upstream/upstream-response';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

@ProviderPlugin({ type: 'openai-compatible' })
@Injectable()
export class OpenAICompatibleExecutor implements ProviderExecutor<ChatCompletionRequest> {
  readonly protocol = 'openai-chat' as const;

  constructor(private readonly http: UpstreamHttp) {}

  async execute(call: UpstreamCall<ChatCompletionRequest>): Promise<UpstreamResult> {
    const { instance, credential } = call;
    const settings = instance.settings;
    const baseUrl = (credential.kind === 'api-key' && credential.baseUrl) || settings.base_url || OPENAI_DEFAULT_BASE_URL;
    const headers: Record<string, string> = {
      // Lower-cased, so the gateway's own headers below replace a configured one however it is spelt.
      ...lowerCaseKeys(settings.headers),
      'content-type': 'application/json',
      accept: call.stream ? 'text/event-stream' : 'application/json',
    };
    if (credential.kind === 'api-key') headers.authorization = `Bearer ${credential.key}`;
    const body = call.body.model === call.model ? call.body : { ...call.body, model: call.model };

    const response = await this.http.request({
      instance: instance.name,
      url: joinUrl(baseUrl, 'chat/completions'),
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: call.signal,
      timeoutMs: settings.timeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
    });
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, instance.name, call.signal);
      throw upstreamStatusError(instance.name, response, text);
    }
    const kept = keepHeaders(response.headers);
    if (!call.stream) {
      const text = await this.http.text(response.body, instance.name, call.signal);
      return { kind: 'json', status: response.status, headers: kept, body: parseJson(text, instance.name) };
    }
    return { kind: 'stream', status: response.status, headers: kept, events: this.events(response, call) };
  }

  /** The upstream's chunks until `[DONE]`; an end without `[DONE]` is an error, not a success. */
  private async *events(response: UpstreamResponse, call: UpstreamCall): AsyncGenerator<SseEvent> {
    const body: UpstreamBody = response.body;
    let done = false;
    try {
      // Iterate without destroying the body on `[DONE]`, so the connection can go back to the pool.
      const chunks = this.http.chunks(body, call.instance.name, call.signal);
      for await (const event of decodeSse(chunks)) {
        if (event.data === CHAT_STREAM_DONE) {
          done = true;
          return;
        }
        yield event;
      }
    } finally {
      if (done) body.dump().catch(() => undefined);
      else body.destroy();
    }
    throw new UpstreamError(`upstream ${call.instance.name} ended the stream before [DONE]`, {
      failure: 'protocol',
      instance: call.instance.name,
    });
  }
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) out[name.toLowerCase()] = headers[name];
  return out;
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

function parseJson(text: string, instance: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError(`upstream ${instance} answered with a body that is not JSON`, {
      failure: 'protocol',
      instance,
    });
  }
}
