// Guards the public routes (/v1/chat/completions, /v1/responses, /v1/messages and its
// count_tokens, /v1/models): the caller's key, the model's scope and the key's limits, before
// the handler runs and so before any upstream call. A concurrency slot is held until the
// response closes, streams included. Handlers marked @NoKeyLimits check the key and scope only.
import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteRequest } from '../logging/request-notes';
import { AccessControl, NOTHING_HELD } from './access-control.service';
import { setAdmittedKey } from './admitted-key';

const NO_KEY_LIMITS = 'byokey:noKeyLimits';

/** For routes that cost no upstream generation (listing models, counting tokens): no rate limits. */
export const NoKeyLimits = (): MethodDecorator & ClassDecorator => SetMetadata(NO_KEY_LIMITS, true);

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly access: AccessControl,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const model = modelOf(request.body);
    // Noted before any refusal, so a 401, 403 or 429 is logged and metered with its model.
    if (model !== undefined) noteRequest(request.raw, { model });
    const key = this.access.authenticate(request.headers);
    if (!key) return true;
    noteRequest(request.raw, { keyId: key.id, keyName: key.name });
    setAdmittedKey(request.raw, key);
    const limited = this.reflector.get<boolean | undefined>(NO_KEY_LIMITS, context.getHandler()) !== true;
    const release = await this.access.admit(key, model, limited);
    if (release !== NOTHING_HELD) {
      const response = http.getResponse<FastifyReply>().raw;
      // A client gone while the limits were checked has closed already: nothing will fire.
      if (response.closed) release();
      else response.once('close', release);
    }
    return true;
  }
}

/** The body's model, when it has one (a body without is refused by the route's validator). */
export function modelOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const model = (body as { model?: unknown }).model;
  return typeof model === 'string' ? model : undefined;
}
