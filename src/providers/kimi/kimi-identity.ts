// Who byokey says it is to Kimi: the Kimi CLI's User-Agent and its X-Msh-* device headers, sent
// on every call — the OAuth device flow, token refreshes, chat and the model list — so the one
// set lives here (reference/wire-protocols.md §7, seed-spec §3.9). The device id is stable: the
// Kimi CLI keeps one per machine in a file, and a token may be tied to the device that got it,
// so byokey derives one from the machine (host and user) instead of drawing a new one per process.
import { createHash } from 'node:crypto';
import { arch, hostname, release, type, userInfo } from 'node:os';

/** The Kimi CLI release whose identity byokey presents (the one the reference names). */
export const KIMI_CLI_VERSION = '1.10.6';
export const KIMI_USER_AGENT = `KimiCLI/${KIMI_CLI_VERSION}`;

/** What the headers describe; the defaults read the machine. */
export interface KimiDevice {
  id: string;
  name: string;
  model: string;
  osVersion: string;
}

/** The X-Msh-* headers of one device. */
export function kimiDeviceHeaders(device: KimiDevice = machineDevice()): Record<string, string> {
  return {
    'X-Msh-Platform': 'kimi_cli',
    'X-Msh-Version': KIMI_CLI_VERSION,
    'X-Msh-Device-Name': device.name,
    'X-Msh-Device-Model': device.model,
    'X-Msh-Os-Version': device.osVersion,
    'X-Msh-Device-Id': device.id,
  };
}

/** The device headers plus the CLI's User-Agent: what chat and model-list calls carry. */
export function kimiRequestHeaders(device: KimiDevice = machineDevice()): Record<string, string> {
  return { 'User-Agent': KIMI_USER_AGENT, ...kimiDeviceHeaders(device) };
}

let machine: KimiDevice | undefined;

/** This machine as a Kimi device; read once per process. */
export function machineDevice(): KimiDevice {
  machine ??= {
    id: stableDeviceId(`${hostname()}\0${safeUser()}`),
    name: headerSafe(hostname()) || 'byokey',
    model: headerSafe(`${type()} ${release()} ${arch()}`),
    osVersion: headerSafe(release()),
  };
  return machine;
}

/**
 * A UUID (version 4 layout, as the Kimi CLI's random ones) that is the same every time for the
 * same seed: a hash, so nothing has to be written anywhere to keep it.
 */
export function stableDeviceId(seed: string): string {
  const bytes = createHash('sha256').update(`byokey kimi device\0${seed}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** HTTP header values must be printable ASCII; a host name in another script would make undici throw. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '').trim();
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the host alone still gives a stable id.
    return '';
  }
}
