// Plugin "iflow": an iFlow login (`byokey login iflow`) used through iFlow's OpenAI-compatible
// API (reference/wire-protocols.md §7). The account's token is its API key (the login exchanged
// the OAuth token for it, iflow.oauth.ts); every request is signed with it (iflow-signature.ts).
// iFlow's CLI service shut down on 2026-04-17: the plugin still works against whatever endpoint
// an instance's base_url names.
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { withBearerToken, type BearerToken } from '../shared/bearer-token';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { upstreamTimeouts } from '../../upstream/upstream-timeouts';
import { IFLOW_MODELS } from './iflow.catalog';
import { IflowSigner } from './iflow-signature';

export const IFLOW_DEFAULT_BASE_URL = 'https://apis.iflow.cn/v1';

@ProviderPlugin({ type: 'iflow', catalog: IFLOW_MODELS, accounts: 'iflow' })
@Injectable()
export class IflowExecutor implements ProviderExecutor<ChatCompletionRequest> {
  readonly protocol = 'openai-chat' as const;

  constructor(
    private readonly forwarder: OpenAIChatForwarder,
    private readonly credentials: AccountCredentials,
    private readonly signer: IflowSigner,
  ) {}

  execute(call: UpstreamCall<ChatCompletionRequest>): Promise<UpstreamResult> {
    const settings = call.instance.settings;
    // Signed afresh on each attempt: a retry after a refresh has a new key, and a new time.
    const send = ({ token: apiKey, baseUrl, account }: BearerToken) =>
      this.forwarder.forward({
        instance: call.instance.name,
        baseUrl: baseUrl ?? settings.base_url ?? IFLOW_DEFAULT_BASE_URL,
        headers: { ...lowerCaseKeys(settings.headers), ...this.signer.headers(apiKey), authorization: `Bearer ${apiKey}` },
        secret: apiKey,
        body: call.body,
        model: call.model,
        stream: call.stream,
        signal: call.signal,
        timeouts: upstreamTimeouts(settings, account),
      });
    return withBearerToken(this.credentials, 'iflow', call.credential, send, call.requestId);
  }
}
