// Plugin "kimi": a Kimi Code login (`byokey login kimi`) used through the Kimi Code API, which
// speaks OpenAI Chat Completions at https://api.kimi.com/coding/v1 (reference/wire-protocols.md
// §7). Requests carry the Kimi CLI's identity (kimi-identity.ts). The upstream lists its models
// at GET <base>/models in OpenAI's shape, so the gateway serves that list, not a fixed one.
// Model ids go to the upstream as it lists them: the original byokey stripped a `kimi-` prefix
// (seed-spec §3.9), but today's ids (`kimi-for-coding`, `kimi-k2-thinking`) carry it themselves.
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { LiveModel, ModelListCall, ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { withBearerToken, type BearerToken } from '../shared/bearer-token';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { readOpenAIModelList } from '../shared/openai-model-list';
import { getJson } from '../../upstream/get-json';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { listTimeouts, upstreamTimeouts } from '../../upstream/upstream-timeouts';
import { KIMI_MODELS } from './kimi.catalog';
import { kimiRequestHeaders } from './kimi-identity';

export const KIMI_DEFAULT_BASE_URL = 'https://api.kimi.com/coding/v1';

@ProviderPlugin({ type: 'kimi', catalog: KIMI_MODELS, accounts: 'kimi' })
@Injectable()
export class KimiExecutor implements ProviderExecutor<ChatCompletionRequest> {
  readonly protocol = 'openai-chat' as const;

  constructor(
    private readonly forwarder: OpenAIChatForwarder,
    private readonly credentials: AccountCredentials,
    private readonly http: UpstreamHttp,
  ) {}

  execute(call: UpstreamCall<ChatCompletionRequest>): Promise<UpstreamResult> {
    const settings = call.instance.settings;
    const send = ({ token, baseUrl, account }: BearerToken) =>
      this.forwarder.forward({
        instance: call.instance.name,
        baseUrl: baseUrl ?? settings.base_url ?? KIMI_DEFAULT_BASE_URL,
        headers: kimiHeaders(token, settings.headers),
        secret: token,
        body: call.body,
        model: call.model,
        stream: call.stream,
        signal: call.signal,
        timeouts: upstreamTimeouts(settings, account),
      });
    // An API key in providers.yaml wins; otherwise the logged-in account, refreshed as needed.
    return withBearerToken(this.credentials, 'kimi', call.credential, send, call.requestId);
  }

  listModels(call: ModelListCall): Promise<LiveModel[]> {
    const settings = call.instance.settings;
    const list = async ({ token, baseUrl, account }: BearerToken): Promise<LiveModel[]> => {
      const body = await getJson(this.http, {
        instance: call.instance.name,
        url: `${(baseUrl ?? settings.base_url ?? KIMI_DEFAULT_BASE_URL).replace(/\/+$/, '')}/models`,
        headers: lowerCaseKeys(kimiHeaders(token, settings.headers)),
        signal: call.signal,
        timeouts: listTimeouts(settings, account),
      });
      return readOpenAIModelList(body, call.instance.name);
    };
    return withBearerToken(this.credentials, 'kimi', call.credential, list);
  }
}

/** The Kimi CLI's identity, the instance's own `headers:` over it, and the credential last. */
export function kimiHeaders(token: string, extra: Record<string, string> | undefined): Record<string, string> {
  return { ...lowerCaseKeys(kimiRequestHeaders()), ...lowerCaseKeys(extra ?? {}), authorization: `Bearer ${token}` };
}
