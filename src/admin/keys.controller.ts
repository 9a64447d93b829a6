// /admin/v1/keys: client keys over REST — create (the secret is in that one answer and nowhere
// else), list and show (prefix only, never the secret or its hash), update limits, revoke. Each
// change reaches this gateway's key cache at once, and other gateways on the store at once with a
// change notice (`redis:`), else within a second (their caches poll the store).
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AccessClock } from '../access/access-clock';
import { ClientKeyCache } from '../access/client-key-cache';
import { createClientKey, keyView, parseDuration, type ClientKeyView, type KeySpec } from '../access/client-key-specs';
import { GatewayError } from '../common/gateway-error';
import type { ClientKey, ClientKeyChanges } from '../store/client-key';
import { ClientKeyNameTaken, ClientKeyStore } from '../store/client-key-store';
import { ChangeNotices } from '../store/shared/change-notices';
import { AdminKeyGuard } from './admin-key.guard';
import { CreateKeyDto, UpdateKeyDto } from './keys.dto';
import { validateBody } from './validate-body';

@Controller('admin/v1/keys')
@UseGuards(AdminKeyGuard)
export class KeysController {
  constructor(
    private readonly store: ClientKeyStore,
    private readonly cache: ClientKeyCache,
    private readonly clock: AccessClock,
    private readonly notices: ChangeNotices,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<{ key: ClientKeyView; secret: string }> {
    const dto = validateBody(CreateKeyDto, body);
    const spec: KeySpec = { name: dto.name };
    if (dto.models) spec.models = dto.models;
    if (typeof dto.rpm === 'number') spec.rpm = dto.rpm;
    if (typeof dto.tpm === 'number') spec.tpm = dto.tpm;
    if (typeof dto.concurrency === 'number') spec.concurrency = dto.concurrency;
    if (dto.budget) spec.budget = { tokens: dto.budget.tokens, per: dto.budget.per };
    const expiresAt = this.expiry(dto);
    if (typeof expiresAt === 'number') spec.expiresAt = expiresAt;
    try {
      const { key, secret } = await createClientKey(this.store, spec);
      await this.keysChanged(`created ${key.id}`);
      return { key: keyView(key, this.clock.now()), secret };
    } catch (error) {
      if (error instanceof ClientKeyNameTaken) {
        throw new GatewayError(409, `${error.message}.`, { type: 'invalid_request_error', code: 'key_name_taken', param: 'name' });
      }
      throw error;
    }
  }

  @Get()
  async list(): Promise<{ object: 'list'; data: ClientKeyView[] }> {
    const now = this.clock.now();
    return { object: 'list', data: (await this.store.list()).map((key) => keyView(key, now)) };
  }

  @Get(':key')
  async show(@Param('key') idOrName: string): Promise<ClientKeyView> {
    return keyView(found(await this.store.find(idOrName), idOrName), this.clock.now());
  }

  @Patch(':key')
  async update(@Param('key') idOrName: string, @Body() body: unknown): Promise<ClientKeyView> {
    const dto = validateBody(UpdateKeyDto, body);
    const changes: ClientKeyChanges = {};
    if (dto.models !== undefined) changes.models = dto.models;
    if (dto.rpm !== undefined) changes.rpm = dto.rpm;
    if (dto.tpm !== undefined) changes.tpm = dto.tpm;
    if (dto.concurrency !== undefined) changes.concurrency = dto.concurrency;
    if (dto.budget !== undefined) changes.budget = dto.budget && { tokens: dto.budget.tokens, per: dto.budget.per };
    const expiresAt = this.expiry(dto);
    if (expiresAt !== undefined) changes.expiresAt = expiresAt;
    const key = found(await this.store.update(idOrName, changes), idOrName);
    await this.keysChanged(`updated ${key.id}`);
    return keyView(key, this.clock.now());
  }

  /** Revokes: the key stays listed (as revoked) and never works again. */
  @Delete(':key')
  async revoke(@Param('key') idOrName: string): Promise<ClientKeyView> {
    const key = found(await this.store.revoke(idOrName), idOrName);
    await this.keysChanged(`revoked ${key.id}`);
    return keyView(key, this.clock.now());
  }

  /** This gateway's cache reads the store now; the other gateways are told to. */
  private async keysChanged(detail: string): Promise<void> {
    await this.cache.refresh();
    await this.notices.publish('client-keys', detail);
  }

  /** `expires_in` or `expires_at` as ms since epoch; null when either is null (no expiry). */
  private expiry(dto: UpdateKeyDto): number | null | undefined {
    if (dto.expires_in !== undefined && dto.expires_at !== undefined) {
      throw new GatewayError(400, 'Give expires_in or expires_at, not both.', { type: 'invalid_request_error', code: 'invalid_body', param: 'expires_at' });
    }
    if (dto.expires_in === null || dto.expires_at === null) return null;
    if (dto.expires_in !== undefined) return this.clock.now() + parseDuration(dto.expires_in)!;
    if (dto.expires_at !== undefined) return Date.parse(dto.expires_at);
    return undefined;
  }
}

function found(key: ClientKey | undefined, idOrName: string): ClientKey {
  if (key) return key;
  throw new GatewayError(404, `No client key named or with id "${idOrName}".`, { type: 'not_found_error', code: 'key_not_found', param: 'key' });
}
