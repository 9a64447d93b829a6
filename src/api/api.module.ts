// The public, client-facing routes (HTTP, and the Responses WebSocket) and the error filter that
// speaks their dialects.
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RoutingModule } from '../routing/routing.module';
import { AmpPassthrough } from './amp/amp-passthrough';
import { AmpLoginController } from './amp/amp-login.controller';
import { AmpPassthroughController } from './amp/amp-passthrough.controller';
import { BridgedRoute } from './bridged-route';
import { ChatCompletionsController } from './chat-completions.controller';
import { CountTokensController } from './count-tokens.controller';
import { EmbeddingsController } from './embeddings.controller';
import { GeminiController } from './gemini.controller';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { MessagesController } from './messages.controller';
import { ModelsController } from './models.controller';
import { ResponsesController } from './responses.controller';
import { ResponsesWebSocketServer } from './responses-ws/responses-websocket.server';
import { ResponsesWsForwarder } from './responses-ws/responses-ws.forwarder';

@Module({
  imports: [RoutingModule],
  controllers: [AmpPassthroughController, AmpLoginController, ChatCompletionsController, ResponsesController, MessagesController, CountTokensController, EmbeddingsController, ModelsController, GeminiController],
  providers: [
    AmpPassthrough,
    BridgedRoute,
    ResponsesWsForwarder,
    ResponsesWebSocketServer,
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
})
export class ApiModule {}
