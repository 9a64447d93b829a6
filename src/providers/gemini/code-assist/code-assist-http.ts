// Calls to Code Assist's `…/v1internal:<method>` (reference/wire-protocols.md §6.1, §7): a POST
// with the Google access token as Bearer, or the GET of a long-running operation. Several hosts
// may be given (Antigravity's daily, sandbox, prod): the next is tried only when one cannot be
// reached or answers 5xx — a 4xx or a 429 is the account's answer, the same on every host. An
// error answer becomes the UpstreamError gemini-errors.ts makes of google.rpc.Status, RetryInfo
// and all.
import { isObject } from '../../../protocol/json-object';
import { readJsonAnswer } from '../../../upstream/json-answer';
import { UpstreamError } from '../../../upstream/upstream-error';
import type { UpstreamHttp, UpstreamResponse } from '../../../upstream/upstream-http.service';
import type { UpstreamTimeouts } from '../../../upstream/upstream-timeouts';
import { geminiHttpError } from '../gemini-errors';

/** The path root every method hangs off. */
export const CODE_ASSIST_VERSION = 'v1internal';

export interface CodeAssistTarget {
  instance: string;
  /** Roots such as `https://cloudcode-pa.googleapis.com`, in the order to try them. */
  hosts: readonly string[];
  /** Every header but content-type and accept, the Bearer token included. */
  headers: Record<string, string>;
  /** The access token, redacted from every error text. */
  secret: string;
  timeouts: UpstreamTimeouts;
  signal: AbortSignal;
}

export type CodeAssistMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens' | 'loadCodeAssist' | 'onboardUser';

/** POST `<host>/v1internal:<method>` (`?alt=sse` for the stream); resolves with a 2xx response. */
export function postCodeAssist(http: UpstreamHttp, target: CodeAssistTarget, method: CodeAssistMethod, body: object): Promise<UpstreamResponse> {
  const stream = method === 'streamGenerateContent';
  return send(http, target, (host) => ({
    url: `${host}/${CODE_ASSIST_VERSION}:${method}${stream ? '?alt=sse' : ''}`,
    method: 'POST',
    body: JSON.stringify(body),
    accept: stream ? 'text/event-stream' : 'application/json',
  }));
}

/** POST a set-up method and read its whole JSON answer. */
export async function postCodeAssistJson<T>(http: UpstreamHttp, target: CodeAssistTarget, method: CodeAssistMethod, body: object): Promise<T> {
  const response = await postCodeAssist(http, target, method, body);
  return readJsonAnswer<T>(await http.text(response.body, target.instance, target.signal), target.instance).parsed();
}

/** GET `<host>/v1internal/<operation name>` (`operations/…`). */
export async function getCodeAssistOperation<T>(http: UpstreamHttp, target: CodeAssistTarget, name: string): Promise<T> {
  const path = name.split('/').map(encodeURIComponent).join('/');
  const response = await send(http, target, (host) => ({ url: `${host}/${CODE_ASSIST_VERSION}/${path}`, method: 'GET', accept: 'application/json' }));
  return readJsonAnswer<T>(await http.text(response.body, target.instance, target.signal), target.instance).parsed();
}

interface Attempt {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  accept: string;
}

async function send(http: UpstreamHttp, target: CodeAssistTarget, attempt: (host: string) => Attempt): Promise<UpstreamResponse> {
  let last: unknown;
  for (const [index, host] of target.hosts.entries()) {
    const more = index < target.hosts.length - 1;
    const { url, method, body, accept } = attempt(host.replace(/\/+$/, ''));
    try {
      const response = await http.request({
        instance: target.instance,
        url,
        method,
        headers: { ...target.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), accept },
        body,
        signal: target.signal,
        timeouts: target.timeouts,
      });
      if (response.status < 400) return response;
      const text = await http.errorText(response.body, target.instance, target.signal);
      throw geminiHttpError(target.instance, response.status, response.headers, text, target.secret);
    } catch (error) {
      if (!more || !hostFailed(error)) throw error;
      last = error;
    }
  }
  throw last;
}

/** This host is down, not the request wrong: another host may answer it. */
function hostFailed(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  return error.failure === 'connect' || (error.failure === 'status' && error.status !== undefined && error.status >= 500);
}

/** A project id as loadCodeAssist or an operation names it: a string, or `{id}`. */
export function projectIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (isObject(value) && typeof value.id === 'string' && value.id.trim() !== '') return value.id.trim();
  return undefined;
}
