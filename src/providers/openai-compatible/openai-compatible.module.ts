// Plugin "openai-compatible": any upstream that speaks OpenAI Chat Completions with an API key
// (vLLM, OpenRouter, Ollama, OpenAI itself).
import { Module } from '@nestjs/common';
import { OpenAICompatibleExecutor } from './openai-compatible.executor';

@Module({ providers: [OpenAICompatibleExecutor] })
export class OpenAICompatibleModule {}
