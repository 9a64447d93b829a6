// CodexSocket and CodexWebSocketTransport against a real local WebSocket server: the instance's
// timeouts bound the handshake, the wait for a response's first frame and the silence between
// frames; a timed-out socket is closed and never handed out again; no timer outlives its
// response, however the response ended.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MetricsRegistry } from '../../metrics/metrics-registry';
import type { CallAffinity } from '../../contract/provider-executor';
import { UpstreamError } from '../../upstream/upstream-error';
import type { RawCodexEvent } from './codex-event-stream';
import { CodexSocket } from './codex-socket';
import { CodexWsMetrics } from './codex-ws.metrics';
import { CodexWebSocketTransport, type CodexWsRequest } from './codex-ws.transport';

/** What the server does with each `response.create`: `connection` counts from 1. */
type Answer = (ws: WebSocket, body: Record<string, unknown>, connection: number) => void;

const created = { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } };
const delta = (text: string) => ({ type: 'response.output_text.delta', delta: text });
const completed = { type: 'response.completed', response: { id: 'resp_1', status: 'completed' } };
const send = (ws: WebSocket, ...frames: object[]) => frames.forEach((frame) => ws.send(JSON.stringify(frame)));

/**
 * Watches the timers armed with one of `delays` (values no other code here uses): `pending()`
 * lists those neither cleared nor fired — timers that would keep the process alive.
 */
function watchTimers(...delays: number[]): { pending(): NodeJS.Timeout[] } {
  const armed: NodeJS.Timeout[] = [];
  const setSpy = jest.spyOn(global, 'setTimeout');
  const clearSpy = jest.spyOn(global, 'clearTimeout');
  afterThisTest.push(() => {
    setSpy.mockRestore();
    clearSpy.mockRestore();
  });
  return {
    pending() {
      setSpy.mock.calls.forEach(([, delay], i) => {
        const timer = setSpy.mock.results[i].value as NodeJS.Timeout;
        if (delays.includes(delay as number) && !armed.includes(timer)) armed.push(timer);
      });
      const cleared = new Set(clearSpy.mock.calls.map(([timer]) => timer));
      return armed.filter((timer) => !cleared.has(timer));
    },
  };
}
const afterThisTest: Array<() => void> = [];
afterEach(() => afterThisTest.splice(0).forEach((undo) => undo()));

let wss: WebSocketServer;
let url: string;
let answer: Answer;
let connections: number;
const serverSockets = new Set<WebSocket>();

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/responses`;
  wss.on('connection', (ws) => {
    const connection = ++connections;
    serverSockets.add(ws);
    ws.on('close', () => serverSockets.delete(ws));
    ws.on('message', (data) => answer(ws, JSON.parse(data.toString()) as Record<string, unknown>, connection));
  });
});

afterAll(async () => {
  for (const ws of serverSockets) ws.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

beforeEach(() => {
  connections = 0;
  answer = (ws) => send(ws, created, delta('hi'), completed);
});

const connect = (connectMs?: number) => CodexSocket.connect({ instance: 'codex-ws', url, headers: {}, connectMs });

async function read(frames: AsyncIterable<RawCodexEvent>): Promise<{ types: string[]; error?: UpstreamError; ms: number }> {
  const started = Date.now();
  const types: string[] = [];
  try {
    for await (const frame of frames) types.push(frame.json.type as string);
    return { types, ms: Date.now() - started };
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return { types, error: error as UpstreamError, ms: Date.now() - started };
  }
}

/** Waits (up to 10 s) for the server to see every socket close. */
async function serverSocketsClosed(): Promise<void> {
  const until = Date.now() + 10_000;
  while (serverSockets.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(serverSockets.size).toBe(0);
}

describe('CodexSocket timeouts', () => {
  afterEach(() => {
    for (const ws of serverSockets) ws.terminate();
  });

  it('gives up on a handshake that outlasts connectMs, as a timeout', async () => {
    // Accepts the TCP connection and never answers the upgrade.
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const started = Date.now();
      const error = await CodexSocket.connect({ instance: 'codex-ws', url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`, headers: {}, connectMs: 150 }).catch((e) => e);
      // Without the bound the handshake would wait for ever (the test's own 30 s timeout).
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error).toBeInstanceOf(UpstreamError);
      expect([error.failure, error.upstreamCode, error.message]).toEqual([
        'timeout',
        'websocket_connect_timeout',
        'upstream codex-ws did not accept a websocket connection within the timeout (150 ms)',
      ]);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('clears the handshake timer once the socket is open', async () => {
    const timers = watchTimers(60_003);
    const socket = await connect(60_003);
    expect(socket.open).toBe(true);
    expect(timers.pending()).toEqual([]);
    socket.close();
  });

  it('answers a request the upstream never starts answering with a first-byte timeout, and closes the socket', async () => {
    answer = () => undefined;
    const socket = await connect();
    const result = await read(socket.request({ model: 'm' }, new AbortController().signal, { firstByteMs: 150, idleMs: 5000 }));
    expect(result.types).toEqual([]);
    expect([result.error?.failure, result.error?.message]).toEqual(['timeout', 'upstream codex-ws did not start answering within the timeout (150 ms)']);
    expect(result.ms).toBeGreaterThanOrEqual(140);
    expect(result.ms).toBeLessThan(4000); // not the 5 s idle wait
    expect(socket.open).toBe(false);
    await serverSocketsClosed();
  });

  it('yields the frames that came before the upstream went silent, then an idle timeout', async () => {
    answer = (ws) => send(ws, created, delta('one'), delta('two'));
    const socket = await connect();
    // A long first-byte wait and a short idle one: the error must come from the idle one.
    const result = await read(socket.request({ model: 'm' }, new AbortController().signal, { firstByteMs: 5000, idleMs: 150 }));
    expect(result.types).toEqual(['response.created', 'response.output_text.delta', 'response.output_text.delta']);
    expect([result.error?.failure, result.error?.message]).toEqual(['timeout', 'upstream codex-ws went silent mid-response for longer than the timeout (150 ms)']);
    expect(result.ms).toBeLessThan(4000); // not the 5 s first-byte wait
    expect(socket.open).toBe(false);
    await serverSocketsClosed();
  });

  it('lets the first frame take up to firstByteMs and each later one up to idleMs', async () => {
    // First frame after 350 ms (> idleMs), then one every 50 ms (< idleMs, total > firstByteMs).
    // Wide margins: on a busy machine a timer fires late, before the frame that is due is read.
    answer = (ws) => {
      const frames = [created, delta('a'), delta('b'), delta('c'), delta('d'), delta('e'), delta('f'), delta('g'), completed];
      const tick = (i: number) => {
        send(ws, frames[i]);
        if (i + 1 < frames.length) setTimeout(tick, 50, i + 1);
      };
      setTimeout(tick, 350, 0);
    };
    const socket = await connect();
    const result = await read(socket.request({ model: 'm' }, new AbortController().signal, { firstByteMs: 600, idleMs: 300 }));
    expect(result.error).toBeUndefined();
    expect(result.types).toHaveLength(9);
    expect(result.ms).toBeGreaterThan(600);
    expect(socket.open).toBe(true);
    socket.close();
  });

  it('leaves no timer running after a finished response, and the socket serves the next one', async () => {
    const socket = await connect();
    // The response timers on a fake clock: a slow machine cannot time a response out, and
    // advancing past both waits fires any timer left behind.
    jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'] });
    const timers = watchTimers(101, 102);
    afterThisTest.push(() => jest.useRealTimers()); // after watchTimers' own undo, which puts the fake back
    const timeouts = { firstByteMs: 101, idleMs: 102 };
    expect((await read(socket.request({ model: 'm' }, new AbortController().signal, timeouts))).types).toEqual([
      'response.created',
      'response.output_text.delta',
      'response.completed',
    ]);
    expect(timers.pending()).toEqual([]);
    // Longer than both waits: a forgotten timer would close the socket now.
    jest.advanceTimersByTime(250);
    expect(socket.open).toBe(true);
    expect((await read(socket.request({ model: 'm' }, new AbortController().signal, timeouts))).error).toBeUndefined();
    socket.close();
  });

  it('clears the timer when the reader stops early or the request is cancelled', async () => {
    answer = (ws) => send(ws, created);
    const early = await connect();
    const timers = watchTimers(60_001, 60_002);
    const timeouts = { firstByteMs: 60_001, idleMs: 60_002 };
    for await (const _ of early.request({ model: 'm' }, new AbortController().signal, timeouts)) break;
    expect(timers.pending()).toEqual([]);
    early.close();

    answer = () => undefined;
    const cancelled = await connect();
    const controller = new AbortController();
    const reading = read(cancelled.request({ model: 'm' }, controller.signal, timeouts));
    setImmediate(() => controller.abort());
    const result = await reading;
    expect(result.error?.failure).toBe('aborted');
    expect(timers.pending()).toEqual([]);
  });
});

describe('CodexWebSocketTransport after a timeout', () => {
  let transport: CodexWebSocketTransport;
  beforeEach(() => (transport = new CodexWebSocketTransport()));
  afterEach(async () => {
    transport.onApplicationShutdown();
    await serverSocketsClosed();
  });

  const request = (body: Record<string, unknown>): CodexWsRequest => ({
    instance: 'codex-ws',
    accountId: 'acc',
    accessToken: 'token',
    url,
    headers: {},
    body,
    signal: new AbortController().signal,
    timeouts: { firstByteMs: 150, idleMs: 150 },
    poolSize: 1,
  });

  it('never hands the timed-out socket out again: the next request gets a fresh one', async () => {
    // The first connection's first response is silent, and its late answer would be a
    // response.completed the next request must never see.
    answer = (ws, body, connection) => {
      if (connection === 1 && body.input === 'first') setTimeout(() => ws.readyState === ws.OPEN && send(ws, created, completed), 400);
      else send(ws, created, delta(`re: ${String(body.input)}`), completed);
    };
    const first = await read(await transport.open(request({ input: 'first' })));
    expect(first.error?.message).toMatch(/did not start answering within the timeout/);

    const frames: RawCodexEvent[] = [];
    // Its answer is prompt; waits a busy machine cannot outlast keep it from timing out.
    const second = { ...request({ input: 'second' }), timeouts: { firstByteMs: 10_000, idleMs: 10_000 } };
    for await (const frame of await transport.open(second)) frames.push(frame);
    expect(frames.map((f) => f.json.delta).filter(Boolean)).toEqual(['re: second']);
    expect(connections).toBe(2);
    expect([...transport.pool.opened.values()]).toEqual([2]);
  });
});

describe('CodexWebSocketTransport metrics', () => {
  let metrics: MetricsRegistry;
  let transport: CodexWebSocketTransport;
  beforeEach(() => {
    metrics = new MetricsRegistry();
    transport = new CodexWebSocketTransport(new CodexWsMetrics(metrics));
  });
  afterEach(async () => {
    transport.onApplicationShutdown();
    await serverSocketsClosed();
  });

  const request = (instance: string, affinity?: CallAffinity): CodexWsRequest => ({
    instance,
    accountId: 'acc',
    accessToken: 'token',
    url,
    headers: {},
    body: { input: 'x' },
    signal: new AbortController().signal,
    // No timeout is under test here: waits a busy machine cannot outlast, so no socket is lost to one.
    timeouts: { firstByteMs: 10_000, idleMs: 10_000 },
    poolSize: 2,
    affinity,
  });
  /** The metric's value for the instance (0 when it has none). */
  const value = async (name: string, instance: string) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.provider_instance === instance)?.value ?? 0;
  const counts = async (instance: string) => ({
    open: await value('byokey_codex_ws_open', instance),
    opened: await value('byokey_codex_ws_opened_total', instance),
    reused: await value('byokey_codex_ws_reused_total', instance),
  });
  /** Waits (up to 10 s) for our side to see its sockets of `instance` close. */
  async function allClosed(instance: string): Promise<void> {
    const until = Date.now() + 10_000;
    while ((await value('byokey_codex_ws_open', instance)) > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it('counts pooled sockets opened, reused and open now, by instance', async () => {
    await read(await transport.open(request('codex-a')));
    expect(await counts('codex-a')).toEqual({ open: 1, opened: 1, reused: 0 });
    await read(await transport.open(request('codex-a')));
    await read(await transport.open(request('codex-a')));
    expect(await counts('codex-a')).toEqual({ open: 1, opened: 1, reused: 2 });

    // Two at once: the second needs a socket of its own.
    await Promise.all([read(await transport.open(request('codex-a'))), read(await transport.open(request('codex-a')))]);
    await read(await transport.open(request('codex-b')));
    expect(await counts('codex-a')).toEqual({ open: 2, opened: 2, reused: 3 });
    expect(await counts('codex-b')).toEqual({ open: 1, opened: 1, reused: 0 });

    transport.onApplicationShutdown();
    await allClosed('codex-a');
    await allClosed('codex-b');
    expect(await counts('codex-a')).toEqual({ open: 0, opened: 2, reused: 3 });
    expect(await counts('codex-b')).toEqual({ open: 0, opened: 1, reused: 0 });
  });

  it('takes a socket the upstream closed off the open gauge', async () => {
    answer = (ws) => ws.terminate();
    const result = await read(await transport.open(request('codex-a')));
    expect(result.error).toBeDefined();
    await allClosed('codex-a');
    expect(await counts('codex-a')).toEqual({ open: 0, opened: 1, reused: 0 });
  });

  it("counts a client WebSocket's own socket, reused for its next request and closed when the client leaves", async () => {
    const ends: Array<() => void> = [];
    const affinity: CallAffinity = { ended: false, onEnd: (listener) => ends.push(listener) };
    await read(await transport.open(request('codex-a', affinity)));
    await read(await transport.open(request('codex-a', affinity)));
    expect(await counts('codex-a')).toEqual({ open: 1, opened: 1, reused: 1 });
    ends.forEach((end) => end());
    await allClosed('codex-a');
    expect(await counts('codex-a')).toEqual({ open: 0, opened: 1, reused: 1 });
  });
});
