// Guards the public routes (/v1/chat/completions, /v1/responses, /v1/messages and its
// count_tokens, /v1/models and /v1/models/{id}, /v1/embeddings): the caller's key, the model's scope and the key's limits, before
// the handler runs and so before any upstream call. A concurrency slot is held until the
// response closes, streams included. Handlers marked @NoKeyLimits check the key and scope only.
import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteRequest } from '../logging/request-notes';
import { AccessControl, NOTHING_HELD } from './access-control.service';
import type { AccessKey } from './access-key';
import { setAdmittedKey } from './admitted-key';

const NO_KEY_LIMITS = 'byokey:noKeyLimits';
const ROUTE_ACCESS = 'byokey:routeAccess';

/**
 * Where a route's request says what the guard needs, when not where the OpenAI and Anthropic
 * routes say it: the model in the path (Gemini's `models/{model}:generateContent`), and a client
 * key in a query parameter (Google's `?key=`), accepted on that route only.
 */
export interface RouteAccess {
  model?: (request: FastifyRequest) => string | undefined;
  queryKey?: string;
}

export const AccessFrom = (how: RouteAccess): MethodDecorator & ClassDecorator => SetMetadata(ROUTE_ACCESS, how);

/** For routes that cost no upstream generation (listing models, counting tokens): no rate limits. */
export const NoKeyLimits = (): MethodDecorator & ClassDecorator => SetMetadata(NO_KEY_LIMITS, true);

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly access: AccessControl,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const how = this.reflector.get<RouteAccess | undefined>(ROUTE_ACCESS, context.getHandler());
    const fromQuery = how?.queryKey ? queryValue(request.query, how.queryKey) : undefined;
    let key;
    try {
      key = this.access.authenticate(request.headers, fromQuery === undefined ? [] : [fromQuery]);
    } catch (error) {
      throw refused(request, error);
    }
    // No key on an open gateway: nothing to check, and no promise to pay for.
    if (!key) return true;
    return this.admit(context, request, key, how?.model?.(request) ?? modelOf(request.body));
  }

  private async admit(context: ExecutionContext, request: FastifyRequest, key: AccessKey, model: string | undefined): Promise<boolean> {
    noteRequest(request.raw, { keyId: key.id, keyName: key.name });
    setAdmittedKey(request.raw, key);
    const limited = this.reflector.get<boolean | undefined>(NO_KEY_LIMITS, context.getHandler()) !== true;
    let release;
    try {
      release = await this.access.admit(key, model, limited);
    } catch (error) {
      throw refused(request, error);
    }
    if (release !== NOTHING_HELD) {
      const response = context.switchToHttp().getResponse<FastifyReply>().raw;
      // A client gone while the limits were checked has closed already: nothing will fire.
      if (response.closed) release();
      else response.once('close', release);
    }
    return true;
  }
}

function queryValue(query: unknown, name: string): string | undefined {
  const value = typeof query === 'object' && query !== null ? (query as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A refusal (401, 403, 429) is logged and metered with the model it was for: the handler that would note it never runs. */
function refused(request: FastifyRequest, error: unknown): unknown {
  const model = modelOf(request.body);
  if (model !== undefined) noteRequest(request.raw, { model });
  return error;
}

/** The body's model, when it has one (a body without is refused by the route's validator). */
export function modelOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const model = (body as { model?: unknown }).model;
  return typeof model === 'string' ? model : undefined;
}
