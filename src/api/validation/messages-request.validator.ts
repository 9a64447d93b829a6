// Checks an Anthropic Messages body (POST /v1/messages) the way the Messages API does: the
// required fields and their types, with Anthropic-style messages ("max_tokens: Field required").
// Everything else passes untouched.
import { invalidRequest } from '../../common/gateway-error';
import type { MessagesRequest } from '../../protocol/anthropic-messages';

export function validateMessagesRequest(body: unknown, options: { requireMaxTokens: boolean } = { requireMaxTokens: true }): MessagesRequest {
  if (!isPlainObject(body)) throw invalidRequest('The request body must be a JSON object.');
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
  if (body.messages.length === 0) throw invalidRequest('messages: at least one message is required', 'messages');
  body.messages.forEach((message, i) => {
    const at = `messages.${i}`;
    if (!isPlainObject(message)) throw invalidRequest(`${at}: Input should be a valid dictionary`, at);
    if (message.role !== 'user' && message.role !== 'assistant') {
      throw invalidRequest(`${at}.role: Input should be 'user' or 'assistant'`, `${at}.role`);
    }
    const content = message.content;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      throw invalidRequest(`${at}.content: Input should be a valid string or a list of content blocks`, `${at}.content`);
    }
    if (Array.isArray(content)) {
      content.forEach((block, j) => {
        if (!isPlainObject(block) || typeof block.type !== 'string') {
          throw invalidRequest(`${at}.content.${j}: Input should be a content block with a type`, `${at}.content.${j}`);
        }
      });
    }
  });
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean', 'stream');
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
    throw invalidRequest('system: Input should be a valid string or a list of text blocks', 'system');
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) throw invalidRequest('tools: Input should be a valid list', 'tools');
  return body as MessagesRequest;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
