// The keys a claude instance takes in providers.yaml beyond the common ones.
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ProviderInstanceConfigDto } from '../../config/config.schema';

export class ClaudeSettingsDto extends ProviderInstanceConfigDto {
  /**
   * Where a Claude login's token goes: `authorization` (Bearer, as Claude Code and CPA send it)
   * or `x-api-key` (reported to work when Bearer was refused). Sources disagree (§3.1).
   */
  @IsOptional()
  @IsIn(['authorization', 'x-api-key'], { message: 'must be "authorization" or "x-api-key"' })
  oauth_token_header?: 'authorization' | 'x-api-key';

  /**
   * Send a login's requests as Claude Code does (identity headers, system-prompt prefix). A
   * Claude Pro/Max token is refused otherwise; off only for proxies that add it themselves.
   */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  claude_code_identity?: boolean;
}
