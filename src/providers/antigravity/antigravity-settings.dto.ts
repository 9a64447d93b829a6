// The keys an antigravity instance takes in providers.yaml beyond the common ones.
import { ArrayNotEmpty, IsArray, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { ProviderInstanceConfigDto } from '../../config/config.schema';
import { IsHttpUrl } from '../../config/schema/schema-helpers';

export class AntigravitySettingsDto extends ProviderInstanceConfigDto {
  /**
   * The Code Assist hosts to try in order, the next one only when a host cannot be reached or
   * answers 5xx (default: daily, then sandbox, then prod). `base_url` (common) names one host.
   */
  @IsOptional()
  @IsArray({ message: 'must be a list of URLs' })
  @ArrayNotEmpty({ message: 'must name at least one URL' })
  @IsHttpUrl({ each: true })
  base_urls?: string[];

  /** A Google Cloud project to use instead of the one loadCodeAssist names. */
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'must be a non-empty project id' })
  project?: string;
}
