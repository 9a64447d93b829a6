// Forwards one of the Amp CLI's own API calls (`/api/user`, `/api/threads/…`, telemetry) to the
// configured Amp upstream (ampcode.com) and streams the answer back as it comes: same method,
// path and query (byte for byte), the request body as it arrives, the upstream's status and
// headers. Through the shared upstream client (its proxy, timeouts, error mapping); a client
// that leaves aborts the upstream call at once.
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { AccessControl } from '../../access/access-control.service';
import { GatewayError } from '../../common/gateway-error';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, type AmpSettings } from '../../config/gateway-config';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { UpstreamHttp, type UpstreamBody } from '../../upstream/upstream-http.service';
import { abortWhenClientLeaves } from '../streaming/client-abort';
import { ampRequestHeaders, ampResponseHeaders } from './amp-upstream-headers';
import { isCrossSiteRequest } from './cross-site-request';

/** How upstream errors and log lines name this upstream. */
const UPSTREAM_NAME = 'amp';

/** Answers that carry no body whatever their headers say. */
const BODILESS_STATUSES = new Set([204, 304]);

@Injectable()
export class AmpPassthrough {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly registry: PluginRegistry,
    private readonly access: AccessControl,
  ) {}

  async forward(amp: AmpSettings, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (isCrossSiteRequest(request.headers)) {
      throw new GatewayError(403, 'byokey does not pass requests from web pages of other sites through to Amp.', { type: 'permission_error', code: 'cross_site_request' });
    }
    const abort = abortWhenClientLeaves(reply);
    const headers = ampRequestHeaders(request.headers, { upstreamKey: amp.upstreamKey, isClientKey: (value) => this.access.isClientKey(value) });
    const upstream = await this.http.request({
      instance: UPSTREAM_NAME,
      // request.url keeps the query exactly as the client wrote it.
      url: `${amp.upstreamUrl}${request.url}`,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: hasBody(request) ? request.raw : undefined,
      signal: abort.signal,
      timeouts: { firstByteMs: DEFAULT_UPSTREAM_TIMEOUT_MS, idleMs: DEFAULT_UPSTREAM_TIMEOUT_MS, proxy: this.registry.config.proxy },
    });
    reply.code(upstream.status).headers(ampResponseHeaders(upstream.headers));
    if (request.method === 'HEAD' || BODILESS_STATUSES.has(upstream.status)) {
      await upstream.body.dump().catch(() => undefined);
      reply.send();
      return;
    }
    reply.send(Readable.from(this.relay(upstream.body, abort.signal)));
  }

  /** The upstream body's chunks as they arrive; a reader that stops early (the client left) ends the upstream body. */
  private async *relay(body: UpstreamBody, signal: AbortSignal): AsyncGenerator<Buffer> {
    try {
      yield* this.http.chunks(body, UPSTREAM_NAME, signal);
    } finally {
      if (!body.readableEnded) body.destroy();
    }
  }
}

/** Whether the client sent a body (a GET with none is forwarded without one). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
