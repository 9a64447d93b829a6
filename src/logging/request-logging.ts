// One line per finished request, which answers "what happened to this request" on its own:
// `request completed` (info); `request refused` (info) for a 4xx the gateway decided;
// `request errored` (warn) when the status is 5xx, the response was cut before it finished, a
// stream ended in an error event, or the failure came from an upstream (its status and message
// are on the line: a 429 from a provider is the operator's business, a bad request is not).
// The fields come from what the request noted on its way (request-notes.ts): model asked and
// served, instance, credential label, client key name, tokens, attempts, time to first byte.
// A watcher of finished requests (finished-requests.ts) instead of a logging middleware: no child
// logger, no async context, and nothing at all per request when the level hides every line.
import { urlWithoutKey } from '../common/url-without-key';
import { symbols, type Logger } from 'pino';
import type { TokenCounts } from '../store/usage-record';
import type { FinishedRequestWatcher } from './finished-requests';
import type { RequestErrorNote } from './request-notes';

/**
 * Health probes and metric scrapes: not logged — a balancer probes several times a second, a
 * scraper every few seconds (readiness changes are logged where they happen).
 */
const PROBE_URLS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** The request line as written (README "Logs" shows one); absent facts are left out. */
export interface RequestLogLine {
  reqId: string;
  method: string | undefined;
  url: string | undefined;
  /** Fastify's route pattern (`/v1/chat/completions`); absent for an unknown route. */
  route: string | undefined;
  status: number;
  /** The model the client asked for. */
  model: string | undefined;
  /** The model sent upstream (after aliases and fallbacks). */
  modelServed: string | undefined;
  instance: string | undefined;
  /** The credential's label (`api_keys[1]`, `account:<id>`), never the secret. */
  credential: string | undefined;
  /** The client key's name. */
  key: string | undefined;
  stream: boolean | undefined;
  attempts: number | undefined;
  tokens: TokenCounts | undefined;
  ttfbMs: number | undefined;
  durationMs: number;
  error: RequestErrorNote | undefined;
}

/**
 * The request line's watcher (finished-requests.ts), or none when the logger's level hides every
 * line: the level is fixed for the gateway's life, so at `error` and above (or `silent`) requests
 * pay nothing for logging.
 */
export function requestLogWatcher(logger: Logger): FinishedRequestWatcher | undefined {
  if (!logger.isLevelEnabled('warn')) return undefined;
  const completedLines = logger.isLevelEnabled('info');
  const write = lineWriter(logger);
  return {
    // A balancer probes several times a second; its answers are no request worth a line.
    wants: (request) => !PROBE_URLS.has(request.raw.url ?? ''),
    finished: ({ request, raw, notes, startedAt, endedAt }) => {
      const error = notes?.error;
      const status = raw.statusCode;
      const errored = status >= 500 || !raw.writableEnded || error?.inStream === true || error?.upstreamStatus !== undefined;
      if (!errored && !completedLines) return;
      // One object literal with every field, in one order: pino leaves out the undefined ones.
      const line: RequestLogLine = {
        reqId: request.id,
        method: request.raw.method,
        url: urlWithoutKey(request.raw.url),
        route: request.routeOptions.url,
        status,
        model: notes?.model,
        modelServed: notes?.modelServed,
        instance: notes?.instance,
        credential: notes?.credential,
        key: notes?.keyName,
        stream: notes?.stream,
        attempts: notes?.attempts,
        tokens: notes?.tokens,
        // A streamed answer notes its first byte; a whole (JSON) answer's first byte is its last.
        ttfbMs: notes?.firstByteAt !== undefined ? notes.firstByteAt - startedAt : notes?.attempts !== undefined && raw.headersSent ? endedAt - startedAt : undefined,
        durationMs: endedAt - startedAt,
        error,
      };
      if (errored) write('warn', line, ERRORED);
      else write('info', line, status >= 400 ? REFUSED : COMPLETED);
    },
  };
}

/** The three messages, as JSON once. */
const COMPLETED = JSON.stringify('request completed');
const REFUSED = JSON.stringify('request refused');
const ERRORED = JSON.stringify('request errored');

/**
 * Writes a request line to the logger's own stream in pino's line format — level, time, the
 * logger's pid and hostname, the fields, msg — so it reads like every other line and goes through
 * pino-pretty when that is the stream. The line is one fixed shape of plain values, so it is
 * written field by field (requestLineFields) rather than through pino's general serializer.
 */
function lineWriter(logger: Logger): (level: 'info' | 'warn', line: RequestLogLine, jsonMessage: string) => void {
  const internals = logger as unknown as Record<symbol, unknown>;
  // Every pino logger has both (a child's chindings carry its bindings too).
  const stream = internals[symbols.streamSym] as { write(chunk: string): unknown };
  const chindings = internals[symbols.chindingsSym] as string;
  const levels = { info: logger.levels.values.info, warn: logger.levels.values.warn };
  return (level, line, jsonMessage) => {
    stream.write(`{"level":${levels[level]},"time":${Date.now()}${chindings}${requestLineFields(line)},"msg":${jsonMessage}}\n`);
  };
}

/**
 * The line's fields as JSON text, each preceded by a comma, in the interface's order and without
 * the undefined ones: exactly what `JSON.stringify(line)` gives between its braces (a spec holds
 * it to that), at a fraction of its cost — most strings need no escaping and are quoted as they are.
 */
export function requestLineFields(line: RequestLogLine): string {
  let out = `,"reqId":${str(line.reqId)}`;
  if (line.method !== undefined) out += `,"method":${str(line.method)}`;
  if (line.url !== undefined) out += `,"url":${str(line.url)}`;
  if (line.route !== undefined) out += `,"route":${str(line.route)}`;
  out += `,"status":${num(line.status)}`;
  if (line.model !== undefined) out += `,"model":${str(line.model)}`;
  if (line.modelServed !== undefined) out += `,"modelServed":${str(line.modelServed)}`;
  if (line.instance !== undefined) out += `,"instance":${str(line.instance)}`;
  if (line.credential !== undefined) out += `,"credential":${str(line.credential)}`;
  if (line.key !== undefined) out += `,"key":${str(line.key)}`;
  if (line.stream !== undefined) out += `,"stream":${line.stream}`;
  if (line.attempts !== undefined) out += `,"attempts":${num(line.attempts)}`;
  if (line.tokens !== undefined) out += `,"tokens":${JSON.stringify(line.tokens)}`;
  if (line.ttfbMs !== undefined) out += `,"ttfbMs":${num(line.ttfbMs)}`;
  out += `,"durationMs":${num(line.durationMs)}`;
  if (line.error !== undefined) out += `,"error":${JSON.stringify(line.error)}`;
  return out;
}

/** Characters JSON must escape in a string: quote, backslash, controls, and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function str(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/** JSON's number: NaN and the infinities are null there. */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
