// ResponsesSocket over a real ws pair on localhost, with the response starter replaced by a
// scripted one: no router, no upstream.
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import WebSocket, { WebSocketServer } from 'ws';
import { GatewayError } from '../../common/gateway-error';
import { ActiveStreams } from '../../health/active-streams';
import { ResponsesSocket, type StartContext, type StartResponse } from './responses-socket';

let server: WebSocketServer;
let streams: ActiveStreams;
let sessions: ResponsesSocket[];
let start: StartResponse;

beforeEach(async () => {
  streams = new ActiveStreams();
  sessions = [];
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => {
    let n = 0;
    sessions.push(
      new ResponsesSocket({
        socket,
        start: (body, context) => start(body, context),
        nextRequestId: () => `req-${++n}`,
        streams,
        logger: new Logger('test'),
      }),
    );
  });
  await new Promise((resolve) => server.once('listening', resolve));
});

afterEach(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

interface Client {
  ws: WebSocket;
  frames: Array<Record<string, any>>;
  closed: Promise<{ code: number; reason: string }>;
  waitFrames(count: number): Promise<Array<Record<string, any>>>;
}

async function connect(): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const frames: Array<Record<string, any>> = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve) => ws.once('open', resolve));
  const waitFrames = async (count: number) => {
    const deadline = Date.now() + 10_000;
    while (frames.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return frames;
  };
  return { ws, frames, closed, waitFrames };
}

/** A response that yields `events`, then waits until released or aborted. */
function held(events: object[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const contexts: StartContext[] = [];
  const starter: StartResponse = async (_body, context) => {
    contexts.push(context);
    return (async function* () {
      for (const event of events) yield JSON.stringify(event);
      await Promise.race([released, new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason)))]);
      yield JSON.stringify({ type: 'response.completed', response: { id: 'resp_1' } });
    })();
  };
  return { starter, release: () => release(), contexts };
}

const create = (ws: WebSocket, model = 'm') => ws.send(JSON.stringify({ type: 'response.create', model, input: 'hi' }));

it('sends each event as it came, one response at a time, and stays open for the next', async () => {
  const response = held([{ type: 'response.created', response: { id: 'resp_1' } }]);
  start = response.starter;
  const client = await connect();
  create(client.ws);
  await client.waitFrames(1);
  create(client.ws);
  await client.waitFrames(2);
  expect(client.frames[1]).toMatchObject({ type: 'error', status: 400, error: { code: 'response_in_progress' } });
  response.release();
  await client.waitFrames(3);
  expect(client.frames.map((f) => f.type)).toEqual(['response.created', 'error', 'response.completed']);
  expect(response.contexts.map((c) => c.requestId)).toEqual(['req-1']);
  expect(sessions[0].busy).toBe(false);
});

it('aborts the running response when the client closes', async () => {
  const response = held([{ type: 'response.created' }]);
  start = response.starter;
  const client = await connect();
  create(client.ws);
  await client.waitFrames(1);
  client.ws.terminate();
  // The server hears the close when it gets to it: waited for, not timed.
  const deadline = Date.now() + 10_000;
  while (!response.contexts[0].signal.aborted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(response.contexts[0].signal.aborted).toBe(true);
  expect(response.contexts[0].affinity.ended).toBe(true);
});

it('turns a failure to start into an error frame in the caller dialect, never a crash', async () => {
  start = async () => {
    throw new TypeError('boom');
  };
  const client = await connect();
  create(client.ws);
  const [frame] = await client.waitFrames(1);
  expect(frame).toMatchObject({ type: 'error', status: 500, error: { type: 'server_error', code: 'internal_error' } });
  expect(sessions[0].busy).toBe(false);
});

it('at shutdown closes an idle socket at once and a busy one after its response', async () => {
  const response = held([{ type: 'response.created' }]);
  start = response.starter;
  const idle = await connect();
  const busy = await connect();
  create(busy.ws);
  await busy.waitFrames(1);
  for (const session of sessions) session.drain();
  expect((await idle.closed).code).toBe(1001);
  response.release();
  expect((await busy.closed).code).toBe(1001);
  expect(busy.frames.map((f) => f.type)).toEqual(['response.created', 'response.completed']);
});

it("at shutdown's deadline ends the running response with an error frame, then closes", async () => {
  const response = held([{ type: 'response.created' }]);
  start = response.starter;
  const client = await connect();
  create(client.ws);
  await client.waitFrames(1);
  streams.stopAll();
  expect((await client.closed).code).toBe(1001);
  expect(client.frames[1]).toMatchObject({ type: 'error', status: 503, error: { code: 'gateway_shutting_down' } });
  expect(response.contexts[0].signal.aborted).toBe(true);
});
