// Provides the shared Redis connection (SharedRedis) when `redis:` is configured, else null: the
// pieces of shared state each pick their Redis or in-process backend from it. Global, and closed
// at shutdown after the modules that use it. Provides too the pieces that live here: change
// notices, and the channels that share cooldowns and quota snapshots.
import { Global, Inject, Module, Optional, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisSettings } from '../../config/gateway-config';
import { ChangeNotices } from './change-notices';
import { CooldownChannel, LocalCooldownChannel } from './cooldown-channel';
import { LocalChangeNotices } from './local-change-notices';
import { LocalQuotaSnapshotChannel, QuotaSnapshotChannel } from './quota-snapshot-channel';
import { RedisChangeNotices } from './redis-change-notices';
import { RedisCooldownChannel } from './redis-cooldown-channel';
import { RedisQuotaSnapshotChannel } from './redis-quota-snapshot-channel';
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
        {
          provide: ChangeNotices,
          useFactory: async (redis: SharedRedis | null): Promise<ChangeNotices> => {
            if (!redis) return new LocalChangeNotices();
            const notices = new RedisChangeNotices(redis);
            await notices.open();
            return notices;
          },
          inject: [SHARED_REDIS],
        },
        {
          provide: CooldownChannel,
          useFactory: (redis: SharedRedis | null): CooldownChannel => (redis ? new RedisCooldownChannel(redis) : new LocalCooldownChannel()),
          inject: [SHARED_REDIS],
        },
        {
          provide: QuotaSnapshotChannel,
          useFactory: (redis: SharedRedis | null): QuotaSnapshotChannel => (redis ? new RedisQuotaSnapshotChannel(redis) : new LocalQuotaSnapshotChannel()),
          inject: [SHARED_REDIS],
        },
      ],
      exports: [SHARED_REDIS, ChangeNotices, CooldownChannel, QuotaSnapshotChannel],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
