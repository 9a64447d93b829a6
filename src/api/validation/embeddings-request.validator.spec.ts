// validateEmbeddingsRequest: each bad body → a 400 in OpenAI's dialect naming the field; each of
// the four input shapes OpenAI takes passes as the very same object, unknown fields untouched.
import { GatewayError } from '../../common/gateway-error';
import { validateEmbeddingsRequest } from './embeddings-request.validator';

function rejectionOf(body: unknown): GatewayError {
  try {
    validateEmbeddingsRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

describe('validateEmbeddingsRequest', () => {
  it.each<[string, unknown]>([
    ['an array', [{ model: 'm', input: 'x' }]],
    ['a string', '{"model":"m"}'],
    ['null', null],
  ])('rejects a body that is %s', (_label, body) => {
    const error = rejectionOf(body);
    expect([error.status, error.type, error.param, error.message]).toEqual([400, 'invalid_request_error', null, 'The request body must be a JSON object.']);
  });

  // [what, body, param, code, a fragment of the message]
  it.each<[string, Record<string, unknown>, string, string, string]>([
    ['missing model', { input: 'x' }, 'model', 'missing_required_parameter', 'Missing required parameter: `model`'],
    ['model not a string', { model: 3, input: 'x' }, 'model', 'invalid_type', '`model` must be a non-empty string'],
    ['blank model', { model: ' ', input: 'x' }, 'model', 'invalid_type', '`model` must be a non-empty string'],
    ['missing input', { model: 'm' }, 'input', 'missing_required_parameter', 'Missing required parameter: `input`'],
    ['input a number', { model: 'm', input: 42 }, 'input', 'invalid_type', 'a string, an array of strings'],
    ['input an object', { model: 'm', input: { text: 'x' } }, 'input', 'invalid_type', 'a string, an array of strings'],
    ['input null', { model: 'm', input: null }, 'input', 'invalid_type', 'a string, an array of strings'],
    ['an empty string', { model: 'm', input: '' }, 'input', 'invalid_value', 'must not be an empty string'],
    ['an empty array', { model: 'm', input: [] }, 'input', 'empty_array', 'must not be an empty array'],
    ['strings then a number', { model: 'm', input: ['a', 'b', 3] }, 'input[2]', 'invalid_type', '`input[2]` must be a string'],
    ['an empty string item', { model: 'm', input: ['a', ''] }, 'input[1]', 'invalid_value', '`input[1]` must not be an empty string'],
    ['a fractional token', { model: 'm', input: [1, 2.5] }, 'input[1]', 'invalid_type', 'token id'],
    ['a negative token', { model: 'm', input: [-1] }, 'input[0]', 'invalid_type', 'token id'],
    ['tokens then a string', { model: 'm', input: [1, 'a'] }, 'input[1]', 'invalid_type', 'token id'],
    ['token arrays then a number', { model: 'm', input: [[1], 2] }, 'input[1]', 'invalid_type', 'an array of token ids'],
    ['an empty token array', { model: 'm', input: [[1], []] }, 'input[1]', 'empty_array', 'must not be an empty array'],
    ['a bad token in an array', { model: 'm', input: [[1], [2, 'x']] }, 'input[1][1]', 'invalid_type', 'token id'],
    ['objects', { model: 'm', input: [{ text: 'x' }] }, 'input[0]', 'invalid_type', 'a string, an array of strings'],
    ['an unknown encoding', { model: 'm', input: 'x', encoding_format: 'int8' }, 'encoding_format', 'invalid_value', '"float" or "base64"'],
    ['dimensions zero', { model: 'm', input: 'x', dimensions: 0 }, 'dimensions', 'invalid_type', 'positive integer'],
    ['dimensions a string', { model: 'm', input: 'x', dimensions: '256' }, 'dimensions', 'invalid_type', 'positive integer'],
    ['user a number', { model: 'm', input: 'x', user: 7 }, 'user', 'invalid_type', '`user` must be a string'],
  ])('rejects %s', (_label, body, param, code, fragment) => {
    const error = rejectionOf(body);
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
  });

  it.each<[string, unknown]>([
    ['a string', 'hello'],
    ['strings', ['hello', 'world']],
    ['a token array', [0, 15339, 1917]],
    ['token arrays', [[15339], [1917, 0]]],
  ])('passes %s as the same object, unknown fields kept', (_label, input) => {
    const body = { model: 'text-embedding-3-small', input, encoding_format: 'base64', dimensions: 256, user: 'u1', truncate_prompt_tokens: 512 };
    expect(validateEmbeddingsRequest(body)).toBe(body);
    expect(body.truncate_prompt_tokens).toBe(512);
  });
});
