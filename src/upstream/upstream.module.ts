// Provides the shared upstream HTTP client to every provider plugin, and the outbound
// connections (proxied or direct) it and the WebSocket transports use.
import { Global, Logger, Module } from '@nestjs/common';
import { OutboundDispatchers } from './outbound-dispatchers';
import { describeProxy, readProxyEnv } from './outbound-proxy';
import { UPSTREAM_DISPATCHER, UpstreamHttp } from './upstream-http.service';

@Global()
@Module({
  providers: [
    {
      provide: OutboundDispatchers,
      // The environment is read once, at start: HTTPS_PROXY, HTTP_PROXY, NO_PROXY.
      useFactory: () => {
        const outbound = new OutboundDispatchers(readProxyEnv(process.env));
        const proxy = outbound.envProxy;
        if (proxy) new Logger('UpstreamModule').log(`outbound requests go through ${describeProxy(proxy)} (from the environment; NO_PROXY and proxy_url: none bypass it)`);
        return outbound;
      },
    },
    // One pool per upstream origin, kept alive between calls.
    { provide: UPSTREAM_DISPATCHER, useFactory: (outbound: OutboundDispatchers) => outbound.dispatcher(undefined), inject: [OutboundDispatchers] },
    UpstreamHttp,
  ],
  exports: [UpstreamHttp, OutboundDispatchers],
})
export class UpstreamModule {}
