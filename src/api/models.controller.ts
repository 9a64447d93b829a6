// GET /v1/models: every model of every enabled provider instance, in OpenAI's list shape.
import { Controller, Get } from '@nestjs/common';
import type { ModelList } from '../protocol/openai-chat';
import { PluginRegistry } from '../registry/plugin-registry.service';

@Controller('v1')
export class ModelsController {
  /** OpenAI reports a creation time per model; ours is when this gateway started. */
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly registry: PluginRegistry) {}

  @Get('models')
  list(): ModelList {
    const catalog = this.registry.catalog;
    const data = catalog.list(this.created);
    // Aliases are model names too; each is listed as owned by the instance that answers it first.
    const listed = new Set(data.map((m) => m.id));
    for (const [alias, models] of Object.entries(this.registry.config.routing.aliases)) {
      const owner = models.map((m) => catalog.resolve(m)).find((r) => r !== undefined);
      if (owner && !listed.has(alias)) data.push({ id: alias, object: 'model', created: this.created, owned_by: owner.instance.name });
    }
    return { object: 'list', data };
  }
}
