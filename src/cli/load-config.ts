// Loads providers.yaml for commands other than serve (login reads `oauth:` overrides, status
// lists instances). Returns undefined, having said why, when the file is invalid.
import { ConfigError } from '../config/config-error';
import { loadGatewayConfig } from '../config/config.loader';
import type { GatewayConfig } from '../config/gateway-config';
import type { CliIo } from './cli-io';

export function loadConfigForCommand(file: string | undefined, io: CliIo): GatewayConfig | undefined {
  try {
    return loadGatewayConfig({ file });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`byokey: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}
