// Turns every finished model request (chat completions, messages, responses, embeddings) into a UsageRecord
// and announces it on the UsageBus. A plain Fastify hook, like request-logging.ts: the record is
// built when the raw response closes — after a streamed answer's last byte, or when the client
// left — from what the request noted on its way (logging/request-notes.ts). Other routes (model
// lists, health, admin) are not metered and pay one Set lookup.
import type { FastifyInstance } from 'fastify';
import { requestNotes } from '../logging/request-notes';
import type { UsageBus } from './usage-bus';
import { noTokens } from './token-counting';
import type { UsageRecord } from '../store/usage-record';

/** The routes whose requests are model calls (route patterns, as Fastify names them). */
export const METERED_ROUTES: ReadonlySet<string> = new Set(['/v1/chat/completions', '/v1/messages', '/v1/responses', '/v1/embeddings']);

/**
 * Status recorded for a request whose client left before any answer was sent (nginx's
 * convention): nothing was answered, and it was not the gateway's failure.
 */
export const CLIENT_CLOSED_STATUS = 499;

export function registerUsageRecording(fastify: FastifyInstance, bus: UsageBus, now: () => number = Date.now): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'POST' || !METERED_ROUTES.has(request.routeOptions.url ?? '')) return done();
    const at = now();
    const raw = reply.raw;
    const route = request.routeOptions.url as string;
    raw.once('close', () => {
      const notes = requestNotes(request.raw);
      const end = now();
      const finished = raw.writableEnded;
      const status = !finished && !raw.headersSent ? CLIENT_CLOSED_STATUS : raw.statusCode;
      const record: UsageRecord = {
        at,
        requestId: String(request.id),
        keyId: notes?.keyId,
        keyName: notes?.keyName,
        route,
        modelRequested: notes?.model,
        modelServed: notes?.modelServed,
        instance: notes?.instance,
        credential: notes?.credential,
        status,
        errorType: notes?.error?.type ?? (finished ? undefined : 'client_closed'),
        tokens: notes?.tokens ?? noTokens(),
        // A whole (JSON) answer is written at once: its first byte is its last.
        ttfbMs: notes?.firstByteAt !== undefined ? notes.firstByteAt - at : raw.headersSent ? end - at : undefined,
        durationMs: end - at,
        stream: notes?.stream === true,
        attempts: notes?.attempts ?? 0,
        upstreamAttempts: notes?.upstreamAttempts,
        // Read here, once the request is over, rather than noted by a hook of its own on every request.
        traceparent: typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined,
      };
      bus.publish(record);
    });
    done();
  });
}
