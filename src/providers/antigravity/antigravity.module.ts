// Plugin "antigravity": a Google Antigravity login over Antigravity's Code Assist.
import { Module } from '@nestjs/common';
import { CodeAssistModule } from '../gemini/code-assist/code-assist.module';
import { AntigravityExecutor } from './antigravity.executor';

@Module({ imports: [CodeAssistModule], providers: [AntigravityExecutor] })
export class AntigravityModule {}
