// Plugin "copilot": a GitHub Copilot seat (`byokey login copilot`) used through the Copilot API
// (reference/wire-protocols.md §5). The GitHub login is exchanged for a short-lived Copilot token
// (copilot-token.ts), which names the API root; each request carries the editor identity and
// says who started the turn (copilot-headers.ts). The account's own model list says which
// endpoint serves each model: chat completions for most, Messages for Claude, Responses for
// Codex-class models — so this executor speaks all three, one per model (LiveModel.protocol).
// An instance with `api_key` uses it as the Copilot token itself (no exchange), at `base_url`.
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import {
  accountOf,
  type LiveModel,
  type ModelListCall,
  type OAuthCredential,
  type ProviderExecutor,
  type UpstreamCall,
  type UpstreamResult,
  type WireProtocol,
} from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/openai-chat';
import { isObject } from '../../protocol/json-object';
import { getJson } from '../../upstream/get-json';
import { readJsonAnswer } from '../../upstream/json-answer';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { keepHeaders, upstreamStatusError } from '../../upstream/upstream-response';
import { listTimeouts, upstreamTimeouts } from '../../upstream/upstream-timeouts';
import { OpenAIChatForwarder } from '../shared/openai-chat-forwarder';
import { completionFromStream, copilotChatEvents, mendCopilotCompletion } from './copilot-chat-answer';
import { messagesEvents, responsesEvents } from './copilot-event-streams';
import { copilotHeaders } from './copilot-headers';
import { readCopilotModelList, type CopilotProtocol } from './copilot-model-list';
import { CopilotQuota } from './copilot-quota';
import { CopilotSettingsDto } from './copilot-settings.dto';
import { CopilotTokens } from './copilot-token';
import { COPILOT_DEFAULT_API_URL, GITHUB_API_URL } from './copilot-versions';
import { COPILOT_MODELS } from './copilot.catalog';
import { jsonText } from '../../protocol/raw-json';

const ANTHROPIC_VERSION = '2023-06-01';
/** Fields Copilot's Responses endpoint refuses (CPA). */
const RESPONSES_REFUSES = ['service_tier'];

/** Where one call goes: the API root and the Copilot token to send. */
interface Target {
  apiUrl: string;
  token: string;
  /** The logged-in account the token came from (its own proxy wins); undefined for a key. */
  account: OAuthCredential | undefined;
}

@ProviderPlugin({ type: 'copilot', catalog: COPILOT_MODELS, settings: CopilotSettingsDto, accounts: 'copilot' })
@Injectable()
export class CopilotExecutor implements ProviderExecutor {
  readonly protocol = 'openai-chat' as const;
  /**
   * Instances whose upstream refused `"stream": false` (a third-party spec says Copilot does;
   * unverified, §5): their whole answers are asked for as streams and collected by the gateway.
   */
  private readonly streamOnly = new Set<string>();

  constructor(
    private readonly http: UpstreamHttp,
    private readonly forwarder: OpenAIChatForwarder,
    private readonly credentials: AccountCredentials,
    private readonly tokens: CopilotTokens,
    private readonly quota: CopilotQuota,
  ) {}

  execute(call: UpstreamCall): Promise<UpstreamResult> {
    const settings = call.instance.settings as CopilotSettingsDto;
    const { credential } = call;
    if (credential.kind === 'api-key') {
      return this.send(call, { apiUrl: trimSlash(credential.baseUrl ?? settings.base_url ?? COPILOT_DEFAULT_API_URL), token: credential.key, account: undefined });
    }
    // A 401 from the Copilot API forgets the Copilot token, and `run` calls once more: a new exchange.
    return this.credentials.run('copilot', (account) => this.withToken(call, account, (target) => this.send(call, target)), accountOf(credential), call.requestId);
  }

  /** The models the account is offered (`GET {api}/models`), each with the protocol that serves it. */
  listModels(call: ModelListCall): Promise<LiveModel[]> {
    const settings = call.instance.settings as CopilotSettingsDto;
    const instance = call.instance.name;
    const list = (target: Target) =>
      getJson(this.http, {
        instance,
        url: `${target.apiUrl}/models`,
        headers: copilotHeaders({ copilotToken: target.token, overrides: settings.headers }),
        signal: call.signal,
        timeouts: listTimeouts(settings, target.account),
      }).then((body) => readCopilotModelList(body, instance));
    const { credential } = call;
    if (credential.kind === 'api-key') return list({ apiUrl: trimSlash(credential.baseUrl ?? settings.base_url ?? COPILOT_DEFAULT_API_URL), token: credential.key, account: undefined });
    return this.credentials.run('copilot', (account) => this.withToken(call, account, list), accountOf(credential));
  }

  /** Runs `use` with the account's Copilot token; a token the API refuses is forgotten. */
  private async withToken<T>(call: Pick<UpstreamCall, 'instance'>, account: OAuthCredential, use: (target: Target) => Promise<T>): Promise<T> {
    const settings = call.instance.settings as CopilotSettingsDto;
    const githubApiUrl = trimSlash(settings.github_api_url ?? GITHUB_API_URL);
    const timeouts = upstreamTimeouts(settings, account);
    const exchanged = await this.tokens.get({ instance: call.instance.name, githubApiUrl, account, headers: settings.headers, timeouts });
    this.quota.refreshSoon({ instance: call.instance.name, githubApiUrl, accountId: account.accountId, githubToken: account.accessToken, headers: settings.headers, timeouts });
    try {
      return await use({ apiUrl: trimSlash(settings.base_url ?? exchanged.apiUrl), token: exchanged.token, account });
    } catch (error) {
      if (error instanceof UpstreamError && error.failure === 'status' && error.status === 401) this.tokens.forget(githubApiUrl, account.accountId, exchanged.token);
      throw error;
    }
  }

  private send(call: UpstreamCall, target: Target): Promise<UpstreamResult> {
    const protocol: WireProtocol = call.protocol ?? this.protocol;
    switch (protocol) {
      case 'openai-chat':
        return this.chat(call as UpstreamCall<ChatCompletionRequest>, target);
      case 'anthropic-messages':
        return this.post(call, target, protocol, '/v1/messages', { ...(call.body as object), model: call.model }, call.stream);
      case 'openai-responses': {
        const body: Record<string, unknown> = { ...(call.body as object), model: call.model, stream: true };
        for (const key of RESPONSES_REFUSES) delete body[key];
        // Always a stream: a whole answer is collected from it by the gateway.
        return this.post(call, target, protocol, '/responses', body, true);
      }
      case 'gemini':
      case 'kiro':
        // Copilot's model list never names them (copilotProtocol), so routing never asks for them.
        return Promise.reject(new UpstreamError(`upstream ${call.instance.name} serves no model over the ${protocol} protocol`, { failure: 'protocol', instance: call.instance.name }));
    }
  }

  private async chat(call: UpstreamCall<ChatCompletionRequest>, target: Target): Promise<UpstreamResult> {
    const settings = call.instance.settings as CopilotSettingsDto;
    const instance = call.instance.name;
    // Several choices folded into one unless the client asked for several (copilot-chat-answer.ts).
    const fold = !(typeof call.body.n === 'number' && call.body.n > 1);
    const forward = (stream: boolean) => {
      const body: ChatCompletionRequest = { ...call.body, model: call.model, stream };
      // Usage comes only when asked for; the gateway counts it (CPA sets it too).
      if (stream) body.stream_options = { ...(isObject(call.body.stream_options) ? call.body.stream_options : {}), include_usage: true };
      return this.forwarder.forward({
        instance,
        baseUrl: target.apiUrl,
        headers: copilotHeaders({ copilotToken: target.token, body, protocol: 'openai-chat', stream, overrides: settings.headers }),
        secret: target.token,
        body,
        model: call.model,
        stream,
        signal: call.signal,
        timeouts: upstreamTimeouts(settings, target.account),
      });
    };
    if (call.stream) {
      const result = await forward(true);
      return result.kind === 'stream' ? { ...result, events: copilotChatEvents(result.events, fold) } : result;
    }
    let result: UpstreamResult;
    if (this.streamOnly.has(instance)) result = await forward(true);
    else {
      try {
        result = await forward(false);
      } catch (error) {
        if (!refusesWholeAnswers(error)) throw error;
        this.streamOnly.add(instance);
        result = await forward(true);
      }
    }
    if (result.kind === 'stream') {
      // Asked for whole, answered as a stream: the whole answer is made here from its chunks.
      const completion = await completionFromStream(copilotChatEvents(result.events, fold));
      const raw = JSON.stringify(completion);
      return { kind: 'json', status: result.status, headers: result.headers, raw, parsed: () => completion };
    }
    const completion = result.parsed() as ChatCompletion;
    if (!mendCopilotCompletion(completion, fold)) return result;
    return { ...result, raw: JSON.stringify(completion), parsed: () => completion };
  }

  /** A Messages or Responses call: the body as it is, the answer read as that protocol's. */
  private async post(call: UpstreamCall, target: Target, protocol: CopilotProtocol, path: string, body: object, stream: boolean): Promise<UpstreamResult> {
    const settings = call.instance.settings as CopilotSettingsDto;
    const instance = call.instance.name;
    const client = call.clientHeaders ?? {};
    const headers: Record<string, string> = {
      ...copilotHeaders({ copilotToken: target.token, body, protocol, stream, overrides: settings.headers }),
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (protocol === 'anthropic-messages') {
      headers['anthropic-version'] = client['anthropic-version'] ?? ANTHROPIC_VERSION;
      if (client['anthropic-beta']) headers['anthropic-beta'] = client['anthropic-beta'];
    }
    const response = await this.http.request({
      instance,
      url: `${target.apiUrl}${path}`,
      method: 'POST',
      headers: lowerCaseKeys(headers),
      body: jsonText(body),
      signal: call.signal,
      timeouts: upstreamTimeouts(settings, target.account),
    });
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, instance, call.signal);
      throw upstreamStatusError(instance, response, text, target.token);
    }
    const kept = keepHeaders(response.headers);
    if (!stream) {
      const answer = readJsonAnswer<{ type?: unknown; error?: unknown }>(await this.http.text(response.body, instance, call.signal), instance);
      if (answer.parsed().type === 'error') {
        const error = isObject(answer.parsed().error) ? (answer.parsed().error as Record<string, unknown>) : {};
        throw new UpstreamError(`upstream ${instance} reported an error: ${String(error.message ?? 'unknown')}`, {
          failure: 'status',
          instance,
          status: 502,
          upstreamMessage: typeof error.message === 'string' ? error.message : undefined,
          upstreamType: typeof error.type === 'string' ? error.type : undefined,
          secret: target.token,
        });
      }
      return { kind: 'json', status: response.status, headers: kept, ...answer };
    }
    const raw = this.http.events(response.body, instance, call.signal);
    const events = protocol === 'anthropic-messages' ? messagesEvents(raw, instance, target.token) : responsesEvents(raw, instance, target.token);
    return { kind: 'stream', status: response.status, headers: kept, events: releasing(events, response.body) };
  }
}

/** The upstream refused a whole answer (`"stream": false is not supported`): ask for a stream instead. */
function refusesWholeAnswers(error: unknown): boolean {
  return error instanceof UpstreamError && error.failure === 'status' && error.status === 400 && /\bstream\b/i.test(error.upstreamMessage ?? '');
}

/** Lets the connection go back to the pool once the stream is over (or cut, when it was not). */
async function* releasing<T>(events: AsyncIterable<T>, body: { dump(): Promise<void> }): AsyncGenerator<T> {
  try {
    yield* events;
  } finally {
    body.dump().catch(() => undefined);
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
