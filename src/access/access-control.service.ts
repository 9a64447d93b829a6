// The access decisions for the public routes, shared by the HTTP guard and the Responses
// WebSocket: who is calling (a key from the headers, or nobody on an open gateway), whether the
// key may use the model, and whether it is within its limits. At startup it also refuses an open
// gateway on a network address that the file did not explicitly ask for.
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigError } from '../config/config-error';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { NOTHING_TO_RELEASE, type Release } from '../store/limit-counters';
import { AccessClock } from './access-clock';
import { expiredKey, invalidKey, missingKey, modelOutOfScope } from './access-errors';
import type { AccessKey } from './access-key';
import { checkOpenMode, effectiveMode } from './access-mode';
import { ClientKeyCache } from './client-key-cache';
import { KeyLimits } from './key-limits';
import { presentedKeys } from './presented-keys';
import { scopeAllows } from './model-scope';

/** The same as the limits' own, so the guard waits for no response end when nothing is held. */
export const NOTHING_HELD: Release = NOTHING_TO_RELEASE;

@Injectable()
export class AccessControl implements OnApplicationBootstrap {
  private readonly logger = new Logger('Access');

  constructor(
    private readonly cache: ClientKeyCache,
    private readonly limits: KeyLimits,
    private readonly clock: AccessClock,
    private readonly registry: PluginRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const config = this.registry.config;
    const check = checkOpenMode(config.access, this.cache.hasStoredKeys, config.server.host);
    if (check.kind === 'refuse') throw new ConfigError(config.source, [{ path: 'auth.mode', message: check.message }]);
    if (check.kind === 'warn') this.logger.warn(check.message);
  }

  /**
   * The key the caller presented (in the headers, or among `alsoPresented`). Throws a 401 when the gateway needs a key and none valid came;
   * undefined on an open gateway called without a (valid) key.
   */
  authenticate(headers: IncomingHttpHeaders, alsoPresented: readonly string[] = []): AccessKey | undefined {
    const settings = this.registry.config.access;
    const open = effectiveMode(settings, this.cache.hasStoredKeys) === 'open';
    // No key anywhere: nothing to look up (a laptop gateway pays nothing for access control).
    if (open && !this.cache.hasStoredKeys && settings.keys.length === 0) return undefined;
    // Keys a route takes elsewhere (Gemini's `?key=`) come after the headers'.
    const presented = alsoPresented.length === 0 ? presentedKeys(headers) : [...presentedKeys(headers), ...alsoPresented];
    let key: AccessKey | undefined;
    for (const secret of presented) {
      key = this.cache.lookup(secret);
      if (key) break;
    }
    const now = this.clock.now();
    const expired = key?.expiresAt !== undefined && key.expiresAt <= now;
    if (open) {
      // Anyone may call; a valid key still brings its scope and limits (and its name to usage).
      if (!key || expired) return undefined;
    } else {
      if (!key) throw presented.length === 0 ? missingKey() : invalidKey();
      if (expired) throw expiredKey(key.name, key.expiresAt!);
    }
    this.cache.markUsed(key.id, now);
    return key;
  }

  /**
   * Checks that the key may use the model (403 otherwise) and, when `limited`, its limits (429);
   * resolves with what to call when the response is over.
   */
  async admit(key: AccessKey | undefined, model: string | undefined, limited: boolean): Promise<Release> {
    if (!key) return NOTHING_HELD;
    if (model !== undefined && !scopeAllows(key.models, model)) throw modelOutOfScope(key.name, model);
    return limited ? this.limits.admit(key) : NOTHING_HELD;
  }

  /**
   * Whether a value is a client key of this gateway (valid or expired): a route that forwards the
   * caller's headers elsewhere (Amp's pass-through) must not hand our keys to a third party.
   */
  isClientKey(secret: string): boolean {
    return this.cache.lookup(secret) !== undefined;
  }

  /** Whether the key (none: an open gateway) may see this model in /v1/models. */
  mayList(key: AccessKey | undefined, model: string): boolean {
    return !key || scopeAllows(key.models, model);
  }
}
