// Plugin "gemini": Google's Gemini by API key or by Gemini CLI's "Login with Google".
// An API key (which wins, as in every plugin) goes to the Generative Language API
// (reference/wire-protocols.md §6.3): `POST <base>/v1beta/models/{model}:streamGenerateContent?alt=sse`
// (or `:generateContent` for a whole answer), the key in `x-goog-api-key`; models listed from
// `GET /v1beta/models`. A logged-in account (`byokey login gemini`) goes to Code Assist (§6.1)
// with the same request and answer inside its envelopes (code-assist/, gemini-code-assist.variant.ts);
// Code Assist has no model list Gemini CLI reads, so an account serves the catalog. Speaks
// Gemini natively either way: the Gemini route passes through, every other client comes
// translated (translate/protocol-table.ts). A quota error's RetryInfo becomes retry-after
// (gemini-errors.ts), so routing rests the credential until then.
import { Injectable } from '@nestjs/common';
import type { LiveModel, ModelListCall, ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import type { GeminiRequest } from '../../protocol/gemini-generate-content';
import { isObject } from '../../protocol/json-object';
import { getJson } from '../../upstream/get-json';
import { readJsonAnswer } from '../../upstream/json-answer';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import { UpstreamError } from '../../upstream/upstream-error';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { keepHeaders } from '../../upstream/upstream-response';
import { listTimeouts, upstreamTimeouts } from '../../upstream/upstream-timeouts';
import { CodeAssistCalls, releasing } from './code-assist/code-assist-calls';
import { GEMINI_CODE_ASSIST } from './gemini-code-assist.variant';
import { geminiHttpError, geminiStreamError } from './gemini-errors';
import { geminiEventStream } from './gemini-event-stream';
import { GeminiSettingsDto } from './gemini-settings.dto';
import { readGeminiModelPage } from './gemini-model-list';
import { countTokensBody, upstreamGeminiBody } from './gemini-request';
import { GEMINI_MODEL_PATTERN, GEMINI_MODELS } from './gemini.catalog';
import { jsonText } from '../../protocol/raw-json';

export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';
/** The API version the paths name; a base_url is the root before it. */
export const GEMINI_API_VERSION = 'v1beta';
/** The list has a few dozen models at most; pages of 1000 (its largest) rarely need a second. */
const MODEL_LIST_MAX_PAGES = 5;

type Method = 'generateContent' | 'streamGenerateContent' | 'countTokens';

@ProviderPlugin({ type: 'gemini', catalog: GEMINI_MODELS, modelPattern: GEMINI_MODEL_PATTERN, settings: GeminiSettingsDto, accounts: 'gemini' })
@Injectable()
export class GeminiExecutor implements ProviderExecutor<GeminiRequest> {
  readonly protocol = 'gemini' as const;

  constructor(
    private readonly http: UpstreamHttp,
    private readonly codeAssist: CodeAssistCalls,
  ) {}

  async execute(call: UpstreamCall<GeminiRequest>): Promise<UpstreamResult> {
    const key = apiKeyOf(call);
    if (!key) return this.codeAssist.execute(call, GEMINI_CODE_ASSIST);
    const method: Method = call.stream ? 'streamGenerateContent' : 'generateContent';
    const response = await this.post(call, key, method, upstreamGeminiBody(call.body));
    const instance = call.instance.name;
    const headers = keepHeaders(response.headers);
    if (!call.stream) {
      const answer = readJsonAnswer<Record<string, unknown>>(await this.http.text(response.body, instance, call.signal), instance);
      // An error in a 200 body (a proxy in front of Google) is an error, not an answer.
      const parsed = answer.parsed();
      if (isObject(parsed.error)) throw geminiStreamError(instance, parsed.error, key.key);
      return { kind: 'json', status: response.status, headers, ...answer };
    }
    const events = geminiEventStream(this.http.events(response.body, instance, call.signal), instance, key.key);
    return { kind: 'stream', status: response.status, headers, events: releasing(events, response.body) };
  }

  /** `:countTokens` with the whole request wrapped as a generateContentRequest (system, tools and all). */
  async countTokens(call: UpstreamCall<GeminiRequest>): Promise<{ input_tokens: number }> {
    const key = apiKeyOf(call);
    if (!key) return this.codeAssist.countTokens(call, GEMINI_CODE_ASSIST);
    const instance = call.instance.name;
    const response = await this.post(call, key, 'countTokens', countTokensBody(call.body, call.model));
    const parsed = readJsonAnswer<{ totalTokens?: unknown }>(await this.http.text(response.body, instance, call.signal), instance).parsed();
    if (typeof parsed.totalTokens !== 'number') throw new UpstreamError(`upstream ${instance} answered countTokens without totalTokens`, { failure: 'protocol', instance });
    return { input_tokens: parsed.totalTokens };
  }

  /**
   * `GET /v1beta/models` with a key, paged by pageToken; only models that generate content. A
   * logged-in account has no list to read (Code Assist serves Gemini CLI's models): the catalog.
   */
  async listModels(call: ModelListCall): Promise<LiveModel[]> {
    const { credential, instance } = call;
    if (credential.kind !== 'api-key') return GEMINI_MODELS.map((id) => ({ id }));
    const settings = instance.settings;
    const base = `${baseUrl(credential.baseUrl ?? settings.base_url)}/${GEMINI_API_VERSION}/models?pageSize=1000`;
    const models: LiveModel[] = [];
    let token: string | undefined;
    for (let page = 0; page < MODEL_LIST_MAX_PAGES; page++) {
      const body = await getJson(this.http, {
        instance: instance.name,
        url: token ? `${base}&pageToken=${encodeURIComponent(token)}` : base,
        headers: { ...lowerCaseKeys(settings.headers), 'x-goog-api-key': credential.key },
        signal: call.signal,
        timeouts: listTimeouts(settings, undefined),
      });
      const read = readGeminiModelPage(body, instance.name);
      models.push(...read.models);
      if (!read.next) break;
      token = read.next;
    }
    return models;
  }

  private async post(call: UpstreamCall<GeminiRequest>, key: { key: string; baseUrl?: string }, method: Method, body: object) {
    const settings = call.instance.settings;
    const instance = call.instance.name;
    const stream = method === 'streamGenerateContent';
    const url = `${baseUrl(key.baseUrl ?? settings.base_url)}/${GEMINI_API_VERSION}/models/${encodeURIComponent(call.model)}:${method}${stream ? '?alt=sse' : ''}`;
    const response = await this.http.request({
      instance,
      url,
      method: 'POST',
      headers: {
        ...lowerCaseKeys(settings.headers),
        'x-goog-api-key': key.key,
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
      },
      body: jsonText(body),
      signal: call.signal,
      timeouts: upstreamTimeouts(settings, undefined),
    });
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, instance, call.signal);
      throw geminiHttpError(instance, response.status, response.headers, text, key.key);
    }
    return response;
  }
}

function baseUrl(configured: string | undefined): string {
  return (configured ?? GEMINI_BASE_URL).replace(/\/+$/, '');
}

/** The API key routing chose, or undefined for a logged-in account. */
function apiKeyOf(call: UpstreamCall<GeminiRequest>): { key: string; baseUrl?: string } | undefined {
  const { credential } = call;
  return credential.kind === 'api-key' ? { key: credential.key, baseUrl: credential.baseUrl } : undefined;
}
