// Plugin "gemini": Google's Gemini by API key (Generative Language API) or by a Google login (Code Assist).
import { Module } from '@nestjs/common';
import { CodeAssistModule } from './code-assist/code-assist.module';
import { GeminiExecutor } from './gemini.executor';

@Module({ imports: [CodeAssistModule], providers: [GeminiExecutor] })
export class GeminiModule {}
