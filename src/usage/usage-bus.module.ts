// The one UsageBus of the app, global so that whoever publishes (usage accounting) and whoever
// listens (per-key limits) share it.
import { Global, Module } from '@nestjs/common';
import { UsageBus } from './usage-bus';

@Global()
@Module({ providers: [UsageBus], exports: [UsageBus] })
export class UsageBusModule {}
