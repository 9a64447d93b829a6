// Follows one request through routing for its usage record: notes on the request which instance,
// model and credential each attempt used and how many attempts there were, and counts the tokens
// of the answer that served it — read from the upstream's own usage, in the upstream's protocol,
// whatever the route translates it into. usage-recording.ts turns the notes into the record.
import type { IncomingMessage } from 'node:http';
import { noteRequest } from '../logging/request-notes';
import type { SseEvent } from '../protocol/sse';
import type { UpstreamResult, WireProtocol } from '../registry/provider-executor';
import type { ForwardWatcher, RouteTarget } from '../routing/request-router.service';
import { ANSWER_COUNTERS, noTokens, STREAM_COUNTERS } from './token-counting';
import type { TokenCounts } from '../store/usage-record';

export class UsageMeter implements ForwardWatcher {
  private readonly tokens: TokenCounts = noTokens();

  constructor(private readonly request: IncomingMessage) {
    noteRequest(request, { tokens: this.tokens });
  }

  attempt(target: RouteTarget, credentialId: string, attempt: number): void {
    noteRequest(this.request, {
      instance: target.instance.name,
      modelServed: target.upstreamModel,
      // `none`: the instance has no credential (a keyless upstream).
      credential: credentialId === 'none' ? undefined : credentialId,
      attempts: attempt,
    });
  }

  answer(protocol: WireProtocol, result: UpstreamResult): ((event: SseEvent) => void) | undefined {
    if (result.kind === 'json') {
      ANSWER_COUNTERS[protocol](this.tokens, result.parsed());
      return undefined;
    }
    const count = STREAM_COUNTERS[protocol];
    const tokens = this.tokens;
    // Events whose reader did not parse them carry no `json`; they are not parsed again here.
    return (event) => {
      if (event.json !== undefined) count(tokens, event.json);
    };
  }
}
