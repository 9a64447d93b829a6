// Forwards Chat Completions to `<base_url>/chat/completions` as they came: the body is the
// client's own object (unknown fields kept) with only `model` rewritten when the client used an
// `instance/` prefix; streams are passed on event by event.
import { Injectable } from '@nestjs/common';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import type { ProviderExecutor, UpstreamCall, UpstreamResult } from '../../registry/provider-executor';
import { ProviderPlugin } from '../../registry/provider-plugin.decorator';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { upstreamTimeouts } from '../../upstream/upstream-timeouts';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

@ProviderPlugin({ type: 'openai-compatible' })
@Injectable()
export class OpenAICompatibleExecutor implements ProviderExecutor<ChatCompletionRequest> {
  readonly protocol = 'openai-chat' as const;

  constructor(private readonly forwarder: OpenAIChatForwarder) {}

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
}
