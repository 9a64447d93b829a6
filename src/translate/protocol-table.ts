// The protocol table: for every (client protocol, upstream protocol) pair, the one bridge that
// serves it. Routing picks a bridge once it knows the chosen executor's protocol; a controller
// only says which client protocol it serves. The mapped types make the table complete: a new
// ClientProtocol or WireProtocol does not compile until its row and column are filled.
import type { MessagesRequest } from '../protocol/anthropic-messages';
import type { GeminiRequest } from '../protocol/gemini-generate-content';
import type { ChatCompletionRequest } from '../protocol/openai-chat';
import type { ResponsesRequest } from '../protocol/openai-responses';
import type { KiroRequest } from '../protocol/kiro-assistant-response';
import type { ClientProtocol, WireProtocol } from '../protocol/wire-protocol';
import type { Bridge, BridgeRequestOptions } from './bridges/bridge';
import { chatViaChat, chatViaGemini, chatViaKiro, chatViaMessages, chatViaResponses } from './bridges/chat-client.bridges';
import { geminiViaChat, geminiViaGemini, geminiViaKiro, geminiViaMessages, geminiViaResponses } from './bridges/gemini-client.bridges';
import { messagesViaChat, messagesViaGemini, messagesViaKiro, messagesViaMessages, messagesViaResponses } from './bridges/messages-client.bridges';
import { responsesViaChat, responsesViaGemini, responsesViaKiro, responsesViaMessages, responsesViaResponses } from './bridges/responses-client.bridges';
import { createTranslators, type Translators } from './bridges/translators';
import { applyThinking } from './thinking-projection';

/** The request body of each protocol, as a client sends it and as an upstream takes it (Kiro's only upstream). */
export interface RequestBodies {
  'openai-chat': ChatCompletionRequest;
  'openai-responses': ResponsesRequest;
  'anthropic-messages': MessagesRequest;
  gemini: GeminiRequest;
  kiro: KiroRequest;
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
      gemini: chatViaGemini(t),
      kiro: chatViaKiro(t),
    },
    'openai-responses': {
      'openai-chat': responsesViaChat(t),
      'openai-responses': responsesViaResponses(),
      'anthropic-messages': responsesViaMessages(t),
      gemini: responsesViaGemini(t),
      kiro: responsesViaKiro(t),
    },
    'anthropic-messages': {
      'openai-chat': messagesViaChat(t),
      'openai-responses': messagesViaResponses(t),
      'anthropic-messages': messagesViaMessages(),
      gemini: messagesViaGemini(t),
      kiro: messagesViaKiro(t),
    },
    gemini: {
      'openai-chat': geminiViaChat(t),
      'openai-responses': geminiViaResponses(t),
      'anthropic-messages': geminiViaMessages(t),
      gemini: geminiViaGemini(),
      kiro: geminiViaKiro(t),
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
