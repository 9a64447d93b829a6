// Traces every finished model request: listens on the UsageBus and turns each record into spans
// (request-spans.ts) — after the fact, so the request path itself does nothing for tracing. At
// shutdown it stops listening and flushes the spans still batched, within a bound, so a
// collector that is down cannot hold the exit.
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { GatewayConfig } from '../config/gateway-config';
import type { PluginRegistry } from '../registry/plugin-registry.service';
import type { UsageBus } from '../usage/usage-bus';
import { traceRequest } from './request-spans';

/** How long closing the app waits for the last spans to be exported. */
export const SHUTDOWN_FLUSH_MS = 5000;

export class RequestTracer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');
  private unsubscribe?: () => void;
  /** Instance name → plugin type, for the configuration it was built from (rebuilt after a reload). */
  private types?: { config: GatewayConfig; byInstance: Map<string, string> };

  constructor(
    private readonly provider: BasicTracerProvider,
    private readonly bus: UsageBus,
    private readonly registry: PluginRegistry,
  ) {}

  onModuleInit(): void {
    const tracer = this.provider.getTracer('byokey');
    const providerOf = (instance: string) => this.pluginTypes().get(instance);
    this.unsubscribe = this.bus.subscribe((record) => traceRequest(tracer, record, providerOf));
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_FLUSH_MS);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([this.provider.shutdown(), timeout]);
      if (outcome === 'timeout') this.logger.warn(`the last spans were not exported within ${SHUTDOWN_FLUSH_MS} ms`);
    } catch (error) {
      this.logger.warn(`exporting the last spans failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private pluginTypes(): Map<string, string> {
    const config = this.registry.config;
    if (this.types?.config !== config) {
      this.types = { config, byInstance: new Map(config.providers.map((instance) => [instance.name, instance.type])) };
    }
    return this.types.byInstance;
  }
}
