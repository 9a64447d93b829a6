// Starts one response of a Responses WebSocket through the router, so each response gets what an
// HTTP request gets (credential pools, failover, cooldowns, timeouts, the protocol table's bridge
// for whatever protocol the chosen upstream speaks), plus the connection's affinity.
import { Injectable } from '@nestjs/common';
import type { SseEvent } from '../../protocol/sse';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { RequestRouter, type ForwardWatcher } from '../../routing/request-router.service';
import { validateResponsesRequest } from '../validation/responses-request.validator';
import type { StartContext } from './responses-socket';

@Injectable()
export class ResponsesWsForwarder {
  constructor(
    private readonly router: RequestRouter,
    private readonly registry: PluginRegistry,
  ) {}

  async start(body: Record<string, unknown>, context: StartContext & { clientHeaders: Record<string, string>; watch?: ForwardWatcher }): Promise<AsyncIterable<string>> {
    const request = validateResponsesRequest(body);
    const plan = this.router.plan(request.model);
    const { target, result, bridge } = await this.router.forward(plan, {
      client: 'openai-responses',
      body: request,
      stream: true,
      signal: context.signal,
      requestId: context.requestId,
      clientHeaders: context.clientHeaders,
      primeWaitMs: this.registry.config.server.sseKeepaliveMs,
      affinity: context.affinity,
      watch: context.watch,
    });
    const bridged = { request, instance: target.instance.name, model: request.model };
    if (result.kind === 'json') return completedOnly(bridge.answer(() => result.parsed(), bridged) ?? result.parsed());
    return dataOf(bridge.stream(result.events, bridged).events);
  }
}

async function* dataOf(events: AsyncIterable<SseEvent>): AsyncGenerator<string> {
  for await (const event of events) yield event.data;
}

/** An upstream that answered with a whole Response: the one event a client waits for. */
async function* completedOnly(response: unknown): AsyncGenerator<string> {
  yield JSON.stringify({ type: 'response.completed', sequence_number: 0, response });
}
