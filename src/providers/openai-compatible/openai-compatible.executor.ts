// Forwards Chat Completions to `<base_url>/chat/completions` as they came: the body is the
// client's own object (unknown fields kept) with only `model` rewritten when the client used an
// `instance/` prefix; streams are passed on event by event. An instance without `models:` serves
// what the upstream's `GET <base_url>/models` lists. Embeddings go to `<base_url>/embeddings` the
// same way, their JSON answer kept as its bytes.
import { Injectable } from '@nestjs/common';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { EmbeddingsRequest } from '../../protocol/openai-embeddings';
import type { LiveModel, ModelListCall, ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { getJson } from '../../upstream/get-json';
import { readJsonAnswer } from '../../upstream/json-answer';
import { keepHeaders, upstreamStatusError } from '../../upstream/upstream-response';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { readOpenAIModelList } from '../shared/openai-model-list';
import { listTimeouts, upstreamTimeouts } from '../../upstream/upstream-timeouts';
import { jsonText } from '../../protocol/raw-json';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

@ProviderPlugin({ type: 'openai-compatible' })
@Injectable()
export class OpenAICompatibleExecutor implements ProviderExecutor<ChatCompletionRequest> {
  readonly protocol = 'openai-chat' as const;

  constructor(
    private readonly forwarder: OpenAIChatForwarder,
    private readonly http: UpstreamHttp,
  ) {}

  execute(call: UpstreamCall<ChatCompletionRequest>): Promise<UpstreamResult> {
    const { instance, credential } = call;
    const settings = instance.settings;
    const headers: Record<string, string> = { ...settings.headers };
    if (credential.kind === 'api-key') headers.authorization = `Bearer ${credential.key}`;
    return this.forwarder.forward({
      instance: instance.name,
      baseUrl: (credential.kind === 'api-key' && credential.baseUrl) || settings.base_url || OPENAI_DEFAULT_BASE_URL,
      headers,
      secret: credential.kind === 'api-key' ? credential.key : undefined,
      body: call.body,
      model: call.model,
      stream: call.stream,
      signal: call.signal,
      timeouts: upstreamTimeouts(settings, undefined),
    });
  }

  /** `POST <base_url>/embeddings`: the body as it came (model set to the upstream's id), the JSON answer as its bytes. */
  async embeddings(call: UpstreamCall<EmbeddingsRequest>): Promise<UpstreamResult> {
    const { instance, credential, signal } = call;
    const settings = instance.settings;
    const headers: Record<string, string> = lowerCaseKeys(settings.headers);
    if (credential.kind === 'api-key') headers.authorization = `Bearer ${credential.key}`;
    const secret = credential.kind === 'api-key' ? credential.key : undefined;
    const baseUrl = (credential.kind === 'api-key' && credential.baseUrl) || settings.base_url || OPENAI_DEFAULT_BASE_URL;
    const body = call.body.model === call.model ? call.body : { ...call.body, model: call.model };
    const response = await this.http.request({
      instance: instance.name,
      url: `${baseUrl.replace(/\/+$/, '')}/embeddings`,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      body: jsonText(body),
      signal,
      timeouts: upstreamTimeouts(settings, undefined),
    });
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, instance.name, signal);
      throw upstreamStatusError(instance.name, response, text, secret);
    }
    const text = await this.http.text(response.body, instance.name, signal);
    return { kind: 'json', status: response.status, headers: keepHeaders(response.headers), ...readJsonAnswer(text, instance.name) };
  }

  async listModels(call: ModelListCall): Promise<LiveModel[]> {
    const { instance, credential } = call;
    const settings = instance.settings;
    const headers: Record<string, string> = lowerCaseKeys(settings.headers);
    if (credential.kind === 'api-key') headers.authorization = `Bearer ${credential.key}`;
    const baseUrl = (credential.kind === 'api-key' && credential.baseUrl) || settings.base_url || OPENAI_DEFAULT_BASE_URL;
    const body = await getJson(this.http, {
      instance: instance.name,
      url: `${baseUrl.replace(/\/+$/, '')}/models`,
      headers,
      signal: call.signal,
      timeouts: listTimeouts(settings, undefined),
    });
    return readOpenAIModelList(body, instance.name);
  }
}
