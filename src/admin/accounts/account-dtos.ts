// Request bodies of the admin accounts routes, validated by AdminBodyPipe.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { IsProxyUrl } from '../../config/schema/schema-helpers';

/** Account names as `byokey login --account` takes them. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

export class StartLoginDto {
  @ApiPropertyOptional({
    description: "The account's name within its provider (default: the provider's default account, or \"default\"). Logging in to an existing name replaces its tokens.",
    example: 'work',
  })
  @IsOptional()
  @Matches(ACCOUNT_NAME, { message: 'account must be 1-128 letters, digits or . _ @ + -, starting with a letter or digit' })
  account?: string;
}

export class CompleteLoginDto {
  @ApiProperty({
    description:
      "The full address the browser ended up on after logging in (it starts with the login's redirect_uri and carries code and state), or the code the provider's page shows (Claude: code#state).",
    example: 'http://localhost:1455/auth/callback?code=ac_…&state=…',
  })
  @IsString({ message: 'redirect_url must be a string' })
  @MaxLength(8192, { message: 'redirect_url must be at most 8192 characters' })
  redirect_url!: string;
}

export class SetProxyDto {
  @ApiProperty({
    description:
      "The account's own proxy: http://, https://, socks5:// or socks5h:// (credentials as http://user:password@host:3128), \"none\" for a direct connection, or null to drop it so the instance's proxy_url applies again. Stored encrypted; never shown with its credentials.",
    example: 'socks5h://egress.example.com:1080',
    nullable: true,
    type: String,
  })
  @ValidateIf((_dto, value) => value !== null)
  @IsProxyUrl()
  proxy_url!: string | null;
}

export { ACCOUNT_NAME };
