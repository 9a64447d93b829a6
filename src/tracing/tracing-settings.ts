// Whether the gateway exports traces, and where to: read from the standard OpenTelemetry
// variables, so a collector set up for other services works unchanged. Imports nothing of
// OpenTelemetry: the decision is made before any of it is loaded, and when tracing is off none is.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** Where the OTEL_* variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * An exporter to use instead of OTLP, with spans exported as they end (tests pass an
   * InMemorySpanExporter). Turns tracing on whatever the environment says.
   */
  exporter?: SpanExporter;
}

export interface TracingSettings {
  /** The OTLP/HTTP traces URL spans are posted to. */
  url: string;
  /** The service.name resource attribute. */
  serviceName: string;
}

export const DEFAULT_SERVICE_NAME = 'byokey';

/**
 * The OTLP settings, or undefined when tracing is off: neither OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * nor OTEL_EXPORTER_OTLP_ENDPOINT set, or the SDK switched off (OTEL_SDK_DISABLED=true,
 * OTEL_TRACES_EXPORTER=none). As the specification says, the traces endpoint is used as given
 * and the general one gets `/v1/traces` appended.
 */
export function tracingSettings(env: NodeJS.ProcessEnv): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (env.OTEL_TRACES_EXPORTER?.split(',').some((name) => name.trim().toLowerCase() === 'none')) return undefined;
  const serviceName = serviceNameFrom(env);
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return { url: traces, serviceName };
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return { url: `${base.replace(/\/+$/, '')}/v1/traces`, serviceName };
  return undefined;
}

/** OTEL_SERVICE_NAME, else `byokey`. */
export function serviceNameFrom(env: NodeJS.ProcessEnv): string {
  return env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME;
}

/** A URL fit for a log line: a user and password in it are left out. */
export function urlForLog(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
