// Provides the shared Redis connection (SharedRedis) when `redis:` is configured, else null: the
// pieces of shared state each pick their Redis or in-process backend from it. Global, and closed
// at shutdown after the modules that use it.
import { Global, Inject, Module, Optional, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisSettings } from '../../config/gateway-config';
import { SharedRedis } from './shared-redis';

/** DI token of the SharedRedis, or null without `redis:`. */
export const SHARED_REDIS = Symbol('SHARED_REDIS');

@Global()
@Module({})
export class SharedStateModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(SHARED_REDIS) private readonly redis: SharedRedis | null) {}

  static forRoot(settings: RedisSettings | undefined): DynamicModule {
    return {
      module: SharedStateModule,
      providers: [
        {
          provide: SHARED_REDIS,
          useFactory: async () => {
            if (!settings) return null;
            const redis = new SharedRedis(settings);
            // Start with shared state when Redis is there; never wait long for it (it may be down).
            await redis.ready(2000);
            return redis;
          },
        },
      ],
      exports: [SHARED_REDIS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
