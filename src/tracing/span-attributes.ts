// Attribute names the spans carry. The GenAI ones are still "incubating" in the semantic
// conventions; their package asks users to copy such names rather than import its unstable
// entry point, whose exports may change in a minor version. Ours are prefixed `byokey.`.
export {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';

export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** Superseded by gen_ai.provider.name in newer conventions; both are set, as backends read either. */
export const GEN_AI_SYSTEM = 'gen_ai.system';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

export const BYOKEY_REQUEST_ID = 'byokey.request_id';
export const BYOKEY_INSTANCE = 'byokey.instance';
export const BYOKEY_CREDENTIAL = 'byokey.credential';
export const BYOKEY_CLIENT_KEY = 'byokey.client_key';
export const BYOKEY_STREAM = 'byokey.stream';
export const BYOKEY_ATTEMPTS = 'byokey.attempts';
export const BYOKEY_ATTEMPT = 'byokey.attempt';
export const BYOKEY_TTFB_MS = 'byokey.ttfb_ms';
export const BYOKEY_CACHED_TOKENS = 'byokey.usage.cached_tokens';
export const BYOKEY_REASONING_TOKENS = 'byokey.usage.reasoning_tokens';
export const BYOKEY_COOLED_DOWN = 'byokey.cooled_down';

/** Span events: when the answer's first byte went out, and when an upstream answered and first sent. */
export const EVENT_FIRST_BYTE = 'byokey.first_byte';
export const EVENT_UPSTREAM_ANSWERED = 'byokey.upstream.answered';
export const EVENT_UPSTREAM_FIRST_EVENT = 'byokey.upstream.first_event';
