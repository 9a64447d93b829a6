// GET /metrics: every metric of this instance in Prometheus' text format, for a scraper.
import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MetricsGuard } from './metrics.guard';
import { MetricsRegistry } from './metrics-registry';

@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get('metrics')
  @UseGuards(MetricsGuard)
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Requests, errors, latencies, tokens, streams, credentials, refreshes and process metrics of this instance, in Prometheus text format. ' +
      'Open when no admin key is set; otherwise it needs the admin key as a bearer token, unless metrics.public is true.',
  })
  @ApiProduces('text/plain')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.scrape();
    void reply.header('content-type', this.metrics.contentType).header('cache-control', 'no-store').send(text);
  }
}
