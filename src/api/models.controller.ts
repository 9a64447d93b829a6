// GET /v1/models: every model of every provider instance that can serve requests (enabled, with a
// usable credential: registry/instance-readiness.ts) — the built-in catalogs and
// `models:` lists merged with what each upstream's own list says today (live-model-lists.ts),
// aliases included. OpenAI's list shape, or Anthropic's when the client sends `anthropic-version`
// (the Anthropic SDK and Claude Code do). A list never fetched is waited for briefly; one that
// cannot be had leaves the built-in list. A client key sees only the models its scope allows.
// GET /v1/models/{id}: one model, as the list gives it, in the same dialect; also the names that
// reach a listed model (`instance/model`, a thinking suffix), answered under the name asked for.
import { Controller, Get, Headers, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessGuard, NoKeyLimits } from '../access/access.guard';
import { AccessControl } from '../access/access-control.service';
import { admittedKey } from '../access/admitted-key';
import { GatewayError } from '../common/gateway-error';
import { ANTHROPIC_PREFIXES, OPENAI_PREFIXES } from '../common/public-routes';
import type { AnthropicModelInfo, AnthropicModelList } from '../protocol/anthropic-messages';
import type { ModelList, ModelListEntry } from '../protocol/openai-chat';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { RequestRouter } from '../routing/request-router.service';
import { anthropicModelPage, toInfo, type AnthropicPageQuery, type ListedModel } from './anthropic-model-page';

interface Listed extends ListedModel {
  owner: string;
}

// Also under Amp's /api/provider/openai/v1 and /api/provider/anthropic/v1 (common/public-routes.ts).
@Controller([...new Set([...OPENAI_PREFIXES, ...ANTHROPIC_PREFIXES])])
@UseGuards(AccessGuard)
export class ModelsController {
  /** OpenAI reports a creation time per model; ours, where the upstream gave none, is when this gateway started. */
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly registry: PluginRegistry,
    private readonly access: AccessControl,
    private readonly router: RequestRouter,
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
    return { object: 'list', data: models.map(toEntry) };
  }

  /**
   * A wildcard, not `:id`: model ids hold slashes (`local/llama-3.1-8b`, `meta-llama/…`), sent
   * as they are or encoded (`%2F`, as the official SDKs send them); Fastify decodes either.
   */
  @Get('models/*')
  @NoKeyLimits()
  async retrieve(
    @Req() request: FastifyRequest,
    @Headers('anthropic-version') anthropicVersion: string | undefined,
  ): Promise<ModelListEntry | AnthropicModelInfo> {
    const id = (request.params as Record<string, string | undefined>)['*'] ?? '';
    const key = admittedKey(request.raw);
    // A model outside the key's scope is as absent as it is from the list.
    const model = id !== '' && this.access.mayList(key, id) ? await this.find(id) : undefined;
    if (!model) throw notFound(id);
    return anthropicVersion !== undefined ? toInfo(model) : toEntry(model);
  }

  /** The listed model named `id`, or the one `id` routes to (under the name `id`). */
  private async find(id: string): Promise<Listed | undefined> {
    const models = await this.models();
    const listed = models.find((m) => m.id === id);
    if (listed) return listed;
    // The router's own 404 says why a name is not served (excluded, disabled, login only).
    const target = this.router.plan(id).targets[0];
    // Its first target, not a fallback: that is the model a request by this name gets.
    const instance = target.instance.name;
    const names = new Set([target.model, target.upstreamModel, `${instance}/${target.upstreamModel}`]);
    const reached = models.find((m) => m.owner === instance && names.has(m.id));
    return reached ? { ...reached, id } : undefined;
  }

  private async models(): Promise<Listed[]> {
    const catalog = this.registry.catalog;
    await this.registry.liveModels.refresh(catalog.readyInstances());
    const data: Listed[] = catalog.entries().map((e) => ({ id: e.id, owner: e.owner, displayName: e.displayName, created: e.created ?? this.created }));
    // Aliases are model names too; each is listed as owned by the instance that answers it first.
    const listed = new Set(data.map((m) => m.id));
    for (const [alias, models] of Object.entries(this.registry.config.routing.aliases)) {
      const owner = models.map((m) => catalog.resolve(m)).find((r) => r !== undefined && catalog.ready(r.instance));
      if (owner && !listed.has(alias)) data.push({ id: alias, owner: owner.instance.name, created: this.created });
    }
    return data;
  }
}

function toEntry(model: Listed): ModelListEntry {
  return { id: model.id, object: 'model', created: model.created, owned_by: model.owner };
}

function notFound(id: string): GatewayError {
  return new GatewayError(
    404,
    `The model \`${id}\` does not exist or is not served by any enabled provider. GET /v1/models lists the models this gateway serves.`,
    { type: 'invalid_request_error', code: 'model_not_found', param: 'model' },
  );
}
