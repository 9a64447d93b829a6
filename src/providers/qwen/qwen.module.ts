// Plugin "qwen": Qwen Code subscription (OAuth device login) over Qwen's OpenAI-compatible API.
import { Module } from '@nestjs/common';
import { QwenExecutor } from './qwen.executor';

@Module({ providers: [QwenExecutor] })
export class QwenModule {}
