// The OpenAPI document of the gateway, served at /openapi.json, and the Swagger UI at /docs.
// Swagger scans every controller of the app, so routes added later (and other developers'
// admin controllers) appear without being listed here; this file adds what the scan cannot
// know: the public routes' shapes (public-routes.openapi.ts) and the admin API's security. With
// no admin key configured the admin API does not exist, and the document says nothing of it.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject } from './openapi-types';
import { ADMIN_SECURITY } from '../admin/admin-openapi';
import type { GatewayConfig } from '../config/gateway-config';
import { CLIENT_API_KEY_SECURITY, CLIENT_KEY_SECURITY, describePublicRoutes } from './public-routes.openapi';

export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';
const ADMIN_PREFIX = '/admin/';
const AMP_LOGIN_PATHS = new Set(['/auth/cli-login', '/v1/login']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function setupOpenApi(app: NestFastifyApplication, config: GatewayConfig): void {
  const hasAdmin = config.admin.key !== undefined;
  // A factory: the scan runs when the document is first asked for, not at every start.
  let built: OpenAPIObject | undefined;
  const document = (): OpenAPIObject => (built ??= buildDocument(app, hasAdmin));
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: 'byokey API',
  });
}

export function buildDocument(app: NestFastifyApplication, hasAdmin: boolean): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('byokey')
    .setDescription(
      'Bring Your Own Keys: AI subscriptions and API keys as OpenAI- and Anthropic-compatible endpoints' +
        (hasAdmin ? ', and the admin REST API under /admin/v1 (every route needs the admin key as a bearer token).' : '.'),
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A client key (any value while auth.mode is open).' }, CLIENT_KEY_SECURITY)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A client key, as the Anthropic SDK sends it.' }, CLIENT_API_KEY_SECURITY);
  if (hasAdmin) {
    builder.addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'The admin key: admin.key in providers.yaml, or BYOKEY_ADMIN_KEY.' },
      ADMIN_SECURITY,
    );
  }
  const document = SwaggerModule.createDocument(app, builder.build());
  // Amp's /api/provider/… aliases are the routes documented under their usual paths; its /api/*
  // pass-through and login redirects are ampcode.com's, not the gateway's.
  for (const path of Object.keys(document.paths)) {
    if (path === '/api' || path.startsWith('/api/') || AMP_LOGIN_PATHS.has(path)) delete document.paths[path];
  }
  describePublicRoutes(document);
  describeAdminRoutes(document, hasAdmin);
  return document;
}

/** Every admin operation needs the admin key and answers errors in OpenAI's shape, whoever wrote its controller. */
function describeAdminRoutes(document: OpenAPIObject, hasAdmin: boolean): void {
  for (const path of Object.keys(document.paths)) {
    if (!path.startsWith(ADMIN_PREFIX)) continue;
    if (!hasAdmin) {
      delete document.paths[path];
      continue;
    }
    const item = document.paths[path] as Record<string, OperationObject | undefined>;
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.security = [{ [ADMIN_SECURITY]: [] }];
      if (!operation.tags || operation.tags.length === 0) operation.tags = ['admin'];
      operation.responses ??= {};
      operation.responses['401'] ??= { description: 'No admin key, or not the right one.' };
      operation.responses['4XX'] ??= {
        description: 'Refused: the message says why and what to do.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/OpenAIError' } } },
      };
    }
  }
}
