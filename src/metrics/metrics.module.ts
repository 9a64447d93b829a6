// Prometheus metrics: the app's registry (global, so any module can keep a metric in it), the
// metrics kept here from what the gateway already knows, and GET /metrics.
import { Global, Module } from '@nestjs/common';
import { MetricsRegistry } from './metrics-registry';
import { SharedStateMetrics } from './shared-state.metrics';

@Global()
@Module({ providers: [MetricsRegistry, SharedStateMetrics], exports: [MetricsRegistry] })
export class MetricsModule {}
