// Starts one response of a Responses WebSocket through the router, so each response gets what an
// HTTP request gets (credential pools, failover, cooldowns, timeouts), plus the connection's
// affinity. Only targets that speak the Responses API serve it; a model with none is refused
// with NO_RESPONSES_PATH, which closes the connection so the client falls back to HTTP.
import { Injectable } from '@nestjs/common';
import { GatewayError } from '../../common/gateway-error';
import type { SseEvent } from '../../protocol/sse';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { RequestRouter, type ForwardWatcher } from '../../routing/request-router.service';
import { ForwardedEvents } from '../responses.controller';
import { validateResponsesRequest } from '../validation/responses-request.validator';
import type { StartContext } from './responses-socket';

/** The error code of a model that no Responses upstream serves. */
export const NO_RESPONSES_PATH = 'websocket_model_not_supported';

@Injectable()
export class ResponsesWsForwarder {
  constructor(
    private readonly router: RequestRouter,
    private readonly registry: PluginRegistry,
  ) {}

  /** True when some enabled instance speaks the Responses API, so the WebSocket can serve anything. */
  servesResponses(): boolean {
    return this.registry.catalog.instances.some((i) => i.config.enabled && i.executor.protocol === 'openai-responses');
  }

  async start(body: Record<string, unknown>, context: StartContext & { clientHeaders: Record<string, string>; watch?: ForwardWatcher }): Promise<AsyncIterable<string>> {
    const request = validateResponsesRequest(body);
    const plan = this.router.plan(request.model);
    const targets = plan.targets.filter((t) => t.instance.executor.protocol === 'openai-responses');
    if (targets.length === 0) {
      const first = plan.targets[0].instance;
      throw new GatewayError(
        400,
        `The model \`${request.model}\` is served by \`${first.name}\`, which speaks ${first.executor.protocol}, not the Responses API; use HTTP (POST /v1/responses) for it.`,
        { type: 'invalid_request_error', code: NO_RESPONSES_PATH, param: 'model' },
      );
    }
    const { target, result } = await this.router.forward(
      { ...plan, targets },
      {
        bodyFor: () => request,
        stream: true,
        signal: context.signal,
        requestId: context.requestId,
        clientHeaders: context.clientHeaders,
        primeWaitMs: this.registry.config.server.sseKeepaliveMs,
        affinity: context.affinity,
        watch: context.watch,
      },
    );
    if (result.kind === 'json') return completedOnly(result.parsed());
    return dataOf(new ForwardedEvents(result.events, target.instance.name));
  }
}

async function* dataOf(events: AsyncIterable<SseEvent>): AsyncGenerator<string> {
  for await (const event of events) yield event.data;
}

/** An upstream that answered with a whole Response: the one event a client waits for. */
async function* completedOnly(response: unknown): AsyncGenerator<string> {
  yield JSON.stringify({ type: 'response.completed', sequence_number: 0, response });
}
