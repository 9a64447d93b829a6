// Plugin "kiro": a Kiro subscription (a Kiro IDE login imported with `byokey accounts import kiro`)
// used through Kiro's API, AWS CodeWhisperer's `generateAssistantResponse` (reference/
// wire-protocols.md §7 "Kiro"): `POST https://q.<region>.amazonaws.com/generateAssistantResponse`,
// the region read from the account's profile ARN, the answer always a stream of AWS event-stream
// frames (kiro-event-stream.ts) — a client that asked for a whole answer gets it collected by its
// bridge. The executor fills in what the translated request leaves to it: the model's Kiro
// modelId (kiro.catalog.ts) and the account's profile ARN. `base_url` replaces the endpoint's
// origin (a proxy, a test). Thinking works as in Kiro's IDE: asked for (reasoning effort, a
// thinking budget, a model-name level) it is switched on by tags in the request's text and comes
// back inline in the answer, where the bridges split it out as reasoning (translate/kiro-thinking*.ts).
import { Injectable } from '@nestjs/common';
import { AccountCredentials } from '../../auth/account-credentials.service';
import type { ProviderExecutor, UpstreamCall, UpstreamResult } from '../../contract/provider-executor';
import { ProviderPlugin } from '../../contract/provider-plugin.decorator';
import { withBearerToken, type BearerToken } from '../shared/bearer-token';
import type { KiroRequest, KiroUserInputMessage } from '../../protocol/kiro-assistant-response';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import { keepHeaders, upstreamStatusError } from '../../upstream/upstream-response';
import { upstreamTimeouts } from '../../upstream/upstream-timeouts';
import { kiroEventStream } from './kiro-event-stream';
import { kiroHeaders } from './kiro-headers';
import { KIRO_DEFAULT_REGION, regionOfProfileArn } from './kiro-region';
import { KIRO_MODELS, kiroModelId } from './kiro.catalog';

export const KIRO_API_PATH = '/generateAssistantResponse';

export function kiroBaseUrl(region: string): string {
  return `https://q.${region}.amazonaws.com`;
}

@ProviderPlugin({ type: 'kiro', catalog: KIRO_MODELS, modelPattern: /^kiro-claude-/, accounts: 'kiro' })
@Injectable()
export class KiroExecutor implements ProviderExecutor<KiroRequest> {
  readonly protocol = 'kiro' as const;

  constructor(
    private readonly credentials: AccountCredentials,
    private readonly http: UpstreamHttp,
  ) {}

  execute(call: UpstreamCall<KiroRequest>): Promise<UpstreamResult> {
    // Kiro has no API keys; a key in providers.yaml is taken as an access token (the original byokey's add-api-key).
    return withBearerToken(this.credentials, 'kiro', call.credential, (bearer) => this.send(call, bearer), call.requestId);
  }

  private async send(call: UpstreamCall<KiroRequest>, { token, baseUrl: keyBaseUrl, account }: BearerToken): Promise<UpstreamResult> {
    const settings = call.instance.settings;
    const instance = call.instance.name;
    const profileArn = typeof account?.claims.profile_arn === 'string' ? account.claims.profile_arn : undefined;
    const region = regionOfProfileArn(profileArn) ?? KIRO_DEFAULT_REGION;
    const base = (keyBaseUrl ?? settings.base_url ?? kiroBaseUrl(region)).replace(/\/+$/, '');
    const response = await this.http.request({
      instance,
      url: `${base}${KIRO_API_PATH}`,
      method: 'POST',
      headers: kiroHeaders(token, settings.headers),
      body: JSON.stringify(upstreamKiroBody(call.body, kiroModelId(call.model), profileArn)),
      signal: call.signal,
      timeouts: upstreamTimeouts(settings, account),
    });
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, instance, call.signal);
      // AWS refuses an expired or revoked bearer token with 403 AccessDenied; it is a 401 in
      // the gateway's terms, so the account is refreshed and the call made once more.
      const refused = response.status === 403 && /bearer token/i.test(text);
      throw upstreamStatusError(instance, refused ? { ...response, status: 401 } : response, text, token);
    }
    const events = kiroEventStream(this.http.chunks(response.body, instance, call.signal), instance, token);
    return { kind: 'stream', status: response.status, headers: keepHeaders(response.headers), events: releasing(events, response.body) };
  }
}

/** The body Kiro gets: the routing-only `model` out, the modelId on every user turn, the profile ARN in. */
export function upstreamKiroBody(body: KiroRequest, modelId: string, profileArn: string | undefined): KiroRequest {
  const { model: _routing, ...rest } = body;
  const state = rest.conversationState;
  const withModel = (message: KiroUserInputMessage): KiroUserInputMessage => ({ ...message, modelId });
  const out: KiroRequest = {
    ...rest,
    conversationState: {
      ...state,
      currentMessage: { userInputMessage: withModel(state.currentMessage.userInputMessage) },
      history: state.history.map((turn) => ('userInputMessage' in turn ? { userInputMessage: withModel(turn.userInputMessage) } : turn)),
    },
  };
  if (profileArn) out.profileArn = profileArn;
  return out;
}

/** Lets the connection go back to the pool once the stream is over (or cut, when it was not). */
async function* releasing<T>(events: AsyncIterable<T>, body: { dump(): Promise<void> }): AsyncGenerator<T> {
  try {
    yield* events;
  } finally {
    body.dump().catch(() => undefined);
  }
}
