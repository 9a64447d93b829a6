// The keys a copilot instance takes in providers.yaml beyond the common ones. `base_url` (common)
// replaces the Copilot API root the token exchange names (`endpoints.api`).
import { IsOptional } from 'class-validator';
import { ProviderInstanceConfigDto } from '../../config/config.schema';
import { IsHttpUrl } from '../../config/schema/schema-helpers';

export class CopilotSettingsDto extends ProviderInstanceConfigDto {
  /**
   * GitHub's API root, where the Copilot token is exchanged and the premium quota read
   * (default https://api.github.com): a GitHub Enterprise Server's `/api/v3`, a proxy, a test's fake.
   */
  @IsOptional()
  @IsHttpUrl()
  github_api_url?: string;
}
