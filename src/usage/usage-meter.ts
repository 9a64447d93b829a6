// Follows one request through routing for its usage record: notes on the request which instance,
// model and credential each attempt used and how many attempts there were, and counts the tokens
// of the answer that served it — read from the upstream's own usage, in the upstream's protocol,
// whatever the route translates it into. usage-recording.ts turns the notes into the record.
import type { IncomingMessage } from 'node:http';
import { noteRequest } from '../logging/request-notes';
import type { SseEvent } from '../protocol/sse';
import type { UpstreamResult, WireProtocol } from '../contract/provider-executor';
import type { ForwardWatcher, RouteTarget } from '../routing/request-router.service';
import { ANSWER_COUNTERS, noTokens, STREAM_COUNTERS } from './token-counting';
import type { TokenCounts, UpstreamAttempt } from '../store/usage-record';

export class UsageMeter implements ForwardWatcher {
  private readonly tokens: TokenCounts = noTokens();
  private readonly attempts: UpstreamAttempt[] = [];

  constructor(
    private readonly request: IncomingMessage,
    private readonly now: () => number = Date.now,
  ) {
    noteRequest(request, { tokens: this.tokens, upstreamAttempts: this.attempts });
  }

  attempt(target: RouteTarget, credentialId: string, attempt: number): void {
    // `none`: the instance has no credential (a keyless upstream).
    const credential = credentialId === 'none' ? undefined : credentialId;
    this.attempts.push({ instance: target.instance.name, model: target.upstreamModel, credential, startedAt: this.now() });
    noteRequest(this.request, { instance: target.instance.name, modelServed: target.upstreamModel, credential, attempts: attempt });
  }

  failed(status: number | undefined, message: string, cooledDown: boolean): void {
    const current = this.attempts[this.attempts.length - 1];
    if (!current) return;
    current.failedAt = this.now();
    current.status = status;
    current.error = message;
    current.cooledDown = cooledDown;
  }

  answer(protocol: WireProtocol, result: UpstreamResult): ((event: SseEvent) => void) | undefined {
    const current = this.attempts[this.attempts.length - 1];
    if (current) current.answeredAt = this.now();
    if (result.kind === 'json') {
      if (current) current.firstEventAt = current.answeredAt;
      ANSWER_COUNTERS[protocol](this.tokens, result.parsed());
      return undefined;
    }
    const count = STREAM_COUNTERS[protocol];
    const tokens = this.tokens;
    const now = this.now;
    // Events whose reader did not parse them carry no `json`; they are not parsed again here.
    return (event) => {
      if (current && current.firstEventAt === undefined) current.firstEventAt = now();
      if (event.json !== undefined) count(tokens, event.json);
    };
  }
}
