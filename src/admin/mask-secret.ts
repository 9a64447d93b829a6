// How a secret (an upstream API key) is shown where it must be shown at all: its kind's prefix
// and its last four characters, `sk-…abcd`, enough to tell two keys apart and never enough to use
// one. Short secrets show no characters at all.

/** Below this length the last four characters would be too large a share of the secret. */
const MIN_LENGTH_FOR_TAIL = 16;

export function maskSecret(secret: string): string {
  const prefix = /^[A-Za-z]{2,4}-/.exec(secret)?.[0] ?? '';
  const tail = secret.length >= MIN_LENGTH_FOR_TAIL ? secret.slice(-4) : '';
  return `${prefix}…${tail}`;
}
