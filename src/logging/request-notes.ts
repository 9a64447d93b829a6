// What the log line of a finished request should say besides its status: the model asked for,
// the provider instance that served it (or failed), and why it failed. Whoever learns a fact
// writes it here as it goes (controllers the model and instance, the exception filter and the
// stream writer the error); request-logging.ts reads it when the response closes. Kept on the
// raw request under a symbol: no per-request context machinery, nothing when nobody writes.
import type { IncomingMessage } from 'node:http';
import type { TokenCounts, UpstreamAttempt } from '../store/usage-record';

export interface RequestErrorNote {
  status: number;
  type: string;
  code: string | null;
  message: string;
  /** True when the response had started: the error went out as an in-stream event. */
  inStream?: boolean;
  /** The upstream's own HTTP status, when the failure came from an upstream's answer. */
  upstreamStatus?: number;
  /** The upstream's own error message (secrets redacted where it was read), when it gave one. */
  upstreamMessage?: string;
}

export interface RequestNotes {
  model?: string;
  instance?: string;
  error?: RequestErrorNote;
  /** The client key that was let in (access/), for usage records and limits. */
  keyId?: string;
  keyName?: string;
  /** The client asked for a stream. */
  stream?: boolean;
  /** The model id sent upstream by the attempt that served (or last failed), after aliases and fallbacks. */
  modelServed?: string;
  /** The label of the credential that attempt used (`api_keys[1]`, `account:<id>`), never the secret. */
  credential?: string;
  /** Upstream attempts made so far (1 = no retry). */
  attempts?: number;
  /** When the first byte of a streamed answer went out (ms since epoch). */
  firstByteAt?: number;
  /** The tokens the upstream's answer counted; filled in as its usage is read (usage/usage-meter.ts). */
  tokens?: TokenCounts;
  /** Every upstream attempt in order, the serving one last (usage/usage-meter.ts). */
  upstreamAttempts?: UpstreamAttempt[];
}

const NOTES = Symbol('byokey.requestNotes');

type Noted = IncomingMessage & { [NOTES]?: RequestNotes };

/**
 * The notes with every field there from the start, so each request's notes share one shape and
 * writing a fact is a plain store: an object that grew field by field, in a different order per
 * route, cost microseconds per write on the hot path. A field added to RequestNotes belongs here.
 */
class Notes implements RequestNotes {
  model?: string = undefined;
  instance?: string = undefined;
  error?: RequestErrorNote = undefined;
  keyId?: string = undefined;
  keyName?: string = undefined;
  stream?: boolean = undefined;
  modelServed?: string = undefined;
  credential?: string = undefined;
  attempts?: number = undefined;
  firstByteAt?: number = undefined;
  tokens?: TokenCounts = undefined;
  upstreamAttempts?: UpstreamAttempt[] = undefined;
}

/** Adds facts to the request's notes. */
export function noteRequest(request: IncomingMessage, facts: RequestNotes): void {
  const noted = request as Noted;
  let notes = noted[NOTES];
  if (!notes) {
    notes = new Notes();
    noted[NOTES] = notes;
  }
  Object.assign(notes, facts);
}

/** The request's notes, if anyone wrote some. */
export function requestNotes(request: IncomingMessage): RequestNotes | undefined {
  return (request as Noted)[NOTES];
}
