// The keys a gemini instance takes in providers.yaml beyond the common ones. `base_url` (common)
// replaces the Generative Language API root for API keys and the Code Assist root
// (https://cloudcode-pa.googleapis.com) for a logged-in Google account.
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { ProviderInstanceConfigDto } from '../../config/config.schema';

export class GeminiSettingsDto extends ProviderInstanceConfigDto {
  /**
   * The Google Cloud project a logged-in account's Code Assist calls use (what Gemini CLI reads
   * from GOOGLE_CLOUD_PROJECT): needed for a paid (standard) tier, found by itself otherwise.
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'must be a non-empty project id' })
  project?: string;
}
