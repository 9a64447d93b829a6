// The one place a finished request is seen: a single Fastify hook that, for each request some
// watcher wants, reads the clock once at the start and once when the raw response closes, and
// hands the same facts to each watcher (the request log line, the usage record). One hook and one
// close listener per request however many watchers there are — each of them cost about a
// microsecond when every watcher had its own.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestNotes, type RequestNotes } from './request-notes';

/** A request whose response has closed: after a streamed answer's last byte, or when the client left. */
export interface FinishedRequest {
  request: FastifyRequest;
  raw: ServerResponse;
  /** What the request noted on its way (request-notes.ts), if anything. */
  notes: RequestNotes | undefined;
  /** ms since epoch, when the request came in. */
  startedAt: number;
  /** ms since epoch, when the response closed. */
  endedAt: number;
}

export interface FinishedRequestWatcher {
  /** Decided when the request comes in (its route is known then); false costs nothing more. */
  wants(request: FastifyRequest): boolean;
  finished(request: FinishedRequest): void;
}

export function registerFinishedRequests(fastify: FastifyInstance, watchers: readonly FinishedRequestWatcher[], now: () => number = Date.now): void {
  if (watchers.length === 0) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    let picked: FinishedRequestWatcher[] | undefined;
    for (const watcher of watchers) if (watcher.wants(request)) (picked ??= []).push(watcher);
    if (picked === undefined) return done();
    const chosen = picked;
    const startedAt = now();
    const raw = reply.raw;
    // `close`, not Fastify's onResponse: a streamed response written to the raw socket after
    // reply.hijack() never reaches onResponse, and `close` also fires when the client leaves.
    raw.once('close', () => {
      const finished: FinishedRequest = { request, raw, notes: requestNotes(request.raw), startedAt, endedAt: now() };
      for (const watcher of chosen) watcher.finished(finished);
    });
    done();
  });
}
