// The OpenTelemetry tracer provider of the app: service.name `byokey` (or OTEL_SERVICE_NAME) and
// the resource attributes of OTEL_RESOURCE_ATTRIBUTES; spans batched to the OTLP/HTTP exporter, or
// handed one by one to an exporter a test passes. Sampling and batch sizes follow the SDK's own
// variables (OTEL_TRACES_SAMPLER, OTEL_BSP_*), the exporter's headers and timeout its
// (OTEL_EXPORTER_OTLP_HEADERS, …). Never registered globally: spans are made from this provider's
// tracer with explicit parents (request-spans.ts), so no context manager is needed.
import type { Logger } from '@nestjs/common';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from './span-attributes';
import { serviceNameFrom, tracingSettings, urlForLog, type TracingOptions } from './tracing-settings';
import { ReportedExporter } from './reported-exporter';

export function createTracerProvider(options: TracingOptions, logger: Pick<Logger, 'warn' | 'log'>): BasicTracerProvider {
  const env = options.env ?? process.env;
  const settings = tracingSettings(env);
  let processor: SpanProcessor;
  if (options.exporter) {
    processor = new SimpleSpanProcessor(options.exporter);
  } else if (settings) {
    processor = new BatchSpanProcessor(new ReportedExporter(new OTLPTraceExporter({ url: settings.url }), logger, urlForLog(settings.url)));
  } else {
    throw new Error('tracing is off: no OTLP endpoint and no exporter');
  }
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceNameFrom(env) }));
  return new BasicTracerProvider({ resource, spanProcessors: [processor] });
}
