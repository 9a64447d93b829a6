// Tracing, when it is on (tracing-settings.ts): the tracer provider and the RequestTracer that
// makes spans from usage records. Off, the module is empty and OpenTelemetry is never loaded —
// hence the require() of the files that import it, only in the branch that needs them.
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { UsageBus } from '../usage/usage-bus';
import { tracingSettings, urlForLog, type TracingOptions } from './tracing-settings';

export const TRACER_PROVIDER = Symbol('byokey.tracerProvider');

@Module({})
export class TracingModule {
  static forRoot(options: TracingOptions = {}): DynamicModule {
    const settings = tracingSettings(options.env ?? process.env);
    if (!options.exporter && !settings) return { module: TracingModule };
    const { createTracerProvider } = require('./tracer-provider') as typeof import('./tracer-provider');
    const { RequestTracer } = require('./request-tracer') as typeof import('./request-tracer');
    return {
      module: TracingModule,
      providers: [
        {
          provide: TRACER_PROVIDER,
          useFactory: () => {
            const logger = new Logger('Tracing');
            if (settings && !options.exporter) logger.log(`exporting traces to ${urlForLog(settings.url)} as ${settings.serviceName}`);
            return createTracerProvider(options, logger);
          },
        },
        { provide: RequestTracer, useFactory: (provider, bus, registry) => new RequestTracer(provider, bus, registry), inject: [TRACER_PROVIDER, UsageBus, PluginRegistry] },
      ],
      exports: [TRACER_PROVIDER],
    };
  }
}
