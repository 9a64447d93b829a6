// The benchmark's upstream: one lean node:http server that answers OpenAI chat (JSON or a
// 20-chunk SSE stream), the Codex backend's Responses SSE and Anthropic's Messages SSE, from
// frames built once at start. Run as a child process (bench/processes.ts forks it); it posts its
// URL back over IPC.
//
// Why not test/fakes/: those record every request they get (an array that grows without end —
// it would show up as a leak in the soak and in the fake's own CPU), validate bodies the way the
// real backends do, and build each answer per request from the request's content. All right for
// tests; here the fake is the ceiling every target is measured against, so it must cost as
// little as possible, and the same for every target.
//
// Paths:
//   POST /v1/chat/completions            JSON completion, or SSE when the body has "stream":true
//   POST /slow/v1/chat/completions       SSE, one chunk every --slow-interval-ms, --slow-chunks of them
//   POST /backend-api/codex/responses    Responses SSE (`event:` lines, no [DONE])
//   POST /v1/messages                    Anthropic Messages SSE, or one Message as JSON
//   POST /v1beta/models/gemini-2.5-flash:generateContent   one Gemini GenerateContentResponse
//   GET  /v1beta/models?pageSize=1000    the Gemini model list (read when byokey starts)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '20' },
    'slow-interval-ms': { type: 'string', default: '1000' },
    'slow-chunks': { type: 'string', default: '30' },
  },
});
const CHUNKS = Number(values.chunks);
const SLOW_INTERVAL_MS = Number(values['slow-interval-ms']);
const SLOW_CHUNKS = Number(values['slow-chunks']);
const CREATED = 1_760_000_000;
const WORDS = 'The quick brown fox jumps over the lazy dog while the gateway forwards every token it is given'.split(' ');
const word = (i: number) => `${WORDS[i % WORDS.length]} `;

// ------------------------------------------------------------------ OpenAI chat

const chatUsage = { prompt_tokens: 64, completion_tokens: CHUNKS, total_tokens: 64 + CHUNKS, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };
const CHAT_JSON = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: 'bench-model',
    system_fingerprint: null,
    choices: [{ index: 0, message: { role: 'assistant', content: Array.from({ length: CHUNKS }, (_, i) => word(i)).join(''), refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: chatUsage,
  }),
);

function chatChunk(delta: object, finish: string | null = null): string {
  const chunk = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: 'bench-model', system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** CHUNKS data events in all: the role chunk, CHUNKS-2 content pieces, the finish chunk; then [DONE]. */
function chatFrames(count: number): string[] {
  const frames = [chatChunk({ role: 'assistant', content: '', refusal: null })];
  for (let i = 0; i < Math.max(0, count - 2); i++) frames.push(chatChunk({ content: word(i) }));
  frames.push(chatChunk({}, 'stop'));
  frames.push('data: [DONE]\n\n');
  return frames;
}
const CHAT_FRAMES = chatFrames(CHUNKS);
const SLOW_FRAMES = chatFrames(SLOW_CHUNKS);

// ------------------------------------------------------------------ Codex Responses

function responsesFrames(count: number): string[] {
  const base = { id: 'resp_bench', object: 'response', created_at: CREATED, status: 'in_progress', model: 'gpt-5.1-codex', output: [], usage: null };
  const text = Array.from({ length: count }, (_, i) => word(i)).join('');
  const part = (t: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: t });
  const item = { id: 'msg_bench', type: 'message', status: 'completed', role: 'assistant', content: [part(text)] };
  const events: Array<Record<string, unknown>> = [
    { type: 'response.created', response: base },
    { type: 'response.in_progress', response: base },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', item_id: 'msg_bench', output_index: 0, content_index: 0, part: part('') },
  ];
  for (let i = 0; i < count; i++) {
    events.push({ type: 'response.output_text.delta', item_id: 'msg_bench', output_index: 0, content_index: 0, delta: word(i), logprobs: [] });
  }
  events.push(
    { type: 'response.output_text.done', item_id: 'msg_bench', output_index: 0, content_index: 0, text, logprobs: [] },
    { type: 'response.content_part.done', item_id: 'msg_bench', output_index: 0, content_index: 0, part: part(text) },
    { type: 'response.output_item.done', output_index: 0, item },
    {
      type: 'response.completed',
      response: { ...base, status: 'completed', output: [item], usage: { input_tokens: 64, input_tokens_details: { cached_tokens: 0 }, output_tokens: count, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 64 + count } },
    },
  );
  return events.map(({ type, ...rest }, i) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: i, ...rest })}\n\n`);
}
const RESPONSES_FRAMES = responsesFrames(CHUNKS);

// ------------------------------------------------------------------ Anthropic Messages

const message = { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', stop_sequence: null };
const messagesUsage = { input_tokens: 64, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: CHUNKS };
const MESSAGES_JSON = Buffer.from(
  JSON.stringify({ ...message, content: [{ type: 'text', text: Array.from({ length: CHUNKS }, (_, i) => word(i)).join('') }], stop_reason: 'end_turn', usage: messagesUsage }),
);
function messagesFrames(count: number): string[] {
  const events: Array<Record<string, unknown>> = [
    { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...messagesUsage, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
  ];
  for (let i = 0; i < count; i++) events.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word(i) } });
  events.push(
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: count } },
    { type: 'message_stop' },
  );
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}
const MESSAGES_FRAMES = messagesFrames(CHUNKS);

// ------------------------------------------------------------------ Gemini

const GEMINI_JSON = Buffer.from(
  JSON.stringify({
    candidates: [{ content: { role: 'model', parts: [{ text: Array.from({ length: CHUNKS }, (_, i) => word(i)).join('') }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 64, candidatesTokenCount: CHUNKS, totalTokenCount: 64 + CHUNKS },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'gemini-bench',
  }),
);
const GEMINI_MODELS = Buffer.from(JSON.stringify({ models: [{ name: 'models/gemini-2.5-flash', supportedGenerationMethods: ['generateContent', 'countTokens'] }] }));

// ------------------------------------------------------------------ server

const SSE_HEAD = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function sendJson(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

/** Each event is its own write, as a real upstream flushes each token. */
function sendFrames(res: ServerResponse, frames: readonly string[]): void {
  res.writeHead(200, SSE_HEAD);
  for (const frame of frames) res.write(frame);
  res.end();
}

function sendSlowly(res: ServerResponse, frames: readonly string[]): void {
  res.writeHead(200, SSE_HEAD);
  res.write(frames[0]);
  let next = 1;
  const timer = setInterval(() => {
    res.write(frames[next++]);
    // The finish chunk is followed at once by [DONE] and the end.
    if (next === frames.length - 1) {
      clearInterval(timer);
      res.end(frames[next]);
    }
  }, SLOW_INTERVAL_MS);
  res.on('close', () => clearInterval(timer));
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const stream = body.includes('"stream":true');
  switch (req.url) {
    case '/v1/chat/completions':
      return stream ? sendFrames(res, CHAT_FRAMES) : sendJson(res, CHAT_JSON);
    case '/slow/v1/chat/completions':
      return sendSlowly(res, SLOW_FRAMES);
    case '/backend-api/codex/responses':
      return sendFrames(res, RESPONSES_FRAMES);
    case '/v1/messages':
    case '/v1/messages?beta=true':
      return stream ? sendFrames(res, MESSAGES_FRAMES) : sendJson(res, MESSAGES_JSON);
    case '/v1beta/models/gemini-2.5-flash:generateContent':
      return sendJson(res, GEMINI_JSON);
    case '/v1beta/models?pageSize=1000':
      return sendJson(res, GEMINI_MODELS);
    default:
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error', param: null, code: null } }));
  }
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => handle(req, res, body));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
// A normal exit, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
