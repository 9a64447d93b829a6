// Who may call the public routes: `keys` (a client key is needed) or `open` (anyone who reaches
// the port). The file's `auth.mode` decides; without one it is `keys` as soon as any client key
// exists (in the file or the store, revoked ones included: revoking the last key must not open
// the gateway), else `open`. Open on a non-loopback address must be asked for explicitly.
import { isIP } from 'node:net';
import type { AccessSettings } from '../config/gateway-config';

export type AccessMode = 'keys' | 'open';

export function effectiveMode(settings: AccessSettings, storeHasKeys: boolean): AccessMode {
  return settings.mode ?? (settings.keys.length > 0 || storeHasKeys ? 'keys' : 'open');
}

/** 127.0.0.0/8, ::1 (and IPv4-mapped loopback), localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name.startsWith('::ffff:127.');
  return false;
}

export type OpenModeCheck =
  | { kind: 'fine' }
  /** Open on the network because the file says so: start, with this warning. */
  | { kind: 'warn'; message: string }
  /** Open on the network by default: refuse to start. */
  | { kind: 'refuse'; message: string };

export function checkOpenMode(settings: AccessSettings, storeHasKeys: boolean, host: string): OpenModeCheck {
  if (effectiveMode(settings, storeHasKeys) === 'keys' || isLoopbackHost(host)) return { kind: 'fine' };
  if (settings.mode === 'open') {
    return {
      kind: 'warn',
      message: `auth.mode is open and byokey listens on ${host}: anyone who can reach this port can use its subscriptions and keys without a client key.`,
    };
  }
  return {
    kind: 'refuse',
    message:
      `byokey would listen on ${host} with no client key, so anyone who can reach the port could spend its subscriptions. ` +
      'Create a key (byokey keys create --name NAME) or list one in auth.keys; or, if every machine that can reach it is trusted, ' +
      'say so with `auth: {mode: open}` in providers.yaml.',
  };
}
