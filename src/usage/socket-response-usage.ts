// The usage record of one response served over the Responses WebSocket. An HTTP request is
// metered by usage-recording.ts when its response closes; a socket carries many responses and
// never "closes" per response, so each one gets its own notes (the same fields an HTTP request
// notes), its own UsageMeter through routing, and its record when its events end — completed,
// failed, or abandoned by a client that left.
import type { IncomingMessage } from 'node:http';
import { noteRequest, requestNotes } from '../logging/request-notes';
import { noTokens } from './token-counting';
import type { UsageBus } from './usage-bus';
import { UsageMeter } from './usage-meter';
import { CLIENT_CLOSED_STATUS } from './usage-recording';

export interface SocketResponseIdentity {
  requestId: string;
  keyId?: string;
  keyName?: string;
  model?: string;
  /** The W3C `traceparent` of the upgrade request: the socket's responses are its children. */
  traceparent?: string;
}

export class SocketResponseUsage {
  /** Where this response's notes live: a holder of its own, as an HTTP request's raw request is. */
  private readonly holder = {} as IncomingMessage;
  private readonly at: number;
  private firstEventAt?: number;
  private published = false;

  constructor(
    private readonly bus: UsageBus,
    private readonly identity: SocketResponseIdentity,
    private readonly now: () => number = Date.now,
  ) {
    this.at = now();
    noteRequest(this.holder, { keyId: identity.keyId, keyName: identity.keyName, model: identity.model, stream: true });
  }

  /** The watcher routing reports this response's attempts and tokens to. */
  meter(): UsageMeter {
    return new UsageMeter(this.holder);
  }

  /** Wraps the response's events: the record is published when they end, however they end. */
  async *recorded(events: AsyncIterable<string>, failure: (error: unknown) => { status: number; type: string }): AsyncGenerator<string> {
    let outcome: { status: number; errorType?: string } = { status: CLIENT_CLOSED_STATUS, errorType: 'client_closed' };
    try {
      for await (const event of events) {
        this.firstEventAt ??= this.now();
        yield event;
      }
      outcome = { status: 200 };
    } catch (error) {
      const failed = failure(error);
      outcome = { status: this.firstEventAt === undefined ? failed.status : 200, errorType: failed.type };
      throw error;
    } finally {
      this.publish(outcome.status, outcome.errorType);
    }
  }

  /** A response that could not start (refused by a limit, no upstream answered). */
  failed(status: number, errorType: string): void {
    this.publish(status, errorType);
  }

  private publish(status: number, errorType: string | undefined): void {
    if (this.published) return;
    this.published = true;
    const notes = requestNotes(this.holder);
    const end = this.now();
    this.bus.publish({
      at: this.at,
      requestId: this.identity.requestId,
      keyId: this.identity.keyId,
      keyName: this.identity.keyName,
      route: 'GET /v1/responses (websocket)',
      modelRequested: this.identity.model,
      modelServed: notes?.modelServed,
      instance: notes?.instance,
      credential: notes?.credential,
      status,
      errorType,
      tokens: notes?.tokens ?? noTokens(),
      ttfbMs: this.firstEventAt === undefined ? undefined : this.firstEventAt - this.at,
      durationMs: end - this.at,
      stream: true,
      attempts: notes?.attempts ?? 0,
      upstreamAttempts: notes?.upstreamAttempts,
      traceparent: this.identity.traceparent,
    });
  }
}
