// Plugin "kimi": Kimi Code subscription (OAuth device login) over Kimi's OpenAI-compatible API.
import { Module } from '@nestjs/common';
import { KimiExecutor } from './kimi.executor';

@Module({ providers: [KimiExecutor] })
export class KimiModule {}
