// One generate (whole or streamed) or countTokens call through Code Assist for a logged-in Google
// account, shared by the gemini plugin (Gemini CLI's login) and the antigravity plugin: the
// account's token (refreshed, and once more after a 401, by AccountCredentials), its project
// (CodeAssistProjects), the request in its `{model, project, request}` envelope, and the answer
// taken out of its `{response}` one — so the executors speak plain Gemini and every client
// route reaches them through the protocol table. What differs between the two is a
// CodeAssistVariant: hosts, headers, envelope extras, model names.
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../../auth/account-credentials.service';
import type { OAuthCredential } from '../../../auth/oauth-credential';
import { accountOf, type UpstreamCall, type UpstreamResult } from '../../../contract/provider-executor';
import type { CodeAssistCountTokensResponse, CodeAssistRequest, CodeAssistResponse } from '../../../protocol/gemini-code-assist';
import type { GeminiRequest } from '../../../protocol/gemini-generate-content';
import { isObject } from '../../../protocol/json-object';
import { readJsonAnswer } from '../../../upstream/json-answer';
import { lowerCaseKeys } from '../../../upstream/lower-case-keys';
import { UpstreamError } from '../../../upstream/upstream-error';
import { UpstreamHttp } from '../../../upstream/upstream-http.service';
import { keepHeaders } from '../../../upstream/upstream-response';
import { upstreamTimeouts } from '../../../upstream/upstream-timeouts';
import { geminiStreamError } from '../gemini-errors';
import { geminiEventStream, type ChunkUnwrap } from '../gemini-event-stream';
import { upstreamGeminiBody } from '../gemini-request';
import { collectGeminiAnswer } from '../gemini-stream-collector';
import { postCodeAssist, type CodeAssistTarget } from './code-assist-http';
import { CodeAssistProjects } from './code-assist-projects';

export interface CodeAssistVariant {
  /** The provider whose logged-in accounts are used. */
  readonly provider: string;
  /** loadCodeAssist's `metadata.ideType`. */
  readonly ideType: string;
  /** Hosts to try in order, for this instance's settings. */
  hosts(settings: UpstreamCall['instance']['settings']): string[];
  /** The client's identity headers for this model (User-Agent and the like). */
  headers(upstreamModel: string): Record<string, string>;
  /** The model id as Code Assist knows it. */
  upstreamModel(model: string): string;
  /** The generate envelope for this call. */
  envelope(request: CodeAssistRequest['request'], model: string, project: string): CodeAssistRequest;
  /** Whether this model is asked for a stream even for a whole answer (collected by the bridge). */
  streamsAlways?(upstreamModel: string): boolean;
  /** The instance's pinned project, if any. */
  pinnedProject?(settings: UpstreamCall['instance']['settings']): string | undefined;
}

/** Code Assist answers (and streams) wrap each Gemini response as `{response:{…}, traceId}`. */
export const CODE_ASSIST_CHUNKS: ChunkUnwrap = (json) => (isObject(json.response) ? json.response : json);

@Injectable()
export class CodeAssistCalls {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly credentials: AccountCredentials,
    private readonly projects: CodeAssistProjects,
  ) {}

  execute(call: UpstreamCall<GeminiRequest>, variant: CodeAssistVariant): Promise<UpstreamResult> {
    return this.credentials.run(variant.provider, (account) => this.generate(call, variant, account), accountOf(call.credential), call.requestId);
  }

  countTokens(call: UpstreamCall<GeminiRequest>, variant: CodeAssistVariant): Promise<{ input_tokens: number }> {
    return this.credentials.run(
      variant.provider,
      async (account) => {
        const target = this.target(call, variant, account);
        const model = variant.upstreamModel(call.model);
        await this.project(call, variant, account, target);
        const response = await postCodeAssist(this.http, target, 'countTokens', { request: { model: `models/${model}`, contents: call.body.contents } });
        const parsed = readJsonAnswer<CodeAssistCountTokensResponse>(await this.http.text(response.body, target.instance, call.signal), target.instance).parsed();
        if (typeof parsed.totalTokens !== 'number') throw new UpstreamError(`upstream ${target.instance} answered countTokens without totalTokens`, { failure: 'protocol', instance: target.instance });
        return { input_tokens: parsed.totalTokens };
      },
      accountOf(call.credential),
      call.requestId,
    );
  }

  private async generate(call: UpstreamCall<GeminiRequest>, variant: CodeAssistVariant, account: OAuthCredential): Promise<UpstreamResult> {
    const target = this.target(call, variant, account);
    const instance = target.instance;
    const model = variant.upstreamModel(call.model);
    const project = await this.project(call, variant, account, target);
    const stream = call.stream || (variant.streamsAlways?.(model) ?? false);
    const envelope = variant.envelope(upstreamGeminiBody(call.body), model, project);
    const response = await postCodeAssist(this.http, target, stream ? 'streamGenerateContent' : 'generateContent', envelope);
    const headers = keepHeaders(response.headers);
    if (!stream) {
      const text = await this.http.text(response.body, instance, call.signal);
      const outer = readJsonAnswer<CodeAssistResponse>(text, instance).parsed();
      // An error in a 200 body (a proxy in front of Google) is an error, not an answer.
      if (isObject(outer.error)) throw geminiStreamError(instance, outer.error, account.accessToken);
      const inner = CODE_ASSIST_CHUNKS(outer);
      if (isObject(inner.error)) throw geminiStreamError(instance, inner.error, account.accessToken);
      const raw = JSON.stringify(inner);
      return { kind: 'json', status: response.status, headers, raw, parsed: () => inner };
    }
    const events = releasing(geminiEventStream(this.http.events(response.body, instance, call.signal), instance, account.accessToken, CODE_ASSIST_CHUNKS), response.body);
    if (!call.stream) {
      // Asked for a stream only because this model needs it: the client gets the whole answer.
      const whole = await collectGeminiAnswer(events);
      return { kind: 'json', status: response.status, headers, raw: JSON.stringify(whole), parsed: () => whole };
    }
    return { kind: 'stream', status: response.status, headers, events };
  }

  private project(call: UpstreamCall<GeminiRequest>, variant: CodeAssistVariant, account: OAuthCredential, target: CodeAssistTarget): Promise<string> {
    return this.projects.projectFor({ target, account, pinned: variant.pinnedProject?.(call.instance.settings), ideType: variant.ideType });
  }

  private target(call: UpstreamCall<GeminiRequest>, variant: CodeAssistVariant, account: OAuthCredential): CodeAssistTarget {
    const settings = call.instance.settings;
    return {
      instance: call.instance.name,
      hosts: variant.hosts(settings),
      headers: { ...lowerCaseKeys(variant.headers(variant.upstreamModel(call.model))), ...lowerCaseKeys(settings.headers ?? {}), authorization: `Bearer ${account.accessToken}` },
      secret: account.accessToken,
      timeouts: upstreamTimeouts(settings, account),
      signal: call.signal,
    };
  }
}

/** Lets the connection go back to the pool once the stream is over (or cut, when it was not). */
export async function* releasing<T>(events: AsyncIterable<T>, body: { dump(): Promise<void> }): AsyncGenerator<T> {
  try {
    yield* events;
  } finally {
    body.dump().catch(() => undefined);
  }
}
