// The frames of the Responses WebSocket as byokey serves it (reference/wire-protocols.md §1.8):
// what a client may send (`response.create` with a Responses body, `response.processed` acks),
// and the error frames it gets back. Pure functions, no socket.
import { GatewayError, invalidRequest } from '../../common/gateway-error';

export type ClientFrame =
  /** A Responses request body, its `type` taken off. */
  | { kind: 'create'; body: Record<string, unknown> }
  /** The client's acknowledgement of a finished response: nothing to do. */
  | { kind: 'processed' }
  | { kind: 'invalid'; error: GatewayError };

export function parseClientFrame(text: string): ClientFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', error: invalidRequest('A WebSocket frame must be one JSON object, such as {"type":"response.create", ...a Responses request...}.', null, 'invalid_json') };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { kind: 'invalid', error: invalidRequest('A WebSocket frame must be a JSON object with a `type`.', 'type', 'invalid_type') };
  }
  const { type, ...body } = json as Record<string, unknown>;
  if (type === 'response.create') return { kind: 'create', body };
  if (type === 'response.processed') return { kind: 'processed' };
  const what = typeof type === 'string' ? `\`${type}\`` : 'a frame without a string `type`';
  return {
    kind: 'invalid',
    error: invalidRequest(`Unsupported message type: ${what}. This endpoint takes \`response.create\` (and \`response.processed\` acknowledgements).`, 'type', 'unsupported_message_type'),
  };
}

/**
 * An error the way the Codex backend sends one: `{"type":"error","status":N,"error":{...}}`. The
 * Codex CLI reads a frame with a non-2xx `status` as that HTTP error; `headers` carries
 * retry-after when the error has one.
 */
export function errorFrame(error: GatewayError): string {
  const headers = Object.keys(error.headers).length > 0 ? { headers: error.headers } : {};
  return JSON.stringify({ type: 'error', status: error.status, error: errorObject(error), ...headers });
}

export function responseInProgress(): GatewayError {
  return invalidRequest(
    'A response is already running on this connection; send the next response.create after its response.completed (one response at a time per WebSocket).',
    null,
    'response_in_progress',
  );
}

export function shuttingDown(): GatewayError {
  return new GatewayError(503, 'The gateway is shutting down; reconnect to continue.', { type: 'server_error', code: 'gateway_shutting_down' });
}

function errorObject(error: GatewayError): { type: string; code: string | null; message: string; param: string | null } {
  return { type: error.type, code: error.code, message: error.message, param: error.param };
}
