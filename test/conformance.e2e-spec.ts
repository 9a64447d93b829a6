// The protocol conformance matrix (issue 16 item 7): every cell of test/conformance/cells.ts —
// client SDK route × upstream kind × stream mode × scenario — against the real gateway, one app
// per upstream kind, the fake scripted per cell. A cell checks what a user sees (the text the
// fake sent, tool names and arguments, usage numbers, reasoning where the client protocol has a
// place for it, the SDK's error) and what the upstream received in its own dialect. Cells marked
// `pending` run as `test.failing`: they pass only while byokey still fails them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { RequestRouter } from '../src/routing/request-router.service';
import { CELLS, UPSTREAMS, cellName, renderMatrix, type Cell } from './conformance/cells';
import { ChatClient, GeminiClient, MessagesClient, ResponsesClient, type Ask, type ClientDriver } from './conformance/clients';
import { USAGE, harnessFor, type ToolCall, type UpstreamHarness } from './conformance/upstreams';
import { startGateway, type RunningGateway } from './support/gateway';

const TEXT = 'The quick brown fox jumps.';
const REASONING = 'Foxes are quick, so I will say so.';
const FINAL = 'Paris is sunny at 14:05.';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const IMAGE = `data:image/png;base64,${PNG}`;
/** Two calls in one answer: every fake can send parallel calls. */
const CALLS: readonly ToolCall[] = [
  { id: 'call_weather_1', name: 'get_weather', args: { city: 'Paris' } },
  { id: 'call_time_2', name: 'get_time', args: { zone: 'CET' } },
];
const OUTPUTS = ['sunny, 21C', '14:05'];

async function runCell(cell: Cell, client: ClientDriver, upstream: UpstreamHarness): Promise<void> {
  const { model } = upstream;
  const ask = (question: Ask) => client.ask(model, cell.mode, question);
  const failure = (question: Ask) => ask(question).then(
    () => {
      throw new Error('the SDK reported success');
    },
    (error: unknown) => error as Error & { status?: number },
  );
  switch (cell.scenario) {
    case 'text': {
      upstream.plan({ kind: 'text', text: TEXT });
      const reply = await ask({ user: 'Say something about foxes.' });
      expect(reply.text).toBe(TEXT);
      expect(reply.toolCalls).toEqual([]);
      expect(reply.usage).toEqual(USAGE);
      expect(upstream.userText(upstream.lastBody())).toBe('Say something about foxes.');
      return;
    }
    case 'tools': {
      upstream.plan({ kind: 'tools', calls: CALLS }, { kind: 'text', text: FINAL });
      const question: Ask = { user: 'Weather and time in Paris?', tools: true };
      const first = await ask(question);
      expect(first.toolCalls.map(({ name, args }) => ({ name, args }))).toEqual(CALLS.map(({ name, args }) => ({ name, args })));
      expect(first.usage).toEqual(USAGE);
      expect(upstream.toolNames(upstream.lastBody())).toEqual(['get_weather', 'get_time']);
      const results = first.toolCalls.map((call, i) => ({ id: call.id, output: OUTPUTS[i] }));
      const second = await client.answerTools(model, cell.mode, question, first, results);
      expect(second.text).toBe(FINAL);
      // Each result reaches the upstream under the id the upstream gave its call.
      expect(upstream.toolResults(upstream.lastBody())).toEqual(CALLS.map((call, i) => ({ id: call.id, output: OUTPUTS[i] })));
      return;
    }
    case 'reasoning': {
      upstream.plan({ kind: 'text', text: TEXT, reasoning: REASONING });
      const reply = await ask({ user: 'Think, then talk about foxes.', reasoning: true });
      expect(upstream.reasoning(upstream.lastBody())).toBe(upstream.reasoningAsked);
      expect(reply.text).toBe(TEXT);
      expect(reply.reasoning).toBe(REASONING);
      return;
    }
    case 'image': {
      upstream.plan({ kind: 'text', text: TEXT });
      const reply = await ask({ user: 'What is in this picture?', image: IMAGE });
      expect(reply.text).toBe(TEXT);
      const body = upstream.lastBody();
      expect(upstream.image(body)).toBe(IMAGE);
      expect(upstream.userText(body)).toBe('What is in this picture?');
      return;
    }
    case 'error-before': {
      upstream.plan({ kind: 'fail-before' });
      const before = upstream.requestCount();
      const error = await failure({ user: 'hello' });
      expect(error).toBeInstanceOf(client.apiError);
      expect(error.status).toBe(429);
      expect(client.errorType(error)).toEqual(expect.any(String));
      expect(upstream.requestCount()).toBeGreaterThan(before);
      return;
    }
    case 'error-mid': {
      upstream.plan({ kind: 'fail-mid', text: 'Half' });
      const before = upstream.requestCount();
      const error = await failure({ user: 'hello' });
      expect(error).toBeInstanceOf(client.apiError);
      expect(upstream.requestCount()).toBeGreaterThan(before);
      expect(error.message).not.toBe('');
      // A whole answer that broke is a gateway error; a stream's error event carries no status.
      if (cell.mode === 'non-stream') expect(error.status).toBeGreaterThanOrEqual(500);
      return;
    }
  }
}

describe.each(UPSTREAMS)('conformance against a %s upstream', (kind) => {
  const upstream = harnessFor(kind);
  let home: string;
  let gateway: RunningGateway;
  const clients: Record<Cell['client'], ClientDriver> = {} as Record<Cell['client'], ClientDriver>;

  beforeAll(async () => {
    await upstream.start();
    home = mkdtempSync(join(tmpdir(), `byokey-conformance-${kind}-`));
    await upstream.seed(home);
    gateway = await startGateway(`providers:${upstream.providersYaml()}\n`, { home });
    clients.chat = new ChatClient(gateway.openai);
    clients.responses = new ResponsesClient(gateway.openai);
    clients.messages = new MessagesClient(new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 }));
    clients.gemini = new GeminiClient(new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: gateway.url } }));
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream.stop();
    rmSync(home, { recursive: true, force: true });
  });

  afterEach(() => {
    upstream.reset();
    // A scripted 429 rests the only credential; the next cell starts with it ready.
    gateway.app.get(RequestRouter).states.clearAllCooldowns();
  });

  for (const cell of CELLS.filter((c) => c.upstream === kind)) {
    const run = () => runCell(cell, clients[cell.client], upstream);
    if (cell.pending) test.failing(`${cellName(cell)} (pending: ${cell.pending})`, run);
    else test(cellName(cell), run);
  }
});

test('README.md shows the matrix as cells.ts has it', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  expect(readme).toContain(renderMatrix());
});
