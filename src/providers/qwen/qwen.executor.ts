// Plugin "qwen": a Qwen Code login (`byokey login qwen`) used through Qwen's OpenAI-compatible
// API (reference/wire-protocols.md §7). The account's token answer names the API host
// (`resource_url`); requests carry the headers Qwen Code sends.
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { withBearerToken, type BearerToken } from '../shared/bearer-token';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { QWEN_MODELS } from './qwen.catalog';
import { upstreamTimeouts } from '../../upstream/upstream-timeouts';

export const QWEN_DEFAULT_BASE_URL = 'https://portal.qwen.ai/v1';
const QWEN_USER_AGENT = 'QwenCode/0.10.3 (darwin; arm64)';

@ProviderPlugin({ type: 'qwen', catalog: QWEN_MODELS, accounts: 'qwen' })
@Injectable()
export class QwenExecutor implements ProviderExecutor<ChatCompletionRequest> {
  readonly protocol = 'openai-chat' as const;

  constructor(
    private readonly forwarder: OpenAIChatForwarder,
    private readonly credentials: AccountCredentials,
  ) {}

  execute(call: UpstreamCall<ChatCompletionRequest>): Promise<UpstreamResult> {
    const settings = call.instance.settings;
    const send = ({ token, baseUrl, account }: BearerToken) =>
      this.forwarder.forward({
        instance: call.instance.name,
        // The account's token answer names its API host (`resource_url`).
        baseUrl: baseUrl ?? settings.base_url ?? baseUrlFor(account?.claims.resource_url),
        headers: {
          'user-agent': QWEN_USER_AGENT,
          'x-dashscope-useragent': QWEN_USER_AGENT,
          'x-dashscope-authtype': 'qwen-oauth',
          'x-dashscope-cachecontrol': 'enable',
          ...settings.headers,
          authorization: `Bearer ${token}`,
        },
        secret: token,
        body: call.body,
        model: call.model,
        stream: call.stream,
        signal: call.signal,
        timeouts: upstreamTimeouts(settings, account),
      });
    // An API key in providers.yaml wins; otherwise the logged-in account, refreshed as needed.
    return withBearerToken(this.credentials, 'qwen', call.credential, send, call.requestId);
  }
}

/** `resource_url` is a host (`portal.qwen.ai`) or a URL; either way the API root ends in /v1. */
export function baseUrlFor(resourceUrl: unknown): string {
  if (typeof resourceUrl !== 'string' || resourceUrl.trim() === '') return QWEN_DEFAULT_BASE_URL;
  const url = /^https?:\/\//.test(resourceUrl) ? resourceUrl : `https://${resourceUrl}`;
  return url.replace(/\/+$/, '').endsWith('/v1') ? url.replace(/\/+$/, '') : `${url.replace(/\/+$/, '')}/v1`;
}
