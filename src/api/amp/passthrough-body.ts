// Request bodies of the pass-through routes (Amp's /api/* and /v0/management/*: AMP_PASSTHROUGH_ROUTES) are not
// parsed: the raw request stream is forwarded upstream as it arrives, whatever its content type.
// Fastify would otherwise read a JSON or text body whole before the handler runs, and refuse any
// other type with a 415. Every other route keeps its parsing (json-body-parser.ts) and its 415s.
// The routes are marked here by path, as Nest's `@All` drops a `@RouteConfig`.
import { Readable } from 'node:stream';
import { errorCodes, type FastifyInstance, type FastifyRequest, type preParsingHookHandler } from 'fastify';
import { AMP_PASSTHROUGH_ROUTES } from '../../common/public-routes';

const PASSTHROUGH_BODY = 'passthroughBody';
const PASSTHROUGH_URLS = new Set(AMP_PASSTHROUGH_ROUTES.map((route) => `/${route}`));

export function isPassthroughRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[PASSTHROUGH_BODY] === true;
}

/** Must run before the routes are registered (before `app.init()`). */
export function registerPassthroughBodies(fastify: FastifyInstance): void {
  // Route-level, so other routes pay nothing for it.
  fastify.addHook('onRoute', (route) => {
    if (!PASSTHROUGH_URLS.has(route.url)) return;
    route.config = { ...route.config, [PASSTHROUGH_BODY]: true };
    const own = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [...own, leaveBodyUnread];
  });
  // Content types no other parser takes: a pass-through route forwards them; any other route
  // refuses them as Fastify would (an unknown route still answers 404, not 415).
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    if (isPassthroughRoute(request) || request.is404) done(null, undefined);
    else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
}

/**
 * Hands the parsers an empty stream in place of the request's, which stays unread in
 * `request.raw` for the handler. `receivedEncodedLength` is Fastify's documented way for such
 * a stream to say how many bytes the request carried, so its content-length check holds.
 */
const leaveBodyUnread: preParsingHookHandler = (request, _reply, _payload, done) => {
  const empty = Readable.from([]) as Readable & { receivedEncodedLength?: number };
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared)) empty.receivedEncodedLength = declared;
  done(null, empty);
};
