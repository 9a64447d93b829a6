// The protocol table: for every (client protocol, upstream protocol) pair, the one bridge that
// serves it. Routing picks a bridge once it knows the chosen executor's protocol; a controller
// only says which client protocol it serves. The mapped types make the table complete: a new
// ClientProtocol or WireProtocol does not compile until its row and column are filled.
import type { MessagesRequest } from '../protocol/anthropic-messages';
import type { ChatCompletionRequest } from '../protocol/openai-chat';
import type { ResponsesRequest } from '../protocol/openai-responses';
import type { ClientProtocol, WireProtocol } from '../protocol/wire-protocol';
import type { Bridge, BridgeRequestOptions } from './bridges/bridge';
import { chatViaChat, chatViaMessages, chatViaResponses } from './bridges/chat-client.bridges';
import { messagesViaChat, messagesViaMessages, messagesViaResponses } from './bridges/messages-client.bridges';
import { responsesViaChat, responsesViaMessages, responsesViaResponses } from './bridges/responses-client.bridges';
import { createTranslators, type Translators } from './bridges/translators';
import { applyThinking } from './thinking-projection';

/** The request body of each protocol, as a client sends it and as an upstream takes it. */
export interface RequestBodies {
  'openai-chat': ChatCompletionRequest;
  'openai-responses': ResponsesRequest;
  'anthropic-messages': MessagesRequest;
}

export type ClientRequestOf<C extends ClientProtocol> = RequestBodies[C];
export type WireRequestOf<W extends WireProtocol> = RequestBodies[W];

export type ProtocolBridges = {
  [C in ClientProtocol]: { [W in WireProtocol]: Bridge<ClientRequestOf<C>, WireRequestOf<W>> };
};

export function protocolBridges(t: Translators): ProtocolBridges {
  return {
    'openai-chat': {
      'openai-chat': chatViaChat(),
      'openai-responses': chatViaResponses(t),
      'anthropic-messages': chatViaMessages(t),
    },
    'openai-responses': {
      'openai-chat': responsesViaChat(t),
      'openai-responses': responsesViaResponses(),
      'anthropic-messages': responsesViaMessages(t),
    },
    'anthropic-messages': {
      'openai-chat': messagesViaChat(t),
      'openai-responses': messagesViaResponses(t),
      'anthropic-messages': messagesViaMessages(),
    },
  };
}

/** The table, with the thinking projection folded into each bridge's request translation. */
export class ProtocolTable {
  private readonly bridges: ProtocolBridges;

  constructor(translators: Translators = createTranslators()) {
    const bridges = protocolBridges(translators);
    for (const row of Object.values(bridges)) {
      for (const wire of Object.keys(row) as WireProtocol[]) row[wire] = withThinking(wire, row[wire] as Bridge<unknown, object>) as never;
    }
    this.bridges = bridges;
  }

  /** The bridge that serves a `client` request from an upstream speaking `wire`. */
  bridge<C extends ClientProtocol, W extends WireProtocol>(client: C, wire: W): Bridge<ClientRequestOf<C>, WireRequestOf<W>> {
    return this.bridges[client][wire] as Bridge<ClientRequestOf<C>, WireRequestOf<W>>;
  }
}

/** A model-name thinking suffix is projected onto the translated body, in the upstream's protocol. */
function withThinking<TClient>(wire: WireProtocol, bridge: Bridge<TClient, object>): Bridge<TClient, object> {
  return {
    ...bridge,
    request: (body: TClient, options: BridgeRequestOptions) => {
      const translated = bridge.request(body, options);
      return options.thinking ? applyThinking(wire, translated as Record<string, unknown>, options.thinking) : translated;
    },
  };
}
