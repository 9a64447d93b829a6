// GET /v1/models: every model of every enabled provider instance — the built-in catalogs and
// `models:` lists merged with what each upstream's own list says today (live-model-lists.ts),
// aliases included. OpenAI's list shape, or Anthropic's when the client sends `anthropic-version`
// (the Anthropic SDK and Claude Code do). A list never fetched is waited for briefly; one that
// cannot be had leaves the built-in list. A client key sees only the models its scope allows.
import { Controller, Get, Headers, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessGuard, NoKeyLimits } from '../access/access.guard';
import { AccessControl } from '../access/access-control.service';
import { admittedKey } from '../access/admitted-key';
import type { AnthropicModelList } from '../protocol/anthropic-messages';
import type { ModelList } from '../protocol/openai-chat';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { anthropicModelPage, type AnthropicPageQuery, type ListedModel } from './anthropic-model-page';

interface Listed extends ListedModel {
  owner: string;
}

@Controller('v1')
@UseGuards(AccessGuard)
export class ModelsController {
  /** OpenAI reports a creation time per model; ours, where the upstream gave none, is when this gateway started. */
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly registry: PluginRegistry,
    private readonly access: AccessControl,
  ) {}

  @Get('models')
  @NoKeyLimits()
  async list(
    @Req() request: FastifyRequest,
    @Headers('anthropic-version') anthropicVersion: string | undefined,
    @Query() query: AnthropicPageQuery,
  ): Promise<ModelList | AnthropicModelList> {
    const key = admittedKey(request.raw);
    const models = (await this.models()).filter((m) => this.access.mayList(key, m.id));
    if (anthropicVersion !== undefined) return anthropicModelPage(models, query);
    return { object: 'list', data: models.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.owner })) };
  }

  private async models(): Promise<Listed[]> {
    const catalog = this.registry.catalog;
    await this.registry.liveModels.refresh(catalog.instances);
    const data: Listed[] = catalog.entries().map((e) => ({ id: e.id, owner: e.owner, displayName: e.displayName, created: e.created ?? this.created }));
    // Aliases are model names too; each is listed as owned by the instance that answers it first.
    const listed = new Set(data.map((m) => m.id));
    for (const [alias, models] of Object.entries(this.registry.config.routing.aliases)) {
      const owner = models.map((m) => catalog.resolve(m)).find((r) => r !== undefined);
      if (owner && !listed.has(alias)) data.push({ id: alias, owner: owner.instance.name, created: this.created });
    }
    return data;
  }
}
