// Checks an Embeddings body before it goes anywhere: `model`, `input` in one of the four shapes
// OpenAI takes (a string, strings, a token array, token arrays), and the optional fields whose
// wrong type an upstream would reject less clearly. Unknown fields pass untouched (vLLM and
// others take their own). Errors name the field the way OpenAI does (`input[2]`), in its dialect.
import { invalidRequest } from '../../common/gateway-error';
import { isObject } from '../../protocol/json-object';
import type { EmbeddingsRequest } from '../../protocol/openai-embeddings';

const INPUT_SHAPES = 'a string, an array of strings, an array of token ids, or an array of token-id arrays';
const ENCODING_FORMATS = new Set(['float', 'base64']);

export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');

  if (body.model === undefined) throw invalidRequest('Missing required parameter: `model`.', 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw invalidRequest('`model` must be a non-empty string.', 'model', 'invalid_type');
  }

  if (body.input === undefined) throw invalidRequest('Missing required parameter: `input`.', 'input', 'missing_required_parameter');
  checkInput(body.input);

  const format = body.encoding_format;
  if (format !== undefined && (typeof format !== 'string' || !ENCODING_FORMATS.has(format))) {
    throw invalidRequest(`\`encoding_format\` must be "float" or "base64"; got ${JSON.stringify(format)}.`, 'encoding_format', 'invalid_value');
  }
  const dimensions = body.dimensions;
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && (dimensions as number) > 0)) {
    throw invalidRequest('`dimensions` must be a positive integer.', 'dimensions', 'invalid_type');
  }
  if (body.user !== undefined && typeof body.user !== 'string') throw invalidRequest('`user` must be a string.', 'user', 'invalid_type');
  return body as EmbeddingsRequest;
}

function checkInput(input: unknown): void {
  if (typeof input === 'string') {
    if (input === '') throw invalidRequest('`input` must not be an empty string.', 'input', 'invalid_value');
    return;
  }
  if (!Array.isArray(input)) throw invalidRequest(`\`input\` must be ${INPUT_SHAPES}.`, 'input', 'invalid_type');
  if (input.length === 0) throw invalidRequest('`input` must not be an empty array.', 'input', 'empty_array');
  // The first item decides which of the array shapes this is; every item must then be of it.
  const first = input[0];
  if (typeof first === 'string') {
    input.forEach((item, i) => {
      if (typeof item !== 'string') throw invalidRequest(`\`input[${i}]\` must be a string, like the items before it.`, `input[${i}]`, 'invalid_type');
      if (item === '') throw invalidRequest(`\`input[${i}]\` must not be an empty string.`, `input[${i}]`, 'invalid_value');
    });
  } else if (typeof first === 'number') {
    checkTokens(input, 'input');
  } else if (Array.isArray(first)) {
    input.forEach((item, i) => {
      if (!Array.isArray(item)) throw invalidRequest(`\`input[${i}]\` must be an array of token ids, like the items before it.`, `input[${i}]`, 'invalid_type');
      if (item.length === 0) throw invalidRequest(`\`input[${i}]\` must not be an empty array.`, `input[${i}]`, 'empty_array');
      checkTokens(item, `input[${i}]`);
    });
  } else {
    throw invalidRequest(`\`input\` must be ${INPUT_SHAPES}.`, 'input[0]', 'invalid_type');
  }
}

function checkTokens(tokens: unknown[], at: string): void {
  tokens.forEach((token, i) => {
    if (!Number.isInteger(token) || (token as number) < 0) {
      throw invalidRequest(`\`${at}[${i}]\` must be a token id (an integer of at least 0).`, `${at}[${i}]`, 'invalid_type');
    }
  });
}
