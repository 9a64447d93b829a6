// GatewayError in OpenAI's dialect (reference/wire-protocols.md §4.1): the same object is the
// body of an HTTP error and the payload of an in-stream error event.
import type { GatewayError } from '../../common/gateway-error';
import type { OpenAIErrorBody } from '../../protocol/openai-chat';

export function toOpenAIError(error: GatewayError): OpenAIErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}
