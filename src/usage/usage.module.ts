// Usage accounting in the app: the UsageBus finished requests are announced on (usage-recording.ts
// publishes, the writer and per-key limits listen), the batching writer, and retention. Import
// this module to subscribe to the bus; the stores and the registry (for the retention
// period in force) come from global modules.
import { Module } from '@nestjs/common';
import { UsageBus } from './usage-bus';
import { UsageRetention } from './usage-retention.service';
import { UsageWriter } from './usage-writer.service';

@Module({
  providers: [UsageBus, UsageWriter, UsageRetention],
  exports: [UsageBus],
})
export class UsageModule {}
