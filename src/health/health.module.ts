// Liveness and readiness routes, the drain state SIGTERM sets and the streams being served
// (global: the shutdown in gateway.ts, the routes that serve streams and the metrics read them).
import { Global, Module } from '@nestjs/common';
import { ActiveStreams } from './active-streams';
import { DrainState } from './drain-state';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

@Global()
@Module({ controllers: [HealthController], providers: [DrainState, ReadinessService, ActiveStreams], exports: [DrainState, ActiveStreams] })
export class HealthModule {}
