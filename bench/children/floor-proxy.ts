// The floor: the least a Node proxy can do for one request — read and parse the JSON body,
// forward it re-serialized over a pooled keep-alive undici Agent to the same path upstream, and
// stream the answer back (SSE) or parse and re-serialize it (JSON). No translation, no routing,
// no validation, no logging. byokey is measured against this in the same run.
// Usage (forked by bench/processes.ts): floor-proxy.js <upstream origin>; posts its URL over IPC.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const upstream = process.argv[2];
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });

const server = createServer(async (req, res) => {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    let text = '';
    req.setEncoding('utf8');
    for await (const chunk of req) text += chunk;
    const body: unknown = JSON.parse(text);
    const answer = await request(upstream + req.url, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? 'Bearer floor' },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    const type = String(answer.headers['content-type'] ?? 'application/json');
    if (type.startsWith('text/event-stream')) {
      res.writeHead(answer.statusCode, { 'content-type': type, 'cache-control': 'no-cache' });
      for await (const chunk of answer.body) if (!res.write(chunk)) await once(res, 'drain');
      res.end();
    } else {
      const json = JSON.stringify(await answer.body.json());
      res.writeHead(answer.statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    }
  } catch (error) {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: (error as Error).message } }));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
// A normal exit, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
