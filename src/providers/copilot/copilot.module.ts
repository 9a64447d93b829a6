// Plugin "copilot": a GitHub Copilot seat over the Copilot API (chat completions, Messages, Responses).
import { Module } from '@nestjs/common';
import { CopilotClock } from './copilot-clock';
import { CopilotQuota } from './copilot-quota';
import { CopilotTokens } from './copilot-token';
import { CopilotExecutor } from './copilot.executor';

@Module({ providers: [CopilotClock, CopilotTokens, CopilotQuota, CopilotExecutor] })
export class CopilotModule {}
