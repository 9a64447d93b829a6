// Parses JSON request bodies. Replaces Fastify's parser so that a malformed body fails with a
// GatewayError in our words (Nest would reduce Fastify's error to a bare 400). Plain JSON.parse:
// keys like "__proto__" become own properties, and bodies are only ever copied with spread,
// which cannot reach a prototype. Nesting is bounded before parsing (json-nesting.ts), so nothing
// later recurses itself to death on a hostile body.
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../common/gateway-error';
import { rememberRawJson } from '../protocol/raw-json';
import { isPassthroughRoute } from './amp/passthrough-body';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-nesting';

export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // A pass-through route forwards the request's own stream (amp/passthrough-body.ts).
    if (isPassthroughRoute(request)) {
      done(null, undefined);
      return;
    }
    const text = body as string;
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(tooDeep(), undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // Only a failed parse looks at why: trimming every body would copy it.
      const message = /^\s*$/.test(text)
        ? 'The request body is empty; expected a JSON object.'
        : `The request body is not valid JSON: ${(error as Error).message}`;
      done(invalidJson(message), undefined);
      return;
    }
    // Kept so that a body forwarded unchanged goes out as these bytes (protocol/raw-json.ts).
    if (typeof parsed === 'object' && parsed !== null) rememberRawJson(parsed, text);
    done(null, parsed);
  });
}

function invalidJson(message: string): GatewayError {
  return new GatewayError(400, message, { type: 'invalid_request_error', code: 'invalid_json' });
}

function tooDeep(): GatewayError {
  return new GatewayError(
    400,
    `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; no API request needs that many.`,
    { type: 'invalid_request_error', code: 'json_too_deep' },
  );
}
