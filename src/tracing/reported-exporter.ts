// Wraps the OTLP exporter so that a collector that cannot be reached is said in the log: the SDK
// reports export failures only to its own diagnostics, silent by default. One warning when exports
// start failing and one line when they work again, not a line per batch.
import type { Logger } from '@nestjs/common';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactSecrets } from '../common/redact-secrets';

export class ReportedExporter implements SpanExporter {
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
    private readonly where: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS && !this.failing) {
        this.failing = true;
        const why = result.error ? redactSecrets(result.error.message) : 'unknown error';
        this.logger.warn(`exporting traces to ${this.where} failed (${why}); spans are dropped until it works again`);
      } else if (result.code === ExportResultCode.SUCCESS && this.failing) {
        this.failing = false;
        this.logger.log(`exporting traces to ${this.where} works again`);
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
