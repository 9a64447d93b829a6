// Plugin "claude": Anthropic's Messages API with an API key or a Claude Pro/Max login.
import { Module } from '@nestjs/common';
import { ClaudeExecutor } from './claude.executor';

@Module({ providers: [ClaudeExecutor] })
export class ClaudeModule {}
