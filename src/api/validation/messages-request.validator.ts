// Checks an Anthropic Messages body (POST /v1/messages) for what the gateway itself reads before
// routing — the model to route by, the messages array to translate, the max_tokens Anthropic
// requires, the stream flag that picks the answer's form — with Anthropic-style messages
// ("max_tokens: Field required"). Nothing else: roles (`system` turns), block types, tool kinds
// and new fields are the upstream's to judge, since a gateway must not be stricter than the API
// it fronts. The translators and executors cope with any shape inside `messages`.
import { invalidRequest } from '../../common/gateway-error';
import type { MessagesRequest } from '../../protocol/anthropic-messages';
import { isObject } from '../../protocol/json-object';

export function validateMessagesRequest(body: unknown, options: { requireMaxTokens: boolean } = { requireMaxTokens: true }): MessagesRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  if (body.model === undefined) throw invalidRequest('model: Field required', 'model');
  if (typeof body.model !== 'string' || body.model.trim() === '') throw invalidRequest('model: Input should be a non-empty string', 'model');
  if (options.requireMaxTokens) {
    if (body.max_tokens === undefined) throw invalidRequest('max_tokens: Field required', 'max_tokens');
    if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
      throw invalidRequest('max_tokens: Input should be a positive integer', 'max_tokens');
    }
  }
  if (body.messages === undefined) throw invalidRequest('messages: Field required', 'messages');
  if (!Array.isArray(body.messages)) throw invalidRequest('messages: Input should be a valid list', 'messages');
  // The gateway answers a stream or one Message by this flag; anything but a boolean is ambiguous.
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean', 'stream');
  return body as MessagesRequest;
}

