// Forwards Chat Completions to `<base_url>/chat/completions` as they came: the body is the
// client's own object (unknown fields kept) with only `model` rewritten when the client used an
// `instance/` prefix; streams are passed on event by event. An instance without `models:` serves
// what the upstream's `GET <base_url>/models` lists.
import { Injectable } from '@nestjs/common';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { LiveModel, ModelListCall, ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { getJson } from '../../upstream/get-json';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { readOpenAIModelList } from '../shared/openai-model-list';
import { listTimeouts, upstreamTimeouts } from '../../upstream/upstream-timeouts';

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
      timeouts: upstreamTimeouts(settings),
    });
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
      timeouts: listTimeouts(settings),
    });
    return readOpenAIModelList(body, instance.name);
  }
}
