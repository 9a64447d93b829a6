// Starts one response of a Responses WebSocket through the router, so each response gets what an
// HTTP request gets (credential pools, failover, cooldowns, timeouts, the protocol table's bridge
// for whatever protocol the chosen upstream speaks), plus the connection's affinity. When the
// model may be served by an upstream that keeps no Responses state (chat, Messages), the socket
// keeps the conversation itself (socket-conversation.ts): warm-ups are answered here and a
// follow-up's previous_response_id is resolved into the whole conversation before routing.
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
    const validated = validateResponsesRequest(body);
    const plan = this.router.plan(validated.model);
    // A plan of Responses upstreams only keeps its state upstream, on the connection's own upstream socket.
    const keptHere = !plan.targets.every((target) => target.protocol === 'openai-responses');
    if (keptHere && validated.generate === false) return context.conversation.warmUp(validated);
    const request = keptHere ? context.conversation.resolve(validated) : validated;
    const { target, result, bridge, sent } = await this.router.forward(plan, {
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
    const bridged = { request, instance: target.instance.name, model: request.model, sent };
    const events = result.kind === 'json' ? completedOnly(bridge.answer(() => result.parsed(), bridged) ?? result.parsed()) : dataOf(bridge.stream(result.events, bridged).events);
    return keptHere ? context.conversation.remember(request, events) : events;
  }
}

async function* dataOf(events: AsyncIterable<SseEvent>): AsyncGenerator<string> {
  for await (const event of events) yield event.data;
}

/** An upstream that answered with a whole Response: the one event a client waits for. */
async function* completedOnly(response: unknown): AsyncGenerator<string> {
  yield JSON.stringify({ type: 'response.completed', sequence_number: 0, response });
}
