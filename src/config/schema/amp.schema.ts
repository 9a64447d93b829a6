// `amp:` of providers.yaml: the Amp CLI's ampcode.com routes. Present, the gateway passes Amp's
// own API calls (`/api/user`, `/api/threads`, …) through to that upstream; absent, those paths
// are unknown routes. Amp's model calls (`/api/provider/…`) are served either way.
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MinLength } from 'class-validator';
import { IsHttpUrl, emptyToUndefined } from './schema-helpers';

export class AmpConfigDto {
  /** Where Amp's own API lives (default https://ampcode.com). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsHttpUrl()
  upstream_url?: string;

  /**
   * An Amp API key sent upstream in place of whatever the client sent (the seed's
   * `amp.upstream_key`); without it the client's own Amp credentials pass through.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString({ message: 'must be a string (an Amp API key, usually ${AMP_API_KEY})' })
  @MinLength(1)
  upstream_key?: string;
}
