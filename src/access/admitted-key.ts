// The key a request was let in with, kept on the raw request (as request notes are) for the
// handlers that answer differently per key: /v1/models lists only what the key may use.
import type { IncomingMessage } from 'node:http';
import type { AccessKey } from './access-key';

const ADMITTED = Symbol('byokey.admittedKey');

type Admitted = IncomingMessage & { [ADMITTED]?: AccessKey };

export function setAdmittedKey(request: IncomingMessage, key: AccessKey): void {
  (request as Admitted)[ADMITTED] = key;
}

/** Undefined on an open gateway called without a key. */
export function admittedKey(request: IncomingMessage): AccessKey | undefined {
  return (request as Admitted)[ADMITTED];
}
