// GET /healthz: liveness for load balancers and scripts. While shutting down, Fastify itself
// answers 503 to new requests, which takes the instance out of rotation.
import { Controller, Get } from '@nestjs/common';

@Controller()
export class HealthController {
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
