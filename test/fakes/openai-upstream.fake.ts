// A fake OpenAI-compatible upstream (POST /v1/chat/completions, POST /v1/embeddings, GET
// /v1/models) that speaks the wire format of reference/wire-protocols.md §4.1: JSON completions,
// SSE chunks with no `event:` lines, `usage: null` on every chunk and a usage chunk before
// `data: [DONE]` when asked, errors as {"error":{message,type,param,code}}; embeddings as OpenAI
// answers them (floats, or little-endian float32s in base64 when asked). Tests script it per
// request and read what it received.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sendJson, sleep, sseFrame, writeFlushed } from './fake-upstream-base';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The body's bytes as they came, decoded. */
  text: string;
}

/** How the fake answers one request. Without a script it answers like OpenAI would. */
export type Scenario =
  | { kind: 'default' }
  | { kind: 'json'; status?: number; body?: unknown; rawBody?: string; headers?: Record<string, string> }
  | { kind: 'error'; status: number; body?: unknown; rawBody?: string; headers?: Record<string, string> }
  | {
      kind: 'stream';
      /** Chunk objects (sent as `data: JSON`) or raw frames (strings, sent verbatim). */
      events?: Array<object | string>;
      /** Send `data: [DONE]` at the end (default true). */
      done?: boolean;
      /** Pause between events. */
      delayMs?: number;
      /** Pause after the headers, before the first event (a model thinking in silence). */
      initialDelayMs?: number;
      /** Destroy the socket after this many events. */
      dropAfter?: number;
      /** Stop writing (but keep the connection open) after this many events. */
      hangAfter?: number;
    }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Close the connection without answering. */
  | { kind: 'destroy' };

/** One entry of OpenAI's model list (`GET /v1/models`). */
export interface FakeModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export class FakeOpenAIUpstream extends FakeUpstreamBase<Scenario> {
  /** Chat requests (and anything else but the model list). */
  readonly requests: ReceivedRequest[] = [];
  /** `GET /v1/models` requests, kept apart so a gateway fetching its list does not shift `requests`. */
  readonly modelListRequests: ReceivedRequest[] = [];
  /** What `GET /v1/models` lists. */
  listedModels: FakeModel[] = [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }];
  /** Responses whose connection closed before they finished (the gateway hung up). */
  abortedResponses = 0;
  /** Requests answered to completion. */
  finishedResponses = 0;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Decides the answer from the request body when no scripted scenario is queued (a scripted agent). */
  responder?: (body: any) => Scenario | undefined;
  /** The API root, as a `base_url` in providers.yaml: `http://127.0.0.1:PORT/v1`. */
  get url(): string {
    return `${this.origin}/v1`;
  }

  protected override startedUrl(): string {
    return this.url;
  }

  get lastRequest(): ReceivedRequest {
    const last = this.requests[this.requests.length - 1];
    if (!last) throw new Error('the fake upstream received no request');
    return last;
  }

  /**
   * Resolves once `count` responses in all have been closed before they finished (the gateway
   * hung up); pass `abortedResponses + 1` read before the request to wait for its abort.
   */
  waitForAborts(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.abortedResponses >= count, () => `${count} aborted upstream responses, saw ${this.abortedResponses}`, timeoutMs);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // kept as text; the gateway should never send that
    }
    const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, text };
    const listing = req.method === 'GET' && req.url === '/v1/models';
    (listing ? this.modelListRequests : this.requests).push(received);
    res.on('close', () => {
      if (listing) return;
      if (res.writableFinished) {
        this.finishedResponses++;
        return;
      }
      this.abortedResponses++;
      this.notify();
    });

    if (this.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.apiKey}`) {
      // OpenAI quotes the key it got, masked: its first 8 and last 4 characters.
      const got = /^Bearer\s+(\S+)/.exec(req.headers.authorization ?? '')?.[1];
      return sendJson(res, 401, {
        error: {
          message: got
            ? `Incorrect API key provided: ${maskKey(got)}. You can find your API key at https://platform.openai.com/account/api-keys.`
            : 'You didn\'t provide an API key.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
    }
    if (listing) return sendJson(res, 200, { object: 'list', data: this.listedModels });
    const embedding = req.method === 'POST' && req.url === '/v1/embeddings';
    if (req.method !== 'POST' || (req.url !== '/v1/chat/completions' && !embedding)) {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error', param: null, code: null } });
    }

    const scenario = this.scripted.shift() ?? this.responder?.(body) ?? { kind: 'default' };
    switch (scenario.kind) {
      case 'default':
        if (embedding) return sendJson(res, 200, defaultEmbeddings(body));
        return body?.stream ? this.stream(res, defaultChunks(body), {}) : sendJson(res, 200, defaultCompletion(body));
      case 'json':
        if (scenario.rawBody !== undefined) {
          res.writeHead(scenario.status ?? 200, { 'content-type': 'application/json', ...scenario.headers });
          res.end(scenario.rawBody);
          return;
        }
        return sendJson(res, scenario.status ?? 200, scenario.body, scenario.headers);
      case 'error':
        res.writeHead(scenario.status, { 'content-type': scenario.rawBody ? 'text/plain' : 'application/json', ...scenario.headers });
        res.end(scenario.rawBody ?? JSON.stringify(scenario.body ?? { error: { message: 'fake failure', type: 'server_error', param: null, code: null } }));
        return;
      case 'stream':
        return this.stream(res, scenario.events ?? defaultChunks(body), scenario);
      case 'hang':
        return;
      case 'destroy':
        req.socket.destroy();
        return;
    }
  }

  private async stream(
    res: ServerResponse,
    events: Array<object | string>,
    options: { done?: boolean; delayMs?: number; initialDelayMs?: number; dropAfter?: number; hangAfter?: number },
  ): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (options.initialDelayMs) await sleep(options.initialDelayMs);
    for (let i = 0; i < events.length; i++) {
      if (options.dropAfter === i) {
        res.socket?.destroy();
        return;
      }
      if (options.hangAfter === i) return;
      if (res.destroyed) return;
      const event = events[i];
      // Wait until the bytes are on the socket, so a later drop cannot swallow them.
      await writeFlushed(res, typeof event === 'string' ? event : sseFrame(event));
      if (options.delayMs) await sleep(options.delayMs);
    }
    if (options.dropAfter === events.length) {
      res.socket?.destroy();
      return;
    }
    if (options.hangAfter === events.length) return;
    if (options.done !== false) res.write('data: [DONE]\n\n');
    res.end();
  }
}

/** The reply OpenAI would give: echoes the last user message. */
export function replyText(body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const content = typeof last?.content === 'string' ? last.content : 'your message';
  return `You said: ${content}`;
}

const CREATED = 1767225600;

export function defaultCompletion(body: any): object {
  const usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };
  if (Array.isArray(body?.tools) && body.tools.length > 0) {
    return {
      id: 'chatcmpl-fake1', object: 'chat.completion', created: CREATED, model: body.model, system_fingerprint: null,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_Q1xY9z', type: 'function', function: { name: body.tools[0].function.name, arguments: '{"command":["ls","-la"]}' } }] },
        finish_reason: 'tool_calls', logprobs: null,
      }],
      usage,
    };
  }
  return {
    id: 'chatcmpl-fake1', object: 'chat.completion', created: CREATED, model: body?.model, system_fingerprint: null,
    choices: [{ index: 0, message: { role: 'assistant', content: replyText(body), refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage,
  };
}

/** A stream as OpenAI sends it: role chunk, content pieces, finish chunk, usage chunk if asked. */
export function defaultChunks(body: any): object[] {
  const includeUsage = body?.stream_options?.include_usage === true;
  const base = { id: 'chatcmpl-fake2', object: 'chat.completion.chunk', created: CREATED, model: body?.model, system_fingerprint: null };
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...usageField,
  });
  const chunks: object[] = [];
  if (Array.isArray(body?.tools) && body.tools.length > 0) {
    const name = body.tools[0].function.name;
    chunks.push(chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_Q1xY9z', type: 'function', function: { name, arguments: '' } }] }));
    for (const piece of ['{"command":', '["ls",', '"-la"]}']) chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    chunks.push(chunk({}, 'tool_calls'));
  } else {
    chunks.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const word of replyText(body).split(/(?<= )/)) chunks.push(chunk({ content: word }));
    chunks.push(chunk({}, 'stop'));
  }
  if (includeUsage) {
    chunks.push({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } });
  }
  return chunks;
}

/** How many numbers the fake's embeddings have unless `dimensions` asks for fewer. */
export const FAKE_EMBEDDING_DIMENSIONS = 8;

/**
 * The embedding the fake gives an input (a text or a token array): the same input always gets
 * the same vector, and different inputs different ones. Exported so tests know what to expect.
 */
export function fakeEmbedding(input: string | number[], dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const text = typeof input === 'string' ? input : input.join(',');
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  const vector: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (i + 1), 2654435761) >>> 0;
    // Float32-exact values, so a base64 round trip gives the very same numbers.
    vector.push(Math.fround((seed % 2000) / 1000 - 1));
  }
  return vector;
}

/** OpenAI's answer to POST /v1/embeddings: one embedding per input, in order, and the tokens read. */
function defaultEmbeddings(body: any): object {
  const raw = body?.input;
  // One text or one token array is one input; an array of texts or of token arrays, several.
  const inputs: Array<string | number[]> = typeof raw === 'string' || typeof raw?.[0] === 'number' ? [raw] : raw;
  const base64 = body?.encoding_format === 'base64';
  const tokens = inputs.reduce((sum, input) => sum + (typeof input === 'string' ? Math.max(1, Math.ceil(input.length / 4)) : input.length), 0);
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = fakeEmbedding(input, body?.dimensions);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    }),
    model: body?.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** A key as OpenAI shows it in a 401: `sk-proj-************************wxyz`. */
export function maskKey(key: string): string {
  return key.length <= 12 ? '*'.repeat(key.length) : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}
