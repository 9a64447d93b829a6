// Checks a Chat Completions body before it goes anywhere: the fields the gateway reads, and the
// common fields whose wrong type an upstream would reject less clearly. Unknown fields pass
// untouched. Hand-written rather than class-validator: it runs on every request, must not copy
// the body, and must name the offending field the way OpenAI does (`messages[2].role`).
import { invalidRequest } from '../../common/gateway-error';
import type { ChatCompletionRequest } from '../../protocol/openai-chat';
import { isObject } from '../../protocol/json-object';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

type Check = (value: unknown) => string | undefined;

const isNumberOrNull: Check = (v) => (v === null || (typeof v === 'number' && Number.isFinite(v)) ? undefined : 'a number');
const isIntegerOrNull: Check = (v) => (v === null || Number.isInteger(v) ? undefined : 'an integer');
const isBooleanOrNull: Check = (v) => (v === null || typeof v === 'boolean' ? undefined : 'a boolean');
const isString: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
const isObjectOrNull: Check = (v) => (v === null || isObject(v) ? undefined : 'an object');
const isStop: Check = (v) =>
  v === null || typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'))
    ? undefined
    : 'a string or an array of strings';
const isToolChoice: Check = (v) => (typeof v === 'string' || isObject(v) ? undefined : 'a string or an object');

/** Optional top-level fields and what they must be when present. */
const OPTIONAL_FIELDS: Record<string, Check> = {
  stream: isBooleanOrNull,
  stream_options: isObjectOrNull,
  temperature: isNumberOrNull,
  top_p: isNumberOrNull,
  presence_penalty: isNumberOrNull,
  frequency_penalty: isNumberOrNull,
  max_tokens: isIntegerOrNull,
  max_completion_tokens: isIntegerOrNull,
  n: isIntegerOrNull,
  seed: isIntegerOrNull,
  stop: isStop,
  tool_choice: isToolChoice,
  parallel_tool_calls: isBooleanOrNull,
  user: isString,
  reasoning_effort: isString,
  metadata: isObjectOrNull,
};

export function validateChatRequest(body: unknown): ChatCompletionRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');

  if (body.model === undefined) throw invalidRequest('Missing required parameter: `model`.', 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw invalidRequest('`model` must be a non-empty string.', 'model', 'invalid_type');
  }

  if (body.messages === undefined) {
    throw invalidRequest('Missing required parameter: `messages`.', 'messages', 'missing_required_parameter');
  }
  if (!Array.isArray(body.messages)) throw invalidRequest('`messages` must be an array.', 'messages', 'invalid_type');
  if (body.messages.length === 0) {
    throw invalidRequest('`messages` must contain at least one message.', 'messages', 'empty_array');
  }
  body.messages.forEach(checkMessage);

  for (const field in OPTIONAL_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    const expected = OPTIONAL_FIELDS[field](value);
    if (expected) throw invalidRequest(`\`${field}\` must be ${expected}.`, field, 'invalid_type');
  }
  const options = body.stream_options;
  if (isObject(options) && options.include_usage !== undefined && typeof options.include_usage !== 'boolean') {
    throw invalidRequest('`stream_options.include_usage` must be a boolean.', 'stream_options.include_usage', 'invalid_type');
  }
  if (body.tools !== undefined) checkTools(body.tools);
  return body as ChatCompletionRequest;
}

function checkMessage(message: unknown, index: number): void {
  const at = `messages[${index}]`;
  if (!isObject(message)) throw invalidRequest(`\`${at}\` must be an object.`, at, 'invalid_type');
  if (message.role === undefined) throw invalidRequest(`Missing required parameter: \`${at}.role\`.`, `${at}.role`, 'missing_required_parameter');
  if (typeof message.role !== 'string' || !ROLES.has(message.role)) {
    throw invalidRequest(
      `\`${at}.role\` must be one of ${[...ROLES].join(', ')}; got ${JSON.stringify(message.role)}.`,
      `${at}.role`,
      'invalid_value',
    );
  }
  const content = message.content;
  if (content !== undefined && content !== null && typeof content !== 'string') {
    if (!Array.isArray(content)) {
      throw invalidRequest(`\`${at}.content\` must be a string or an array of content parts.`, `${at}.content`, 'invalid_type');
    }
    content.forEach((part, i) => {
      if (!isObject(part) || typeof part.type !== 'string') {
        throw invalidRequest(`\`${at}.content[${i}]\` must be an object with a string \`type\`.`, `${at}.content[${i}]`, 'invalid_type');
      }
    });
  }
  if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
    throw invalidRequest(`\`${at}.tool_call_id\` is required for tool messages.`, `${at}.tool_call_id`, 'missing_required_parameter');
  }
  if (message.tool_calls !== undefined && message.tool_calls !== null && !Array.isArray(message.tool_calls)) {
    throw invalidRequest(`\`${at}.tool_calls\` must be an array.`, `${at}.tool_calls`, 'invalid_type');
  }
}

function checkTools(tools: unknown): void {
  if (!Array.isArray(tools)) throw invalidRequest('`tools` must be an array.', 'tools', 'invalid_type');
  tools.forEach((tool, i) => {
    const at = `tools[${i}]`;
    if (!isObject(tool) || typeof tool.type !== 'string') {
      throw invalidRequest(`\`${at}\` must be an object with a string \`type\`.`, at, 'invalid_type');
    }
    if (tool.type === 'function') {
      const fn = tool.function;
      if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') {
        throw invalidRequest(`\`${at}.function.name\` must be a non-empty string.`, `${at}.function.name`, 'invalid_type');
      }
    }
  });
}

