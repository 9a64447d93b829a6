// A recording proxy between a real client CLI and byokey: every HTTP request is passed on
// unchanged (the answer streamed back as it comes) and recorded — method, path, headers, body —
// and a WebSocket upgrade is relayed frame by frame, recording the upgrade's headers and each
// frame the client sends. This is how the tests see exactly what real clients send a gateway.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

type Json = Record<string, any>;

export interface CapturedExchange {
  transport: 'http' | 'websocket';
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** HTTP: the parsed JSON body (or the text, or undefined). WebSocket: undefined. */
  body?: unknown;
  /** WebSocket: every frame the client sent, parsed when JSON. */
  frames?: unknown[];
  /** HTTP status byokey answered (HTTP only; 101 for an accepted upgrade). */
  status?: number;
  /** The answer's body when byokey refused (status ≥ 400), to see why. */
  errorBody?: string;
}

/** Headers dropped on the way through: they describe one hop, not the request. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class CaptureProxy {
  readonly exchanges: CapturedExchange[] = [];
  private server?: Server;
  private wss?: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private readonly relays = new Set<WebSocket>();

  /** @param target byokey's origin, `http://127.0.0.1:PORT`. */
  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (chunk: Buffer) => parts.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(parts);
        const exchange: CapturedExchange = { transport: 'http', method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body: decodeBody(raw, req.headers) };
        this.exchanges.push(exchange);
        const headers = { ...req.headers };
        for (const name of Object.keys(headers)) if (HOP_HEADERS.has(name)) delete headers[name];
        headers['content-length'] = String(raw.length);
        const target = new URL(this.target);
        const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
          exchange.status = answer.statusCode;
          const answerHeaders = { ...answer.headers };
          for (const name of Object.keys(answerHeaders)) if (HOP_HEADERS.has(name)) delete answerHeaders[name];
          res.writeHead(answer.statusCode ?? 502, answerHeaders);
          if ((answer.statusCode ?? 0) >= 400) {
            exchange.errorBody = '';
            answer.on('data', (chunk: Buffer) => (exchange.errorBody += chunk.toString('utf8')));
          }
          answer.pipe(res);
        });
        upstream.on('error', (error) => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`capture proxy: ${error.message}`);
        });
        res.on('close', () => upstream.destroy());
        upstream.end(raw);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: true });
    this.server.on('upgrade', (req: IncomingMessage, socket, head) => this.relay(req, socket as Socket, head));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  /** `http://127.0.0.1:PORT`: give the client this instead of byokey's address. */
  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const relay of this.relays) relay.terminate();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Opens the same WebSocket on byokey, then accepts the client's and relays both ways. */
  private relay(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const exchange: CapturedExchange = { transport: 'websocket', method: req.method ?? 'GET', url: req.url ?? '', headers: { ...req.headers }, frames: [] };
    this.exchanges.push(exchange);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (HOP_HEADERS.has(name) || name.startsWith('sec-websocket-') || name === 'host' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const protocols = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim());
    const upstream = new WebSocket(`${this.target.replace(/^http/, 'ws')}${req.url}`, protocols, { headers, perMessageDeflate: true });
    this.relays.add(upstream);
    upstream.on('unexpected-response', (_request, answer) => {
      // byokey refused the upgrade: the client gets the same status and body.
      exchange.status = answer.statusCode;
      const parts: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => parts.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(parts);
        exchange.errorBody = body.toString('utf8');
        socket.end(
          `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\ncontent-type: ${answer.headers['content-type'] ?? 'text/plain'}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.toString('utf8')}`,
        );
      });
    });
    upstream.on('error', () => socket.destroy());
    upstream.on('open', () => {
      exchange.status = 101;
      this.wss!.handleUpgrade(req, socket, head, (client) => {
        this.relays.add(client);
        client.on('message', (data: RawData, isBinary: boolean) => {
          const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
          exchange.frames!.push(isBinary ? `<${text.length} binary bytes>` : parseJson(text));
          upstream.send(data, { binary: isBinary });
        });
        upstream.on('message', (data: RawData, isBinary: boolean) => client.send(data, { binary: isBinary }));
        client.on('close', (code, reason) => upstream.close(validCode(code), reason));
        upstream.on('close', (code, reason) => client.close(validCode(code), reason));
        client.on('error', () => upstream.terminate());
      });
    });
  }
}

function decodeBody(raw: Buffer, headers: IncomingMessage['headers']): unknown {
  if (raw.length === 0) return undefined;
  let bytes = raw;
  if (headers['content-encoding'] === 'gzip') {
    try {
      bytes = gunzipSync(raw);
    } catch {
      return `<${raw.length} bytes, not valid gzip>`;
    }
  } else if (headers['content-encoding']) {
    return `<${raw.length} bytes, content-encoding ${headers['content-encoding']}>`;
  }
  return parseJson(bytes.toString('utf8'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** 1005/1006 may not be sent in a close frame. */
function validCode(code: number): number | undefined {
  return code === 1005 || code === 1006 ? undefined : code;
}
