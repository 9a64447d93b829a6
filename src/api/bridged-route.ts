// Serves one model request in the client's protocol, whatever protocol the chosen upstream speaks:
// routing picks the target (and the bridge for its protocol, from the protocol table), and the
// bridge's answer goes out as JSON or as a stream in the client's dialect (SSE, or for a Gemini
// client without `alt=sse` one JSON array). The model routes (chat completions, Responses,
// Messages, Gemini) differ only in the protocol they name here.
import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteRequest } from '../logging/request-notes';
import type { ClientProtocol } from '../protocol/wire-protocol';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { RequestRouter } from '../routing/request-router.service';
import { UsageMeter } from '../usage/usage-meter';
import { toGatewayError } from './errors/to-gateway-error';
import { sendUpstreamJson } from './json-response';
import { ActiveStreams } from '../health/active-streams';
import { abortWhenClientLeaves } from './streaming/client-abort';
import { sendSse } from './streaming/sse-response';
import type { StreamFramingName } from './streaming/stream-framing';

/** How the route serves one request, besides its protocol. */
export interface ServeOptions {
  /** The client's headers the upstream should see (e.g. anthropic-beta). */
  clientHeaders?: Record<string, string>;
  /** How a stream is framed; server-sent events unless the route says otherwise. */
  framing?: StreamFramingName;
}

/** What every client protocol's request has: the model it names and whether it streams. */
export interface ModelRequest {
  model: string;
  stream?: boolean | null;
}

@Injectable()
export class BridgedRoute {
  private readonly logger = new Logger(BridgedRoute.name);

  constructor(
    private readonly router: RequestRouter,
    private readonly registry: PluginRegistry,
    private readonly streams: ActiveStreams,
  ) {}

  /**
   * Routes `body` (validated, in `client`'s protocol) and answers it. Resolves once the answer is
   * sent, or for a stream once it has started (it then runs on by itself).
   */
  async serve(client: ClientProtocol, body: ModelRequest, request: FastifyRequest, reply: FastifyReply, options: ServeOptions = {}): Promise<void> {
    const { clientHeaders, framing } = options;
    const stream = body.stream === true;
    noteRequest(request.raw, { model: body.model, stream });
    const plan = this.router.plan(body.model);
    const abort = abortWhenClientLeaves(reply);
    const requestId = String(request.id);
    const keepaliveMs = this.registry.config.server.sseKeepaliveMs;
    const { target, result, bridge, sent } = await this.router.forward(plan, {
      client,
      body,
      stream,
      signal: abort.signal,
      requestId,
      clientHeaders,
      primeWaitMs: keepaliveMs,
      watch: new UsageMeter(request.raw),
    });
    const instance = target.instance.name;
    noteRequest(request.raw, { instance });
    const context = { request: body, instance, model: body.model, sent };

    if (result.kind === 'json') {
      const answer = bridge.answer(() => result.parsed(), context);
      if (answer === undefined) sendUpstreamJson(reply, result);
      else reply.code(200).send(answer);
      return;
    }
    if (!stream) {
      reply.code(200).send(await bridge.collect(result.events, context));
      return;
    }
    const out = bridge.stream(result.events, context);
    await sendSse({
      reply,
      events: out.events,
      abort,
      terminator: out.terminator,
      framing,
      rewrite: out.rewrite,
      errorEvent: (error) => out.errorEvent(toGatewayError(error, { requestId })),
      streams: this.streams,
      logger: this.logger,
      requestId,
      keepaliveMs,
    });
  }
}
