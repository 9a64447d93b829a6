// GET /console, /console/ and /console/<file>: the web console (a client of the admin API only;
// it signs in with the admin key, kept in the browser's sessionStorage). Plain Fastify routes of
// their own — no hook on other requests, so the model routes pay nothing for it, and nothing of
// Nest's request pipeline for a static file. Answers 304 to a matching If-None-Match, gzip to a
// client that takes it, and the gateway's usual 404 for a path not in the fixed list.
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleAssets } from './console-assets';

export const CONSOLE_PATH = '/console';

/** What the console's page may load: only its own files and the admin API (no inline script, no other origin). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

@Injectable()
export class ConsoleRoutes implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly assets: ConsoleAssets,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    const serve = (request: FastifyRequest, reply: FastifyReply) => this.serve(request, reply);
    fastify.get(CONSOLE_PATH, serve);
    fastify.get(`${CONSOLE_PATH}/`, serve);
    fastify.get(`${CONSOLE_PATH}/*`, serve);
  }

  private serve(request: FastifyRequest, reply: FastifyReply): void {
    // Looked up as written in the fixed list, never joined to a directory: `..` finds nothing.
    const path = (request.params as { '*'?: string })['*'] ?? '';
    const asset = this.assets.find(path);
    if (!asset) {
      reply.callNotFound();
      return;
    }
    void reply
      .header('content-type', asset.contentType)
      .header('cache-control', asset.cacheControl)
      .header('etag', asset.etag)
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    if (asset.contentType.startsWith('text/html')) void reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-frame-options', 'DENY');
    if (request.headers['if-none-match'] === asset.etag) {
      void reply.status(304).send();
      return;
    }
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) void reply.header('content-encoding', 'gzip').send(asset.gzipped);
    else void reply.send(asset.body);
  }
}
