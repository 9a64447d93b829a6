// The admin REST API under /admin/v1 (providers, accounts, client keys, usage, reload), every
// route behind AdminKeyGuard. Controllers live beside this file, one per resource.
import { Module } from '@nestjs/common';
import { AdminKeyGuard } from './admin-key.guard';
import { UsageController } from './usage.controller';

@Module({
  controllers: [UsageController],
  providers: [AdminKeyGuard],
})
export class AdminModule {}
