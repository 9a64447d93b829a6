// Plugin "claude": Anthropic's Messages API (reference/wire-protocols.md §3) with an API key
// (`x-api-key`) or a Claude Pro/Max login (`byokey login claude` or the Claude Code import),
// which goes out as Claude Code: Bearer token (or x-api-key, `oauth_token_header`), the oauth
// and Claude Code betas merged with the client's, Claude Code's headers and system prefix.
// Speaks Messages natively: /v1/messages passes through, chat clients come translated.
// Serves any `claude-*` id (new ones appear monthly); lists what `GET /v1/models` answers.
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import type { AnthropicErrorEvent, MessagesRequest } from '../../protocol/anthropic-messages';
import {
  accountOf,
  type LiveModel,
  type ModelListCall,
  type OAuthCredential,
  type ProviderExecutor,
  type UpstreamCall,
  type UpstreamResult,
} from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { RateLimitSnapshots } from '../../store/rate-limit-snapshots';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { readJsonAnswer } from '../../upstream/json-answer';
import { upstreamStatusError } from '../../upstream/upstream-response';
import { OAUTH_BETAS, betasForBody, mergeBetas } from './claude-betas';
import { claudeCodeHeaders, withClaudeCodeIdentity } from './claude-code-identity';
import { claudeEventStream, claudeStreamError } from './claude-event-stream';
import { ClaudeSettingsDto } from './claude-settings.dto';
import { CLAUDE_MODELS } from './claude.catalog';
import { listTimeouts, upstreamTimeouts } from '../../upstream/upstream-timeouts';
import { getJson } from '../../upstream/get-json';
import { readClaudeModelPage } from './claude-model-list';
import { jsonText } from '../../protocol/raw-json';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** Every Claude model id starts so; ids not yet in the catalog go upstream, which knows them. */
export const CLAUDE_MODEL_PATTERN = /^claude-/;
/** Pages of 1000 (the API's largest); Anthropic lists a few dozen models, so this bound is never near. */
const MODEL_LIST_MAX_PAGES = 5;

/** What one request needs besides its body: credential headers, betas, and whose limits to note. */
interface Prepared {
  headers: Record<string, string>;
  /** The key or token in those headers, redacted from the upstream's errors. */
  secret: string;
  body: MessagesRequest;
  accountId?: string;
  /** The account's own proxy, which wins over the instance's. */
  proxyUrl?: string;
}

@ProviderPlugin({ type: 'claude', catalog: CLAUDE_MODELS, modelPattern: CLAUDE_MODEL_PATTERN, settings: ClaudeSettingsDto, accounts: 'claude' })
@Injectable()
export class ClaudeExecutor implements ProviderExecutor<MessagesRequest> {
  readonly protocol = 'anthropic-messages' as const;

  constructor(
    private readonly http: UpstreamHttp,
    private readonly credentials: AccountCredentials,
    private readonly rateLimits: RateLimitSnapshots,
  ) {}

  execute(call: UpstreamCall<MessagesRequest>): Promise<UpstreamResult> {
    return this.withCredential(call, (prepared) => this.send(call, prepared, 'messages'));
  }

  async countTokens(call: UpstreamCall<MessagesRequest>): Promise<{ input_tokens: number }> {
    const result = await this.withCredential(call, (prepared) => this.send(call, prepared, 'count_tokens'));
    if (result.kind !== 'json') throw new UpstreamError(`upstream ${call.instance.name} streamed a token count`, { failure: 'protocol', instance: call.instance.name });
    return result.parsed() as { input_tokens: number };
  }

  /** `GET /v1/models` with the instance's key, or as Claude Code with a login's token. */
  listModels(call: ModelListCall): Promise<LiveModel[]> {
    const settings = call.instance.settings as ClaudeSettingsDto;
    const { credential } = call;
    if (credential.kind === 'api-key') return this.fetchModels(call, { 'x-api-key': credential.key });
    return this.credentials.run('claude', (account: OAuthCredential) => {
      const identity = settings.claude_code_identity !== false;
      const tokenHeader: Record<string, string> =
        settings.oauth_token_header === 'x-api-key' ? { 'x-api-key': account.accessToken } : { authorization: `Bearer ${account.accessToken}` };
      return this.fetchModels(call, { ...(identity ? claudeCodeHeaders() : {}), ...tokenHeader, 'anthropic-beta': OAUTH_BETAS.join(',') }, account);
    }, accountOf(credential));
  }

  private async fetchModels(call: ModelListCall, credentialHeaders: Record<string, string>, account?: OAuthCredential): Promise<LiveModel[]> {
    const settings = call.instance.settings as ClaudeSettingsDto;
    const base = `${(settings.base_url ?? ANTHROPIC_BASE_URL).replace(/\/+$/, '')}/v1/models?limit=1000`;
    const models: LiveModel[] = [];
    let after: string | undefined;
    for (let page = 0; page < MODEL_LIST_MAX_PAGES; page++) {
      const body = await getJson(this.http, {
        instance: call.instance.name,
        url: after ? `${base}&after_id=${encodeURIComponent(after)}` : base,
        headers: { ...lowerCaseKeys(settings.headers), ...credentialHeaders, 'anthropic-version': ANTHROPIC_VERSION },
        signal: call.signal,
        timeouts: listTimeouts(settings, account),
      });
      const read = readClaudeModelPage(body, call.instance.name);
      models.push(...read.models);
      if (!read.next) break;
      after = read.next;
    }
    return models;
  }

  private withCredential(call: UpstreamCall<MessagesRequest>, send: (prepared: Prepared) => Promise<UpstreamResult>): Promise<UpstreamResult> {
    const settings = call.instance.settings as ClaudeSettingsDto;
    const { credential } = call;
    const body: MessagesRequest = withoutUnsignedThinking({ ...call.body, model: call.model });
    const clientBetas = call.clientHeaders?.['anthropic-beta'];
    if (credential.kind === 'api-key') {
      return send({ headers: { 'x-api-key': credential.key, ...betaHeader(mergeBetas(betasForBody(body), clientBetas, body.betas)) }, secret: credential.key, body });
    }
    // A login: the account's token, refreshed as needed; a 401 refreshes and retries once.
    return this.credentials.run('claude', (account: OAuthCredential) => {
      const identity = settings.claude_code_identity !== false;
      const tokenHeader: Record<string, string> =
        settings.oauth_token_header === 'x-api-key' ? { 'x-api-key': account.accessToken } : { authorization: `Bearer ${account.accessToken}` };
      const accountUuid = typeof account.claims.account_uuid === 'string' ? account.claims.account_uuid : undefined;
      return send({
        headers: {
          ...(identity ? claudeCodeHeaders() : {}),
          ...tokenHeader,
          ...betaHeader(mergeBetas([...OAUTH_BETAS, ...betasForBody(body)], clientBetas, body.betas)),
        },
        secret: account.accessToken,
        body: identity ? withClaudeCodeIdentity(body, accountUuid) : body,
        accountId: account.accountId,
        proxyUrl: account.proxyUrl,
      });
    }, accountOf(credential), call.requestId);
  }

  private async send(call: UpstreamCall<MessagesRequest>, prepared: Prepared, path: 'messages' | 'count_tokens'): Promise<UpstreamResult> {
    const settings = call.instance.settings as ClaudeSettingsDto;
    const instance = call.instance.name;
    const counting = path === 'count_tokens';
    // `betas` went into the header; the API does not take it in the body. count_tokens refuses
    // the fields that only steer generation (none changes the count), `metadata` among them —
    // which a login's Claude Code identity adds.
    const { betas: _betas, ...rest } = prepared.body;
    const body = counting ? withoutKeys(rest, COUNT_TOKENS_REFUSES) : rest;
    const stream = !counting && call.stream;
    const response = await this.http.request({
      instance,
      // Claude Code adds ?beta=true to its requests (§3.1).
      url: `${(settings.base_url ?? ANTHROPIC_BASE_URL).replace(/\/+$/, '')}/v1/messages${counting ? '/count_tokens' : ''}?beta=true`,
      method: 'POST',
      headers: {
        ...lowerCaseKeys(settings.headers),
        ...prepared.headers,
        'anthropic-version': call.clientHeaders?.['anthropic-version'] ?? ANTHROPIC_VERSION,
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
      },
      body: jsonText(body),
      signal: call.signal,
      timeouts: upstreamTimeouts(settings, prepared),
    });
    const limits = rateLimitHeaders(response.headers);
    if (prepared.accountId) this.rateLimits.record('claude', prepared.accountId, { headers: limits });
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, instance, call.signal);
      throw upstreamStatusError(instance, response, text, prepared.secret);
    }
    if (!stream) {
      const text = await this.http.text(response.body, instance, call.signal);
      const answer = readJsonAnswer<{ type?: unknown }>(text, instance);
      // An error in a 200 body (a proxy in front of Anthropic) is an error, not a Message.
      if (answer.parsed().type === 'error') throw claudeStreamError(instance, answer.parsed() as unknown as AnthropicErrorEvent);
      return { kind: 'json', status: response.status, headers: limits, ...answer };
    }
    const events = claudeEventStream(this.http.events(response.body, instance, call.signal), instance, prepared.secret);
    return { kind: 'stream', status: response.status, headers: limits, events: releasing(events, response.body) };
  }
}

/** Messages fields count_tokens answers "Extra inputs are not permitted" to. */
const COUNT_TOKENS_REFUSES = ['stream', 'max_tokens', 'stop_sequences', 'temperature', 'top_p', 'top_k', 'metadata', 'service_tier'];

/** Lets the connection go back to the pool once the stream is over (or cut, when it was not). */
async function* releasing<T>(events: AsyncIterable<T>, body: { dump(): Promise<void> }): AsyncGenerator<T> {
  try {
    yield* events;
  } finally {
    body.dump().catch(() => undefined);
  }
}

function betaHeader(betas: string | undefined): Record<string, string> {
  return betas ? { 'anthropic-beta': betas } : {};
}

/** Anthropic's rate-limit headers: the API-key family and a login's unified 5h/7d windows (§3.5). */
function rateLimitHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if ((name.startsWith('anthropic-ratelimit-') || name === 'retry-after') && value !== undefined) {
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return out;
}

function withoutKeys<T extends object>(object: T, keys: string[]): T {
  const copy = { ...object } as Record<string, unknown>;
  for (const key of keys) delete copy[key];
  return copy as T;
}

/**
 * Thinking blocks Anthropic did not sign (another provider's reasoning, passed back by a client
 * that switched models) would be rejected; they are dropped, signed ones kept as they are.
 */
export function withoutUnsignedThinking(body: MessagesRequest): MessagesRequest {
  let changed = false;
  // Any shape may arrive here (the gateway leaves judging it to Anthropic): only well-formed
  // assistant turns are looked into.
  const messages = body.messages.map((message) => {
    if (message?.role !== 'assistant' || !Array.isArray(message.content)) return message;
    const content = message.content.filter((block) => !(block?.type === 'thinking' && !(typeof block.signature === 'string' && block.signature.trim())));
    if (content.length === message.content.length) return message;
    changed = true;
    return { ...message, content };
  });
  return changed ? { ...body, messages } : body;
}
