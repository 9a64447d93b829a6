// Prometheus metrics: the app's registry (global, so any module can keep a metric in it), the
// metrics kept here from what the gateway already knows, and GET /metrics.
import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsGuard } from './metrics.guard';
import { MetricsRegistry } from './metrics-registry';
import { RequestMetrics } from './request.metrics';
import { SharedStateMetrics } from './shared-state.metrics';
import { TokenRefreshMetrics } from './token-refresh.metrics';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, MetricsGuard, RequestMetrics, SharedStateMetrics, TokenRefreshMetrics],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
