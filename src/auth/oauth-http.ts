// One POST to an OAuth endpoint (token, device code) in the provider's encoding, with its
// answer parsed but not judged: the device flow reads `error` out of 200s and 400s itself, the
// token client turns non-2xx into OAuthErrors. Network failures and cancellation become
// OAuthErrors here, so callers see one error type. Requests go through the definition's proxy,
// else the environment's (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), unless the caller hands in its own
// dispatcher (tests).
import { request, type Dispatcher } from 'undici';
import { OutboundDispatchers } from '../upstream/outbound-dispatchers';
import { readProxyEnv } from '../upstream/outbound-proxy';
import type { OAuthDefinition, OAuthPostAnswer, TokenRequestEncoding } from './oauth-definition';
import type { ResolvedOAuthDeps } from './oauth-deps';
import { loginCancelled, OAuthError } from './oauth-error';

export interface OAuthPostRequest {
  url: string;
  encoding: TokenRequestEncoding;
  /** Body fields in the order given; undefined ones are left out. */
  params: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Token answers are a few KB; anything bigger is not a token answer. */
const BODY_LIMIT = 256 * 1024;

export async function postOAuth(
  definition: OAuthDefinition,
  req: OAuthPostRequest,
  deps: ResolvedOAuthDeps,
): Promise<OAuthPostAnswer> {
  const fields = Object.entries(req.params).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const body =
    req.encoding === 'json' ? JSON.stringify(Object.fromEntries(fields)) : new URLSearchParams(fields).toString();
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': req.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
  };
  if (definition.basicAuth) {
    const credentials = `${definition.clientId}:${definition.clientSecret ?? ''}`;
    headers.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  for (const [name, value] of Object.entries(definition.headers ?? {})) headers[name.toLowerCase()] = value;

  try {
    const res = await request(req.url, {
      method: 'POST',
      headers,
      body,
      dispatcher: deps.dispatcher ?? oauthDispatcher(definition.proxyUrl),
      signal: req.signal,
      headersTimeout: deps.requestTimeoutMs,
      bodyTimeout: deps.requestTimeoutMs,
    });
    const text = await readLimited(res.body);
    return { status: res.statusCode, body: parseBody(text, String(res.headers['content-type'] ?? '')) };
  } catch (error) {
    throw networkError(definition, req.url, error, req.signal);
  }
}

/**
 * One GET to an OAuth-side endpoint (iFlow's getUserInfo), with the same proxy, timeouts,
 * definition headers and error handling as the POSTs. `url` may carry a token in its query: only
 * its origin and path ever reach an error message.
 */
export async function getOAuth(definition: OAuthDefinition, url: string, deps: ResolvedOAuthDeps, signal?: AbortSignal): Promise<OAuthPostAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(definition.headers ?? {})) headers[name.toLowerCase()] = value;
  try {
    const res = await request(url, {
      method: 'GET',
      headers,
      dispatcher: deps.dispatcher ?? oauthDispatcher(definition.proxyUrl),
      signal,
      headersTimeout: deps.requestTimeoutMs,
      bodyTimeout: deps.requestTimeoutMs,
    });
    const text = await readLimited(res.body);
    return { status: res.statusCode, body: parseBody(text, String(res.headers['content-type'] ?? '')) };
  } catch (error) {
    throw networkError(definition, url, error, signal);
  }
}

function networkError(definition: OAuthDefinition, url: string, error: unknown, signal: AbortSignal | undefined): OAuthError {
  if (error instanceof OAuthError) return error;
  if (signal?.aborted) return loginCancelled(definition);
  return new OAuthError({
    provider: definition.provider,
    code: 'network_error',
    message:
      `${definition.displayName}: could not reach ${describeEndpoint(url)} (${describeNetworkError(error)}). ` +
      'Check the network, a proxy, or the `oauth` URLs of this provider in providers.yaml.',
    cause: error,
  });
}

/**
 * OAuth calls are few: one set of pools per process serves logins and refreshes, the environment
 * read at the first call. Never closed, like undici's global dispatcher (idle sockets are unref'd).
 */
let outbound: OutboundDispatchers | undefined;

function oauthDispatcher(proxy: string | undefined): Dispatcher {
  outbound ??= new OutboundDispatchers(readProxyEnv(process.env));
  return outbound.dispatcher(proxy);
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      body.destroy();
      break;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** JSON as asked for; GitHub answers form-encoded when the Accept header is missing. */
function parseBody(text: string, contentType: string): Record<string, unknown> | undefined {
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Origin and path only: a query string could carry something we should not print. */
function describeEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the OAuth endpoint';
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
