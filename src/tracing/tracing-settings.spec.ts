import { tracingSettings, urlForLog } from './tracing-settings';

describe('tracingSettings', () => {
  it('is off when no OTLP endpoint is set', () => {
    expect(tracingSettings({})).toBeUndefined();
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeUndefined();
  });

  it('appends /v1/traces to the general endpoint, once', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })?.url).toBe('http://collector:4318/v1/traces');
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.url).toBe('http://collector:4318/v1/traces');
  });

  it('uses the traces endpoint as given, before the general one', () => {
    const settings = tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' });
    expect(settings?.url).toBe('http://b:4318/custom');
  });

  it('names the service byokey unless OTEL_SERVICE_NAME says otherwise', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a' })?.serviceName).toBe('byokey');
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a', OTEL_SERVICE_NAME: 'gateway-eu' })?.serviceName).toBe('gateway-eu');
  });

  it('stays off when the SDK is disabled or the traces exporter is none', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a', OTEL_TRACES_EXPORTER: 'otlp' })?.url).toBe('http://a/v1/traces');
  });

  it('leaves a user and password out of the URL it logs', () => {
    expect(urlForLog('https://me:s3cret@collector:4318/v1/traces')).toBe('https://collector:4318/v1/traces');
    expect(urlForLog('not a url')).toBe('(an unparsable URL)');
  });
});
