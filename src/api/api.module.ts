// The public, client-facing routes (HTTP, and the Responses WebSocket) and the error filter that
// speaks their dialects.
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RoutingModule } from '../routing/routing.module';
import { BridgedRoute } from './bridged-route';
import { ChatCompletionsController } from './chat-completions.controller';
import { CountTokensController } from './count-tokens.controller';
import { EmbeddingsController } from './embeddings.controller';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { MessagesController } from './messages.controller';
import { ModelsController } from './models.controller';
import { ResponsesController } from './responses.controller';
import { ResponsesWebSocketServer } from './responses-ws/responses-websocket.server';
import { ResponsesWsForwarder } from './responses-ws/responses-ws.forwarder';
import { ActiveStreams } from './streaming/active-streams';

@Module({
  imports: [RoutingModule],
  controllers: [ChatCompletionsController, ResponsesController, MessagesController, CountTokensController, EmbeddingsController, ModelsController],
  providers: [
    ActiveStreams,
    BridgedRoute,
    ResponsesWsForwarder,
    ResponsesWebSocketServer,
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
  exports: [ActiveStreams],
})
export class ApiModule {}
