// What the OpenAPI document says of the public, client-facing routes. Their controllers take raw
// bodies (validated by hand, passed through with unknown fields kept) and stream with @Res(), so
// Swagger's scan finds the routes but not their shapes; this table adds the essentials — what the
// route is, the body's main fields, the answers and the error dialect — without touching them.
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, SchemaObject } from './openapi-types';

export const CLIENT_KEY_SECURITY = 'client-key';
export const CLIENT_API_KEY_SECURITY = 'client-x-api-key';

const OPENAI_ERROR: SchemaObject = {
  type: 'object',
  description: 'An error in OpenAI\'s shape (every route but /v1/messages, the admin API included).',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string', description: 'What went wrong and what to do about it.' },
        type: { type: 'string', example: 'invalid_request_error' },
        param: { type: 'string', nullable: true },
        code: { type: 'string', nullable: true },
      },
      required: ['message', 'type', 'param', 'code'],
    },
  },
  required: ['error'],
};

const ANTHROPIC_ERROR: SchemaObject = {
  type: 'object',
  description: "An error in Anthropic's shape (/v1/messages, and /v1/models with `anthropic-version`).",
  properties: {
    type: { type: 'string', enum: ['error'] },
    error: {
      type: 'object',
      properties: { type: { type: 'string', example: 'invalid_request_error' }, message: { type: 'string' } },
      required: ['type', 'message'],
    },
  },
  required: ['type', 'error'],
};

const open = (properties: Record<string, SchemaObject>, required: string[], description: string): SchemaObject => ({
  type: 'object',
  description: `${description} Fields not listed here are passed to the upstream as sent.`,
  properties,
  required,
  additionalProperties: true,
});

const MODEL: SchemaObject = { type: 'string', description: 'A model id from GET /v1/models, `instance/model`, or an alias.', example: 'gpt-5' };
const STREAM: SchemaObject = { type: 'boolean', description: 'Answer as server-sent events.' };

interface PublicRoute {
  summary: string;
  description: string;
  tag: string;
  body?: SchemaObject;
  streams: boolean;
  anthropic: boolean;
  /**
   * Where Swagger's scan puts the route when that is not the path documented: a wildcard route
   * (`models/*`, for ids with slashes) is scanned as `{path}`, and is moved to the key's path.
   */
  scannedAs?: string;
  parameters?: Array<{ name: string; in: 'path'; required: true; description: string; schema: SchemaObject }>;
}

const ROUTES: Record<string, PublicRoute> = {
  'post /v1/chat/completions': {
    summary: 'Chat completion (OpenAI Chat Completions)',
    description: 'Served by whichever provider the model routes to, translated both ways when it speaks another protocol.',
    tag: 'OpenAI-compatible',
    body: open({ model: MODEL, messages: { type: 'array', items: { type: 'object' } }, stream: STREAM }, ['model', 'messages'], 'OpenAI\'s Chat Completions request.'),
    streams: true,
    anthropic: false,
  },
  'post /v1/responses': {
    summary: 'Model response (OpenAI Responses)',
    description: 'Also offered over WebSocket on GET /v1/responses (Codex CLI\'s transport).',
    tag: 'OpenAI-compatible',
    body: open({ model: MODEL, input: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] }, stream: STREAM }, ['model'], 'OpenAI\'s Responses request.'),
    streams: true,
    anthropic: false,
  },
  'get /v1/models': {
    summary: 'Models this gateway serves',
    description: 'OpenAI\'s list shape; Anthropic\'s paged shape when the request carries `anthropic-version`.',
    tag: 'OpenAI-compatible',
    streams: false,
    anthropic: false,
  },
  'get /v1/models/{model}': {
    summary: 'One model this gateway serves',
    description:
      'The model as GET /v1/models lists it, in OpenAI\'s shape or, with `anthropic-version`, Anthropic\'s. Also answers the names that reach a listed model ' +
      '(`instance/model`, a thinking suffix such as `(high)`, an alias), under the name asked for. 404 `model_not_found` otherwise.',
    tag: 'OpenAI-compatible',
    streams: false,
    anthropic: false,
    scannedAs: '/v1/models/{path}',
    parameters: [
      { name: 'model', in: 'path', required: true, description: 'The model id; it may hold slashes, sent as they are or as `%2F`.', schema: { type: 'string' } },
    ],
  },
  'post /v1/embeddings': {
    summary: 'Embeddings (OpenAI Embeddings)',
    description:
      'Passed through to the openai-compatible instance that serves the model; its answer comes back as it was sent (floats, or base64 when asked). ' +
      'A model whose provider has no embeddings endpoint (Codex, Claude) is refused with 400 `unsupported_model_for_endpoint`.',
    tag: 'OpenAI-compatible',
    body: open(
      {
        model: MODEL,
        input: {
          oneOf: [
            { type: 'string' },
            { type: 'array', items: { type: 'string' } },
            { type: 'array', items: { type: 'integer' } },
            { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
          ],
        },
        encoding_format: { type: 'string', enum: ['float', 'base64'] },
        dimensions: { type: 'integer' },
      },
      ['model', 'input'],
      'OpenAI\'s Embeddings request.',
    ),
    streams: false,
    anthropic: false,
  },
  'post /v1/messages': {
    summary: 'Message (Anthropic Messages)',
    description: 'For Claude Code and the Anthropic SDK; non-Claude models are translated.',
    tag: 'Anthropic-compatible',
    body: open(
      { model: MODEL, messages: { type: 'array', items: { type: 'object' } }, max_tokens: { type: 'integer' }, system: {}, stream: STREAM },
      ['model', 'messages', 'max_tokens'],
      'Anthropic\'s Messages request.',
    ),
    streams: true,
    anthropic: true,
  },
  'post /v1/messages/count_tokens': {
    summary: 'Count input tokens (Anthropic)',
    description:
      'Claude\'s own count (with the credential routing picks) for a Claude model; an estimate for other models, and when Claude cannot count right now. ' +
      'The `x-byokey-token-count` header says which (`upstream` or `estimate`).',
    tag: 'Anthropic-compatible',
    body: open({ model: MODEL, messages: { type: 'array', items: { type: 'object' } }, system: {} }, ['model', 'messages'], 'Anthropic\'s count_tokens request.'),
    streams: false,
    anthropic: true,
  },
};

/** Adds the public routes' descriptions, schemas and security to a scanned document. */
export function describePublicRoutes(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ??= {};
  schemas.OpenAIError = OPENAI_ERROR;
  schemas.AnthropicError = ANTHROPIC_ERROR;
  for (const [key, route] of Object.entries(ROUTES)) {
    const [method, path] = key.split(' ');
    if (route.scannedAs && document.paths[route.scannedAs]) {
      document.paths[path] = document.paths[route.scannedAs];
      delete document.paths[route.scannedAs];
    }
    const operation = (document.paths[path] as Record<string, OperationObject> | undefined)?.[method];
    if (!operation) continue; // a route that no longer exists is not invented
    if (route.parameters) operation.parameters = route.parameters;
    const error = { $ref: `#/components/schemas/${route.anthropic ? 'AnthropicError' : 'OpenAIError'}` };
    operation.summary = route.summary;
    operation.description = route.description;
    operation.tags = [route.tag];
    operation.security = [{ [CLIENT_KEY_SECURITY]: [] }, { [CLIENT_API_KEY_SECURITY]: [] }];
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: route.body } } };
    const ok: Record<string, { schema: SchemaObject }> = { 'application/json': { schema: { type: 'object' } } };
    if (route.streams) ok['text/event-stream'] = { schema: { type: 'string', description: 'Server-sent events, when `stream` is true.' } };
    operation.responses = {
      '200': { description: 'The answer, in the route\'s own protocol.', content: ok },
      '4XX': { description: 'Refused: the message says why and what to do.', content: { 'application/json': { schema: error } } },
      '5XX': { description: 'The upstream failed or could not be reached.', content: { 'application/json': { schema: error } } },
    };
  }
}
