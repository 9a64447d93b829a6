// Request bodies of the admin providers routes, validated by AdminBodyPipe and described in the
// OpenAPI document.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsHttpUrl } from '../../config/config.schema';

/** Labels name runtime keys in paths and credential ids; all digits would read as an index. */
export const KEY_LABEL = /^(?!\d+$)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class UpdateProviderDto {
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'true or false switches the instance on or off at runtime (kept across restarts); null goes back to what providers.yaml says.',
  })
  @ValidateIf((_, value) => value !== null)
  @IsBoolean({ message: 'enabled must be true, false, or null (back to the file\'s value)' })
  enabled!: boolean | null;
}

export class AddUpstreamKeyDto {
  @ApiProperty({ description: 'The upstream API key. Stored encrypted; never shown again (responses show it masked, e.g. sk-…abcd).' })
  @IsString({ message: 'key must be a string' })
  @MinLength(1, { message: 'key must not be empty' })
  @MaxLength(4096, { message: 'key must be at most 4096 characters' })
  @Matches(/^\S+$/, { message: 'key must not contain spaces or line breaks' })
  key!: string;

  @ApiPropertyOptional({ description: 'A name for the key within its instance (letters, digits, . _ -; not all digits). Default: key-1, key-2, …', example: 'team-a' })
  @IsOptional()
  @Matches(KEY_LABEL, { message: 'label must be 1-64 letters, digits, ".", "_" or "-", start with a letter or digit, and not be all digits' })
  label?: string;

  @ApiPropertyOptional({ description: "The key's own upstream root, when it differs from the instance's base_url.", example: 'https://eu.api.example.com/v1' })
  @IsOptional()
  @IsHttpUrl({ message: 'base_url must be an absolute http:// or https:// URL' })
  base_url?: string;
}
