// `auth:`, `admin:` and `metrics:` of providers.yaml: who may reach the public routes, the admin
// API and /metrics.
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, MinLength } from 'class-validator';

/** `auth:` — access to the public routes (client keys). */
export class AuthConfigDto {
  @IsOptional()
  @IsIn(['keys', 'open'], { message: 'must be keys (callers need a client key) or open (anyone who reaches the port)' })
  mode?: 'keys' | 'open';

  /** Static client keys, usually `${ENV}` references. */
  @IsOptional()
  @IsArray({ message: 'must be a list of keys' })
  @IsString({ each: true, message: 'each key must be a string' })
  @MinLength(16, { each: true, message: 'each key must be at least 16 characters (a guessable key protects nothing)' })
  keys?: string[];
}

/** `admin:` — the admin REST API. */
export class AdminConfigDto {
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters (a guessable admin key protects nothing)' })
  key?: string;
}

/** `metrics:` — GET /metrics. */
export class MetricsConfigDto {
  /** Serve /metrics without the admin key even when one is set (a scraper inside a private network). */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  public?: boolean;
}
