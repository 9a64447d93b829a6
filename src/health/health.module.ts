// Liveness and readiness routes, and the drain state SIGTERM sets (global: the shutdown in
// gateway.ts and the routes that end streams read it).
import { Global, Module } from '@nestjs/common';
import { DrainState } from './drain-state';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

@Global()
@Module({ controllers: [HealthController], providers: [DrainState, ReadinessService], exports: [DrainState] })
export class HealthModule {}
