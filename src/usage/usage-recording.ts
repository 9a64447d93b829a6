// Turns every finished model request (chat completions, messages, responses, embeddings, Gemini's
// generateContent; under their Amp prefixes too: common/public-routes.ts) into a UsageRecord
// and announces it on the UsageBus. A watcher of finished requests, like the request log line
// (logging/finished-requests.ts): the record is built when the raw response closes — after a
// streamed answer's last byte, or when the client left — from what the request noted on its way
// (logging/request-notes.ts). Other routes (model lists, health, admin) are not metered and pay
// one Set lookup.
import { METERED_ROUTE_PATTERNS, isGeminiCount } from '../common/public-routes';
import type { FinishedRequestWatcher } from '../logging/finished-requests';
import type { UsageBus } from './usage-bus';
import { noTokens } from './token-counting';
import type { UsageRecord } from '../store/usage-record';

/** The routes whose requests are model calls (route patterns, as Fastify names them). */
export const METERED_ROUTES: ReadonlySet<string> = new Set(METERED_ROUTE_PATTERNS);

/**
 * Status recorded for a request whose client left before any answer was sent (nginx's
 * convention): nothing was answered, and it was not the gateway's failure.
 */
export const CLIENT_CLOSED_STATUS = 499;

/** The usage record's watcher (logging/finished-requests.ts): model calls only. */
export function usageRecordWatcher(bus: UsageBus): FinishedRequestWatcher {
  return {
    wants: (request) => request.method === 'POST' && METERED_ROUTES.has(request.routeOptions.url ?? '') && !isGeminiCount(request.url),
    finished: ({ request, raw, notes, startedAt, endedAt }) => {
      const finished = raw.writableEnded;
      const status = !finished && !raw.headersSent ? CLIENT_CLOSED_STATUS : raw.statusCode;
      const record: UsageRecord = {
        at: startedAt,
        requestId: String(request.id),
        keyId: notes?.keyId,
        keyName: notes?.keyName,
        route: request.routeOptions.url as string,
        modelRequested: notes?.model,
        modelServed: notes?.modelServed,
        instance: notes?.instance,
        credential: notes?.credential,
        status,
        errorType: notes?.error?.type ?? (finished ? undefined : 'client_closed'),
        tokens: notes?.tokens ?? noTokens(),
        // A whole (JSON) answer is written at once: its first byte is its last.
        ttfbMs: notes?.firstByteAt !== undefined ? notes.firstByteAt - startedAt : raw.headersSent ? endedAt - startedAt : undefined,
        durationMs: endedAt - startedAt,
        stream: notes?.stream === true,
        attempts: notes?.attempts ?? 0,
        upstreamAttempts: notes?.upstreamAttempts,
        // Read here, once the request is over, rather than noted by a hook of its own on every request.
        traceparent: typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined,
      };
      bus.publish(record);
    },
  };
}
