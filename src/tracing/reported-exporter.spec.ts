import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ReportedExporter } from './reported-exporter';

class ScriptedExporter implements SpanExporter {
  results: ExportResult[] = [];
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    done(this.results.shift() ?? { code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('ReportedExporter', () => {
  it('warns once when exports start failing, without the secret, and says when they work again', () => {
    const inner = new ScriptedExporter();
    const lines: string[] = [];
    const exporter = new ReportedExporter(inner, { warn: (m: string) => lines.push(`warn ${m}`), log: (m: string) => lines.push(`log ${m}`) }, 'http://collector/v1/traces');
    const failure = { code: ExportResultCode.FAILED, error: new Error('401 for Authorization: Bearer sk-abcdefghijklmnopqrstuvwxyz0123456789') };
    inner.results = [{ code: ExportResultCode.SUCCESS }, failure, failure, { code: ExportResultCode.SUCCESS }, { code: ExportResultCode.SUCCESS }];
    const codes: ExportResultCode[] = [];
    for (let i = 0; i < 5; i++) exporter.export([], (result) => codes.push(result.code));

    expect(codes).toEqual([0, 1, 1, 0, 0]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warn exporting traces to http:\/\/collector\/v1\/traces failed \(401/);
    expect(lines[0]).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
    expect(lines[1]).toBe('log exporting traces to http://collector/v1/traces works again');
  });
});
