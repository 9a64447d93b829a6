// The admin REST API under /admin/v1 (providers, accounts, client keys, usage, reload), every
// route behind AdminKeyGuard. Controllers live beside this file, one per resource.
import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { AccountsController } from './accounts/accounts.controller';
import { LoginsController } from './accounts/logins.controller';
import { AdminBodyPipe } from './admin-body.pipe';
import { AdminKeyGuard } from './admin-key.guard';
import { KeysController } from './keys.controller';
import { HttpLogins } from './logins/http-logins.service';
import { ProviderChangesService } from './providers/provider-changes.service';
import { ProviderStatusMetrics } from './providers/provider-status.metrics';
import { ProviderStatusService } from './providers/provider-status.service';
import { ProvidersController } from './providers/providers.controller';
import { ReloadController } from './reload.controller';
import { UsageController } from './usage.controller';

@Module({
  imports: [RoutingModule],
  controllers: [ProvidersController, AccountsController, LoginsController, ReloadController, KeysController, UsageController],
  providers: [AdminKeyGuard, AdminBodyPipe, ProviderStatusService, ProviderStatusMetrics, ProviderChangesService, HttpLogins],
})
export class AdminModule {}
