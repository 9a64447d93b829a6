// Raw HTTP over node:net for e2e tests whose bytes no client library would send: malformed
// request lines, oversized headers, CONNECT, bodies larger than the gateway takes. Reads the
// first response off the socket and says whether the gateway closed the connection after it.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** The parsed body, when it is JSON. */
  json?: any;
}

/** Splits the first HTTP/1.1 response (with a Content-Length body) out of the bytes received. */
export function parseResponse(bytes: Buffer): RawResponse | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (bytes.length < end + 4 + length) return undefined;
  const body = bytes.subarray(end + 4, end + 4 + length).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, json };
}

export interface Exchange {
  response: RawResponse;
  /** Whether the gateway closed the connection (within `closeWithinMs` of answering). */
  closed: boolean;
}

/** Writes `bytes`, reads one response, then waits up to `closeWithinMs` for the socket to close. */
export function exchange(port: number, bytes: string | Buffer, closeWithinMs = 1000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let response: RawResponse | undefined;
    let closeTimer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => finish(new Error(`no response within 5 s; got ${JSON.stringify(Buffer.concat(received).toString('latin1'))}`)), 5000);
    const finish = (error?: Error, closed = false) => {
      clearTimeout(giveUp);
      clearTimeout(closeTimer);
      socket.destroy();
      if (response) resolve({ response, closed });
      else reject(error ?? new Error(`the connection closed without a response; got ${JSON.stringify(Buffer.concat(received).toString('latin1'))}`));
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (response) return;
      response = parseResponse(Buffer.concat(received));
      if (response) closeTimer = setTimeout(() => finish(undefined, false), closeWithinMs);
    });
    socket.on('close', () => finish(undefined, true));
    // A reset after the response was read still counts as closed; before it, it is a failure.
    socket.on('error', (error) => (response ? finish(undefined, true) : finish(error)));
    socket.write(bytes);
  });
}

export interface LargeUpload {
  response: RawResponse;
  /** Body bytes written when the first byte of the response arrived. */
  sentBeforeAnswer: number;
  /** Body bytes written in all. */
  sent: number;
}

/**
 * Sends `head` and then `total` body bytes in 1 MiB pieces (as chunked encoding when `chunked`),
 * honouring backpressure. Stops sending once a response arrives, unless `keepSending`: then the
 * whole body goes out, as a client that reads its response only after uploading would send it.
 */
export function upload(port: number, head: string, total: number, options: { chunked: boolean; keepSending?: boolean }): Promise<LargeUpload> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const piece = Buffer.alloc(1024 * 1024, 'a');
    const framed = options.chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
    const received: Buffer[] = [];
    let sent = 0;
    let sentBeforeAnswer: number | undefined;
    let response: RawResponse | undefined;
    const giveUp = setTimeout(() => done(new Error('no response within 20 s')), 20_000);
    const done = (error?: Error) => {
      clearTimeout(giveUp);
      socket.destroy();
      if (response && sentBeforeAnswer !== undefined) resolve({ response, sentBeforeAnswer, sent });
      else reject(error ?? new Error(`the connection closed without a response after ${sent} body bytes`));
    };
    const finished = () => sent >= total || (sentBeforeAnswer !== undefined && !options.keepSending);
    socket.on('data', (chunk: Buffer) => {
      sentBeforeAnswer ??= sent;
      received.push(chunk);
      response ??= parseResponse(Buffer.concat(received));
      if (response && finished()) done();
    });
    socket.on('close', () => done());
    // A client that hangs up mid-body; the gateway's reset (EPIPE, ECONNRESET) ends the test's
    // writing, and whether the response was read first is what counts.
    socket.on('error', () => done());
    const pump = () => {
      while (!finished() && !socket.destroyed) {
        sent += piece.length;
        if (!socket.write(framed)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (sent >= total && !socket.destroyed) {
        socket.write(options.chunked ? '0\r\n\r\n' : '');
        if (response) done();
      }
    };
    socket.write(head);
    pump();
  });
}
