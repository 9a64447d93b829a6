// Checks a Responses API body (POST /v1/responses) before it goes anywhere: the fields the
// gateway reads, with OpenAI-style messages naming the field. Everything else passes untouched.
import { invalidRequest } from '../../common/gateway-error';
import type { ResponsesRequest } from '../../protocol/openai-responses';
import { isObject } from '../../protocol/json-object';

export function validateResponsesRequest(body: unknown): ResponsesRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  if (body.model === undefined) throw invalidRequest('Missing required parameter: `model`.', 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw invalidRequest('`model` must be a non-empty string.', 'model', 'invalid_type');
  }
  if (body.input === undefined) throw invalidRequest('Missing required parameter: `input`.', 'input', 'missing_required_parameter');
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) {
    throw invalidRequest('`input` must be a string or an array of input items.', 'input', 'invalid_type');
  }
  if (Array.isArray(body.input)) {
    body.input.forEach((item, i) => {
      if (!isObject(item)) throw invalidRequest(`\`input[${i}]\` must be an object.`, `input[${i}]`, 'invalid_type');
      // Items without a type are messages ({role, content}), as the API allows.
      if (item.type === undefined && typeof item.role !== 'string') {
        throw invalidRequest(`\`input[${i}]\` needs a \`type\` or a \`role\`.`, `input[${i}]`, 'invalid_type');
      }
    });
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidRequest('`stream` must be a boolean.', 'stream', 'invalid_type');
  }
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string') {
    throw invalidRequest('`instructions` must be a string.', 'instructions', 'invalid_type');
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) throw invalidRequest('`tools` must be an array.', 'tools', 'invalid_type');
  return body as ResponsesRequest;
}

