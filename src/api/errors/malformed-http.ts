// Answers for requests that never reach a route: bytes Node's HTTP parser refuses (a bad request
// line, headers too large, a broken chunk) and CONNECT, which Node hands to a 'connect' listener
// or, without one, cuts off in silence. A client gets a real HTTP response with an error body in
// the API's own shape — Anthropic's when the request line names /v1/messages, OpenAI's otherwise —
// and then the connection closes, since the rest of its bytes cannot be trusted.
import { STATUS_CODES, maxHeaderSize, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../../common/gateway-error';
import { anthropicStatus, toAnthropicError, toOpenAIError } from '../../translate/error-bodies';

/** What Node's 'clientError' event carries: llhttp's code and the packet it choked on. */
export interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/** Sockets already answered: a failed parser reports each later packet again. */
const answered = new WeakSet<Duplex>();

/** Fastify's `clientErrorHandler`: answers what the HTTP parser refused, then closes. */
export function answerClientError(error: ClientError, socket: Duplex): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Bytes of a response already on their way: an error written now would corrupt it (the same
  // check Node's own default handler makes).
  if (responseStarted(socket)) {
    socket.destroy();
    return;
  }
  const anthropic = Buffer.isBuffer(error.rawPacket) && namesMessagesRoute(error.rawPacket);
  writeAndClose(socket, clientErrorFor(error), anthropic);
}

/** The server's 'connect' listener: byokey is no proxy, so CONNECT is refused, in words. */
export function answerConnect(_request: IncomingMessage, socket: Duplex): void {
  const error = new GatewayError(405, 'CONNECT is not supported: byokey is an API gateway, not a proxy. Send POST requests to its /v1 routes.', {
    type: 'invalid_request_error',
    code: 'method_not_allowed',
  });
  writeAndClose(socket, error, false);
}

/** The error a client sees for each kind of parser failure. */
export function clientErrorFor(error: ClientError): GatewayError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError(431, `The request's headers are larger than this gateway accepts (${maxHeaderSize} bytes in all).`, {
        type: 'invalid_request_error',
        code: 'headers_too_large',
      });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayError(408, 'The request was not received in time; send it again.', {
        type: 'timeout_error',
        code: 'request_timeout',
      });
    default: {
      // llhttp's reason ("Invalid method encountered") says what was wrong; its code alone does not.
      const reason = 'reason' in error && typeof error.reason === 'string' ? error.reason : error.message;
      return new GatewayError(400, `The request is not valid HTTP/1.1: ${reason}.`, {
        type: 'invalid_request_error',
        code: 'malformed_http',
      });
    }
  }
}

function writeAndClose(socket: Duplex, error: GatewayError, anthropic: boolean): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = anthropic ? anthropicStatus(error) : error.status;
  const body = JSON.stringify(anthropic ? toAnthropicError(error) : toOpenAIError(error));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  // Once the answer is out, stop reading whatever else the client sends.
  socket.once('finish', () => socket.destroy());
}

/** Whether the request line in this packet is one for /v1/messages (Anthropic's dialect). */
function namesMessagesRoute(packet: Buffer): boolean {
  return /^[A-Z]+ \/v1\/messages(?:[/? ]|$)/.test(packet.toString('latin1', 0, 64));
}

/** Node keeps the response being written on the socket; only its public `headersSent` is read. */
function responseStarted(socket: Duplex): boolean {
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return current?.headersSent === true;
}
