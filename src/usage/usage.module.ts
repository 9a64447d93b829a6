// Usage accounting in the app: the batching writer that stores what usage-recording.ts publishes
// on the UsageBus, and retention. The bus itself is the global UsageBusModule's (per-key limits
// listen to it too); the stores and the registry (for the retention period in force) come from
// global modules.
import { Module } from '@nestjs/common';
import { UsageRetention } from './usage-retention.service';
import { UsageWriter } from './usage-writer.service';

@Module({
  providers: [UsageWriter, UsageRetention],
})
export class UsageModule {}
