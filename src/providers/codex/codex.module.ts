// Plugin "codex": ChatGPT subscription (or OpenAI Platform key) through the Responses API.
import { Module } from '@nestjs/common';
import { CodexHttpTransport } from './codex-http.transport';
import { CodexWsMetrics } from './codex-ws.metrics';
import { CodexWebSocketTransport } from './codex-ws.transport';
import { CodexExecutor } from './codex.executor';

@Module({ providers: [CodexHttpTransport, CodexWsMetrics, CodexWebSocketTransport, CodexExecutor] })
export class CodexModule {}
