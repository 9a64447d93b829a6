// Prometheus metrics: the app's registry (global, so any module can keep a metric in it), the
// metrics kept here from what the gateway already knows, and GET /metrics.
import { Global, Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { MetricsController } from './metrics.controller';
import { MetricsGuard } from './metrics.guard';
import { MetricsRegistry } from './metrics-registry';
import { RequestMetrics } from './request.metrics';
import { SharedStateMetrics } from './shared-state.metrics';

@Global()
@Module({
  imports: [ApiModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, MetricsGuard, RequestMetrics, SharedStateMetrics],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
