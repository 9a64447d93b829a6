// `usage:`, `store:` and `redis:` of providers.yaml: how long usage records are kept, and where
// the state lives that several gateway instances share.
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IsUrlWithScheme, toNumber } from './schema-helpers';

/** `usage:` — usage records. */
export class UsageConfigDto {
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
  @Max(3650)
  retention_days?: number;
}

/** `store:` as a mapping — the shared database for several instances. */
export class StoreConfigDto {
  @IsString()
  @IsUrlWithScheme(['postgres:', 'postgresql:'])
  url!: string;

  /** The PostgreSQL schema byokey's tables live in (created if missing). */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL name (letters, digits, _)' })
  schema?: string;
}

/** `redis:` as a mapping — the state several instances share. */
export class RedisConfigDto {
  @IsString()
  @IsUrlWithScheme(['redis:', 'rediss:'])
  url!: string;

  /** Prefix of every key byokey writes, so several gateways (or tests) can share one Redis. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9:_.{}-]{1,64}$/, { message: 'must be 1 to 64 letters, digits or : _ . - { }' })
  key_prefix?: string;

  /** What per-key limits do while Redis cannot be reached: let requests through, or refuse them. */
  @IsOptional()
  @IsIn(['open', 'closed'], { message: 'must be open (requests go on unlimited) or closed (keyed requests with limits are refused)' })
  limits_on_outage?: 'open' | 'closed';
}
