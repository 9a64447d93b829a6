// Provides the shared Redis connection (SharedRedis) when `redis:` is configured, else null: the
// pieces of shared state each pick their Redis or in-process backend from it. Global, and closed
// at shutdown after the modules that use it. Provides too the pieces that live here: change
// notices, the relay of admin logins between instances, and the channels that share cooldowns
// and quota snapshots. Without `redis:` the quota snapshots are kept in the store instead
// (StoredQuotaSnapshotChannel): this module's shutdown hooks run before StoreModule's (it is
// imported after it), so the channel's last write still has its database.
import { Global, Inject, Module, Optional, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisSettings } from '../../config/gateway-config';
import { ChangeNotices } from './change-notices';
import { CooldownChannel, LocalCooldownChannel } from './cooldown-channel';
import { LocalChangeNotices } from './local-change-notices';
import { LocalLoginRelay, LoginRelay } from './login-relay';
import { QuotaSnapshotStore } from '../quota-snapshot-store';
import { QuotaSnapshotChannel } from './quota-snapshot-channel';
import { RedisChangeNotices } from './redis-change-notices';
import { RedisCooldownChannel } from './redis-cooldown-channel';
import { RedisLoginRelay } from './redis-login-relay';
import { RedisQuotaSnapshotChannel } from './redis-quota-snapshot-channel';
import { SharedRedis } from './shared-redis';
import { StoredQuotaSnapshotChannel } from './stored-quota-snapshot-channel';

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
          provide: LoginRelay,
          useFactory: async (redis: SharedRedis | null): Promise<LoginRelay> => {
            if (!redis) return new LocalLoginRelay();
            const relay = new RedisLoginRelay(redis);
            await relay.open();
            return relay;
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
          useFactory: (redis: SharedRedis | null, store: QuotaSnapshotStore): QuotaSnapshotChannel =>
            redis ? new RedisQuotaSnapshotChannel(redis) : new StoredQuotaSnapshotChannel(store),
          inject: [SHARED_REDIS, QuotaSnapshotStore],
        },
      ],
      exports: [SHARED_REDIS, ChangeNotices, LoginRelay, CooldownChannel, QuotaSnapshotChannel],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
