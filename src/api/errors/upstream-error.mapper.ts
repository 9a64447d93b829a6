// What the client is told when an upstream call fails before the response started.
// 4xx answers keep their status (429 keeps retry-after), since they are about the request or
// the credential; 5xx and unreachable upstreams become 502; slow ones 504.
import { GatewayError, type GatewayErrorType } from '../../common/gateway-error';
import type { UpstreamError } from '../../upstream/upstream-error';

const TYPE_BY_STATUS: Record<number, GatewayErrorType> = {
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
};

export function mapUpstreamError(error: UpstreamError): GatewayError {
  const from = `upstream ${error.instance}`;
  switch (error.failure) {
    case 'status': {
      const status = error.status ?? 502;
      if (status === 529 || error.upstreamType === 'overloaded_error') return overloaded(error, from);
      const said = error.upstreamMessage ?? 'no error message';
      if (status >= 400 && status < 500) {
        const message =
          status === 401 || status === 403
            ? `${from} rejected the gateway's credential (HTTP ${status}): ${said}`
            : `${said} (from ${from}, HTTP ${status})`;
        return new GatewayError(status, message, {
          type: TYPE_BY_STATUS[status] ?? 'invalid_request_error',
          code: error.upstreamCode ?? null,
          param: error.upstreamParam ?? null,
          headers: error.headers,
          cause: error,
        });
      }
      // retry-after stays: an upstream that says when to come back (503) is worth hearing.
      return new GatewayError(502, `${from} failed (HTTP ${status}): ${said}`, {
        type: 'server_error',
        code: 'upstream_error',
        headers: error.headers,
        cause: error,
      });
    }
    case 'connect':
      return new GatewayError(502, error.message, { type: 'server_error', code: 'upstream_unreachable', headers: error.headers, cause: error });
    case 'timeout':
      return new GatewayError(504, error.message, { type: 'timeout_error', code: 'upstream_timeout', headers: error.headers, cause: error });
    case 'protocol':
      return new GatewayError(502, error.message, { type: 'server_error', code: 'upstream_protocol_error', headers: error.headers, cause: error });
    case 'stream': {
      if (error.status === 529 || error.upstreamType === 'overloaded_error') return overloaded(error, from);
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 502;
      return new GatewayError(status, error.message, {
        type: TYPE_BY_STATUS[status] ?? (status < 500 ? 'invalid_request_error' : 'server_error'),
        code: error.upstreamCode ?? 'upstream_error',
        headers: error.headers,
        cause: error,
      });
    }
    case 'aborted':
      // Nobody is listening any more; the status only shows in logs (nginx's "client closed").
      return new GatewayError(499, error.message, { type: 'invalid_request_error', code: 'client_closed_request', cause: error });
  }
}

/** An upstream too busy to answer (Anthropic's 529): 503 for OpenAI clients, 529 for Anthropic ones. */
function overloaded(error: UpstreamError, from: string): GatewayError {
  return new GatewayError(503, `${from} is overloaded: ${error.upstreamMessage ?? 'try again shortly'}`, {
    type: 'overloaded_error',
    code: 'overloaded',
    headers: error.headers,
    cause: error,
  });
}
