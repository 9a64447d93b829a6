// POST /admin/v1/reload: reads providers.yaml again and puts it in force (with the runtime
// overrides laid over it), answering what changed — or, when the file is invalid, every problem
// with its line, the running configuration kept. A reload done here is asked of the other gateway
// instances too (a change notice): each reads its own providers.yaml again.
import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GatewayError } from '../common/gateway-error';
import { ConfigReloader } from '../registry/config-reloader.service';
import { ChangeNotices } from '../store/shared/change-notices';
import { AdminKeyGuard } from './admin-key.guard';
import { ADMIN_SECURITY } from './admin-openapi';

export interface ReloadView {
  reloaded: true;
  source: string;
  instances: string[];
  added: string[];
  removed: string[];
  changed: string[];
  /** Reloads since start, this one included. */
  reloads: number;
}

@ApiTags('admin: configuration')
@ApiBearerAuth(ADMIN_SECURITY)
@Controller('admin/v1')
@UseGuards(AdminKeyGuard)
export class ReloadController {
  constructor(
    private readonly reloader: ConfigReloader,
    private readonly notices: ChangeNotices,
  ) {}

  @Post('reload')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reload providers.yaml',
    description: 'Checked in full first; an invalid file changes nothing. server: settings (host, port, limits) apply at the next start only.',
  })
  @ApiResponse({ status: 200, description: 'Reloaded: the instances now configured, and which were added, removed or changed.' })
  @ApiResponse({ status: 409, description: 'The gateway runs on built-in defaults, without a file.' })
  @ApiResponse({ status: 422, description: 'The file is invalid; the running configuration was kept. The message lists every problem.' })
  async reload(): Promise<ReloadView> {
    const outcome = await this.reloader.reloadNow('admin API');
    if (outcome.reloaded) {
      await this.notices.publish('config-reload', 'admin API');
      return { ...outcome, reloads: this.reloader.reloads };
    }
    if (outcome.problem === 'no-file') throw new GatewayError(409, outcome.message, { type: 'invalid_request_error', code: 'no_config_file' });
    if (outcome.problem === 'invalid') {
      throw new GatewayError(422, `${outcome.source} was not reloaded; the running configuration is unchanged. ${outcome.message}`, {
        type: 'invalid_request_error',
        code: 'invalid_config',
      });
    }
    throw new GatewayError(500, outcome.message, { type: 'server_error', code: 'reload_failed' });
  }
}
