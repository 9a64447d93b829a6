// `server:` of providers.yaml: where the gateway listens and how it treats connections.
import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { parseByteSize } from '../byte-size';
import { listenHostProblem } from '../listen-host';
import { customRule, toNumber } from './schema-helpers';

/** An address to listen on (listen-host.ts); the message says what is wrong with it. */
function IsListenHost(options?: ValidationOptions) {
  return customRule(
    'isListenHost',
    (args: ValidationArguments) => listenHostProblem(String(args.value)) ?? '',
    // Not a string, or empty: IsString and IsNotEmpty say so.
    (value) => typeof value !== 'string' || value === '' || listenHostProblem(value) === undefined,
    options,
  );
}

export class ServerConfigDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @IsListenHost()
  host?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a port number from 0 to 65535' })
  @Min(0, { message: 'must be a port number from 0 to 65535' })
  @Max(65535, { message: 'must be a port number from 0 to 65535' })
  port?: number;

  @IsOptional()
  @Transform(({ value }) => parseByteSize(value) ?? value)
  @IsInt({ message: 'must be a size: a number of bytes, or a string such as "50mb"' })
  @Min(1, { message: 'must be a size: a number of bytes, or a string such as "50mb"' })
  body_limit?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  shutdown_timeout_ms?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100, { message: 'must be at least 100 milliseconds' })
  sse_keepalive_ms?: number;

  /** After SIGTERM: how long /readyz says "draining" while new requests are still served. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  drain_grace_ms?: number;

  /** How long after SIGTERM streams in flight may run on before they end with an error event. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  drain_ms?: number;
}
