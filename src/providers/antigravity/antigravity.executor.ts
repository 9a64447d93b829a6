// Plugin "antigravity": a Google Antigravity login (`byokey login antigravity`) used through
// Antigravity's Code Assist (reference/wire-protocols.md §7): Gemini and Claude models, all
// answered in Gemini's protocol, so every client route reaches them through the protocol table.
// The calls, the project set-up and the envelopes are Code Assist's (gemini/code-assist/); what
// is Antigravity's own is in antigravity.variant.ts. Its models are the catalog: the model list
// Antigravity itself reads (fetchAvailableModels) is not in the reference.
import { Injectable } from '@nestjs/common';
import type { ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import type { GeminiRequest } from '../../protocol/gemini-generate-content';
import { UpstreamError } from '../../upstream/upstream-error';
import { CodeAssistCalls } from '../gemini/code-assist/code-assist-calls';
import { AntigravitySettingsDto } from './antigravity-settings.dto';
import { ANTIGRAVITY_MODELS } from './antigravity.catalog';
import { ANTIGRAVITY_CODE_ASSIST } from './antigravity.variant';

@ProviderPlugin({ type: 'antigravity', catalog: ANTIGRAVITY_MODELS, settings: AntigravitySettingsDto, accounts: 'antigravity' })
@Injectable()
export class AntigravityExecutor implements ProviderExecutor<GeminiRequest> {
  readonly protocol = 'gemini' as const;

  constructor(private readonly codeAssist: CodeAssistCalls) {}

  execute(call: UpstreamCall<GeminiRequest>): Promise<UpstreamResult> {
    refuseKeys(call);
    return this.codeAssist.execute(call, ANTIGRAVITY_CODE_ASSIST);
  }

  countTokens(call: UpstreamCall<GeminiRequest>): Promise<{ input_tokens: number }> {
    refuseKeys(call);
    return this.codeAssist.countTokens(call, ANTIGRAVITY_CODE_ASSIST);
  }
}

/** Antigravity has no API keys: an `api_key` in providers.yaml is a mistake worth naming. */
function refuseKeys(call: UpstreamCall<GeminiRequest>): void {
  if (call.credential.kind !== 'api-key') return;
  throw new UpstreamError(`instance ${call.instance.name} has an API key, but Antigravity takes only a Google login (\`byokey login antigravity\`)`, {
    failure: 'status',
    status: 401,
    instance: call.instance.name,
  });
}
