// Google's ways of saying no (reference/wire-protocols.md §6.4), as UpstreamErrors: an HTTP
// error with a google.rpc.Status body `{error:{code,message,status,details}}`, or the same
// object as a chunk of a started stream. A quota error (429 RESOURCE_EXHAUSTED) says when to
// come back in its RetryInfo detail (`retryDelay: "51.8s"`): that becomes retry-after (and the
// exact retry-after-ms), which the router's cooldown and the client's 429 both read.
import { GEMINI_ERROR_INFO_TYPE, GEMINI_RETRY_INFO_TYPE, type GeminiErrorBody } from '../../protocol/gemini-generate-content';
import { isObject } from '../../protocol/json-object';
import { UpstreamError } from '../../upstream/upstream-error';
import { parseErrorBody } from '../../upstream/upstream-response';

type ErrorObject = GeminiErrorBody['error'];

/** An error answer before the stream started. */
export function geminiHttpError(
  instance: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  secret?: string,
): UpstreamError {
  const error = googleErrorOf(text);
  const kept = retryHeaders(error);
  const seconds = headers['retry-after'];
  if (kept['retry-after'] === undefined && typeof seconds === 'string') kept['retry-after'] = seconds;
  const message = error?.message ?? parseErrorBody(text).message ?? 'no error message';
  return new UpstreamError(`upstream ${instance} answered ${status}: ${message}`, {
    failure: 'status',
    instance,
    status,
    upstreamMessage: message,
    upstreamType: error?.status,
    upstreamCode: errorReason(error) ?? error?.status,
    headers: kept,
    secret,
  });
}

/** An `{error}` chunk inside a started stream. */
export function geminiStreamError(instance: string, error: Record<string, unknown>, secret?: string): UpstreamError {
  const object = error as Partial<ErrorObject>;
  const message = typeof object.message === 'string' ? object.message : 'the upstream reported an error';
  const code = typeof object.code === 'number' && object.code >= 400 && object.code <= 599 ? object.code : 500;
  return new UpstreamError(`upstream ${instance} reported ${object.status ?? code}: ${message}`, {
    failure: 'stream',
    instance,
    status: code,
    upstreamMessage: message,
    upstreamType: typeof object.status === 'string' ? object.status : undefined,
    upstreamCode: errorReason(object as ErrorObject) ?? (typeof object.status === 'string' ? object.status : undefined),
    headers: retryHeaders(object as ErrorObject),
    secret,
  });
}

/** The google.rpc.Status in an error body, when it is one. */
export function googleErrorOf(text: string): ErrorObject | undefined {
  try {
    const json: unknown = JSON.parse(text);
    // Some Google front ends answer a one-element array of the error.
    const body = Array.isArray(json) ? json[0] : json;
    return isObject(body) && isObject(body.error) ? (body.error as unknown as ErrorObject) : undefined;
  } catch {
    return undefined;
  }
}

/** retry-after (whole seconds, rounded up) and retry-after-ms from a RetryInfo detail. */
export function retryHeaders(error: Partial<ErrorObject> | undefined): Record<string, string> {
  const delay = detailsOf(error).find((d) => d['@type'] === GEMINI_RETRY_INFO_TYPE)?.retryDelay;
  const ms = typeof delay === 'string' ? durationMs(delay) : undefined;
  return ms === undefined ? {} : { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(ms) };
}

/** A google.protobuf.Duration in its JSON form: `"51.8s"`, `"3s"`, `"0.5s"`. */
export function durationMs(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function errorReason(error: Partial<ErrorObject> | undefined): string | undefined {
  const reason = detailsOf(error).find((d) => d['@type'] === GEMINI_ERROR_INFO_TYPE)?.reason;
  return typeof reason === 'string' && reason !== '' ? reason : undefined;
}

function detailsOf(error: Partial<ErrorObject> | undefined): Array<Record<string, unknown>> {
  return Array.isArray(error?.details) ? error.details.filter(isObject) : [];
}
