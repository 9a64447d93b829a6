// Plugin "codex": ChatGPT subscription (or OpenAI Platform key) through the Responses API.
import { Module } from '@nestjs/common';
import { CodexHttpTransport } from './codex-http.transport';
import { CodexWebSocketTransport } from './codex-ws.transport';
import { CodexExecutor } from './codex.executor';

@Module({ providers: [CodexHttpTransport, CodexWebSocketTransport, CodexExecutor] })
export class CodexModule {}
