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
    return { object: 'list', data: this.registry.catalog.list(this.created) };
  }
}
