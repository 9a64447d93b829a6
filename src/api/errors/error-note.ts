// What a request's log line says about the error its client got (logging/request-notes.ts): the
// client-facing type, code and message, and — when an upstream's answer caused it — the
// upstream's own status and message, so the line tells a provider's 429 from the gateway's own.
import type { GatewayError } from '../../common/gateway-error';
import type { RequestErrorNote } from '../../logging/request-notes';
import { UpstreamError } from '../../upstream/upstream-error';

export function errorNote(error: GatewayError, inStream?: boolean): RequestErrorNote {
  const note: RequestErrorNote = { status: error.status, type: error.type, code: error.code, message: error.message };
  if (inStream) note.inStream = true;
  const cause = error.cause;
  if (cause instanceof UpstreamError) {
    // Messages and fields of an UpstreamError are redacted where it is built.
    if (cause.status !== undefined) note.upstreamStatus = cause.status;
    if (cause.upstreamMessage !== undefined) note.upstreamMessage = cause.upstreamMessage;
  }
  return note;
}
