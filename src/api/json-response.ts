// Sends an upstream's whole JSON answer on unchanged, for a route that speaks the upstream's own
// protocol: the text goes out as it came (same bytes, key order and whitespace), instead of
// being parsed and then serialised again by Fastify for nothing.
import type { FastifyReply } from 'fastify';
import type { JsonAnswer } from '../upstream/json-answer';

/** What Fastify itself sets when it serialises an object. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function sendUpstreamJson(reply: FastifyReply, answer: JsonAnswer): void {
  reply.code(200).header('content-type', JSON_CONTENT_TYPE).send(answer.raw);
}
