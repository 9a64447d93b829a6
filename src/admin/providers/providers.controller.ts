// /admin/v1/providers: every provider instance with its credentials' state (GET), switching one
// on or off at runtime (PATCH), and adding or removing upstream API keys at runtime (POST/DELETE
// …/keys). Runtime changes persist in the store and apply at once; providers.yaml stays the base.
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GatewayError } from '../../common/gateway-error';
import { PluginRegistry } from '../../registry/plugin-registry.service';
import { AdminBodyPipe } from '../admin-body.pipe';
import { AdminKeyGuard } from '../admin-key.guard';
import { ADMIN_SECURITY } from '../admin-openapi';
import { AddUpstreamKeyDto, UpdateProviderDto } from './provider-dtos';
import { ProviderChangesService } from './provider-changes.service';
import { ProviderStatusService } from './provider-status.service';
import type { ProviderView } from './provider-views';

@ApiTags('admin: providers')
@ApiBearerAuth(ADMIN_SECURITY)
@Controller('admin/v1/providers')
@UseGuards(AdminKeyGuard)
@UsePipes(AdminBodyPipe)
export class ProvidersController {
  constructor(
    private readonly status: ProviderStatusService,
    private readonly changes: ProviderChangesService,
    private readonly registry: PluginRegistry,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Every provider instance',
    description:
      'Plugin, enabled (and whether that comes from providers.yaml or a runtime change), models, credentials with their state ' +
      '(ready; cooling until when and why; needs login; disabled), last error, and the quota windows the upstream last reported.',
  })
  async list(): Promise<{ object: 'list'; source: string; data: ProviderView[] }> {
    return { object: 'list', source: this.registry.fileConfig.source, data: await this.status.all() };
  }

  @Get(':instance')
  @ApiOperation({ summary: 'One provider instance' })
  @ApiParam({ name: 'instance', description: 'The instance name (its key under providers: in providers.yaml).' })
  @ApiResponse({ status: 404, description: 'No instance by that name.' })
  async one(@Param('instance') instance: string): Promise<ProviderView> {
    return this.mustDescribe(instance);
  }

  @Patch(':instance')
  @ApiOperation({
    summary: 'Enable or disable an instance at runtime',
    description: 'Applies at once (GET /v1/models no longer lists a disabled instance) and survives restarts. `enabled: null` goes back to providers.yaml.',
  })
  @ApiResponse({ status: 200, description: 'The instance as it now is.' })
  @ApiResponse({ status: 409, description: 'A login-only instance serves nothing to change.' })
  async update(@Param('instance') instance: string, @Body() body: UpdateProviderDto): Promise<ProviderView> {
    await this.changes.setEnabled(instance, body.enabled);
    return this.mustDescribe(instance);
  }

  @Post(':instance/keys')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add an upstream API key at runtime',
    description: 'Stored encrypted and used from the next request on (credential id runtime:<label>). The key is never shown again: responses mask it (sk-…abcd).',
  })
  @ApiResponse({ status: 201, description: 'The instance as it now is; the new key is the credential `id`.' })
  @ApiResponse({ status: 409, description: 'The label is taken, or the instance already has this key.' })
  async addKey(@Param('instance') instance: string, @Body() body: AddUpstreamKeyDto): Promise<{ id: string; provider: ProviderView }> {
    const id = await this.changes.addKey(instance, { key: body.key, label: body.label, baseUrl: body.base_url });
    return { id, provider: await this.mustDescribe(instance) };
  }

  @Delete(':instance/keys/:key')
  @ApiOperation({
    summary: 'Remove an upstream API key added at runtime',
    description: 'Names the key by its label (or runtime:<label>) or by its position among the runtime keys (0, 1, …). Keys from providers.yaml are removed in the file.',
  })
  @ApiParam({ name: 'key', description: 'The key\'s label, runtime:<label>, or its index among the runtime keys.' })
  @ApiResponse({ status: 404, description: 'No such runtime key.' })
  @ApiResponse({ status: 409, description: 'The key comes from providers.yaml.' })
  async removeKey(@Param('instance') instance: string, @Param('key') key: string): Promise<{ id: string; deleted: true; provider: ProviderView }> {
    const id = await this.changes.removeKey(instance, key);
    return { id, deleted: true, provider: await this.mustDescribe(instance) };
  }

  private async mustDescribe(instance: string): Promise<ProviderView> {
    const view = await this.status.one(instance);
    if (!view) {
      throw new GatewayError(404, `No provider instance is named \`${instance}\` (instances: ${this.registry.config.providers.map((p) => p.name).join(', ') || 'none'}).`, {
        type: 'not_found_error',
        code: 'instance_not_found',
      });
    }
    return view;
  }
}
