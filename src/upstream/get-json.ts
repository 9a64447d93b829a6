// A small GET that answers a JSON object: for the upstreams' list endpoints (models), which are
// read whole, bounded in size and time, with an error answer thrown as the UpstreamError it is.
import { readJsonAnswer } from './json-answer';
import type { UpstreamHttp } from './upstream-http.service';
import { upstreamStatusError } from './upstream-response';
import type { UpstreamTimeouts } from './upstream-timeouts';

/** A model list of a few thousand entries is well under this; anything bigger is cut (and fails to parse). */
const LIST_BODY_LIMIT = 8 * 1024 * 1024;

export interface GetJsonRequest {
  instance: string;
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  timeouts: UpstreamTimeouts;
}

export async function getJson(http: UpstreamHttp, request: GetJsonRequest): Promise<Record<string, unknown>> {
  const response = await http.request({ ...request, method: 'GET', headers: { ...request.headers, accept: 'application/json' } });
  if (response.status >= 400) {
    const text = await http.errorText(response.body, request.instance, request.signal);
    throw upstreamStatusError(request.instance, response, text);
  }
  const text = await http.text(response.body, request.instance, request.signal, LIST_BODY_LIMIT);
  return readJsonAnswer<Record<string, unknown>>(text, request.instance).parsed();
}
