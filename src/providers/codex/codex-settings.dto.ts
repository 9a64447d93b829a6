// The keys a codex instance takes in providers.yaml beyond the common ones.
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsUrlWithScheme, ProviderInstanceConfigDto } from '../../config/config.schema';

export class CodexSettingsDto extends ProviderInstanceConfigDto {
  /** How requests reach the backend: HTTP SSE (default) or a kept-open WebSocket. */
  @IsOptional()
  @IsIn(['http', 'websocket'], { message: 'must be "http" or "websocket"' })
  transport?: 'http' | 'websocket';

  /** The full WebSocket URL (default: base_url with https → wss, plus /responses). */
  @IsOptional()
  @IsUrlWithScheme(['ws:', 'wss:'])
  ws_url?: string;

  /** Sockets kept open per account (one request at a time each). */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(32)
  ws_pool_size?: number;
}
