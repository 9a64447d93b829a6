// GET /healthz: liveness — the process runs and answers (a restart would not help otherwise).
// GET /readyz: readiness — whether a load balancer should send requests here (readiness.service.ts);
// 503 while draining after SIGTERM, or while the store cannot be reached.
import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ReadinessService, type Readiness } from './readiness.service';

@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const readiness: Readiness = await this.readiness.check();
    void reply
      .status(readiness.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: readiness.status, checks: readiness.checks });
  }
}
