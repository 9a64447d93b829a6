// Prometheus metrics kept by the gateway (prom-client's default registry).
import { Module } from '@nestjs/common';
import { SharedStateMetrics } from './shared-state.metrics';

@Module({ providers: [SharedStateMetrics] })
export class MetricsModule {}
