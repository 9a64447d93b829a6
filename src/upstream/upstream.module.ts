// Provides the shared upstream HTTP client to every provider plugin.
import { Global, Module } from '@nestjs/common';
import { Agent } from 'undici';
import { UPSTREAM_DISPATCHER, UpstreamHttp } from './upstream-http.service';

@Global()
@Module({
  providers: [
    // One pool per upstream origin, kept alive between calls. Connect timeout is short on
    // purpose: a dead host should fail over fast; slow answers are bounded per instance.
    { provide: UPSTREAM_DISPATCHER, useFactory: () => new Agent({ connect: { timeout: 10_000 } }) },
    UpstreamHttp,
  ],
  exports: [UpstreamHttp],
})
export class UpstreamModule {}
