// A fake Generative Language API (reference/wire-protocols.md §6.3, §6.4): GET /v1beta/models
// (paged with pageSize/pageToken, entries `{name:"models/…", supportedGenerationMethods,…}`),
// POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse and :countTokens.
// Every call must carry `x-goog-api-key` with a key the fake knows (else Google's 400
// API_KEY_INVALID). Streams are bare `data:` events with no terminator; the last chunk carries
// the finishReason and usageMetadata; thoughts come as `thought: true` parts, a function call
// with a thoughtSignature that must come back on the call in the next turn. Errors are
// google.rpc.Status bodies; a quota error carries RetryInfo. Tests script answers per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sendJson, writeFlushed } from './fake-upstream-base';

/** Usage of every answer: 7 output tokens in all (5 of them thoughts when the answer thinks). */
export const GEMINI_FAKE_USAGE = { promptTokenCount: 11, candidatesTokenCount: 7, totalTokenCount: 18 };
export const GEMINI_FAKE_THINKING_USAGE = { promptTokenCount: 11, candidatesTokenCount: 2, thoughtsTokenCount: 5, totalTokenCount: 18 };
export const GEMINI_FAKE_SIGNATURE = 'Cu0BAVSoXO5+sig/with+base64==';

export type GeminiScenario =
  | { kind: 'text'; text: string; thought?: string }
  | { kind: 'tools'; calls: Array<{ name: string; args: Record<string, unknown> }>; thought?: string }
  /** 429 RESOURCE_EXHAUSTED with RetryInfo. */
  | { kind: 'quota'; retryDelay: string }
  /** Some text, then an `{error}` chunk. */
  | { kind: 'fail-mid'; text: string }
  /** Some text, then EOF without a finishReason. */
  | { kind: 'cut'; text: string };

export interface GeminiReceived {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
  /** The body's bytes as received. */
  text: string;
}

export class FakeGeminiApi extends FakeUpstreamBase<GeminiScenario> {
  readonly requests: GeminiReceived[] = [];
  keys = new Set(['gemini-key-1']);
  listedModels = [
    { name: 'models/gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens'], thinking: true },
    { name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens'], thinking: true },
    { name: 'models/text-embedding-004', displayName: 'Text Embedding 004', supportedGenerationMethods: ['embedContent'] },
    { name: 'models/gemini-3-pro-preview', displayName: 'Gemini 3 Pro Preview', supportedGenerationMethods: ['generateContent', 'countTokens'] },
  ];
  /** Models per page when the caller names no pageSize (small, so paging is exercised). */
  defaultPageSize = 2;
  /** Picks each generation's answer before the script does (a test harness's own plan). */
  responder?: (body: any) => GeminiScenario | undefined;

  protected override get label(): string {
    return 'fake Gemini API';
  }

  /** The generation calls received (not the model lists). */
  get generations(): GeminiReceived[] {
    return this.requests.filter((r) => r.method === 'POST' && !r.path.endsWith(':countTokens'));
  }

  lastGeneration(): GeminiReceived {
    const last = this.generations.at(-1);
    if (!last) throw new Error('the fake Gemini API received no generation');
    return last;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = req.method === 'POST' ? await readBody(req) : '';
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return googleError(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, text });
    this.notify();
    const key = req.headers['x-goog-api-key'];
    if (typeof key !== 'string' || !this.keys.has(key)) {
      return googleError(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]);
    }
    if (req.method === 'GET' && url.pathname === '/v1beta/models') return this.listModels(url, res);
    const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) return googleError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
    const [, model, method] = match;
    if (!Array.isArray(body?.contents) && !Array.isArray(body?.generateContentRequest?.contents)) {
      return googleError(res, 400, 'INVALID_ARGUMENT', '* contents: required');
    }
    if (method === 'countTokens') return sendJson(res, 200, { totalTokens: 42 });
    const missing = missingSignature(body);
    if (missing) return googleError(res, 400, 'INVALID_ARGUMENT', missing);
    const scenario = this.responder?.(body) ?? this.scripted.shift() ?? { kind: 'text', text: 'Hello from Gemini.' };
    if (scenario.kind === 'quota') {
      return googleError(res, 429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: scenario.retryDelay },
      ]);
    }
    if (method === 'generateContent') {
      // A whole answer that breaks: the connection drops before any byte.
      if (scenario.kind === 'fail-mid' || scenario.kind === 'cut') return void res.socket?.destroy();
      return this.whole(res, model, scenario);
    }
    if (url.searchParams.get('alt') !== 'sse') return googleError(res, 400, 'INVALID_ARGUMENT', 'the fake streams with alt=sse only');
    return this.stream(res, model, scenario);
  }

  private listModels(url: URL, res: ServerResponse): void {
    const size = Number(url.searchParams.get('pageSize')) || this.defaultPageSize;
    const start = Number(url.searchParams.get('pageToken') ?? '0') || 0;
    const page = this.listedModels.slice(start, start + Math.min(size, this.defaultPageSize));
    const next = start + page.length < this.listedModels.length ? String(start + page.length) : undefined;
    sendJson(res, 200, { models: page, ...(next ? { nextPageToken: next } : {}) });
  }

  private whole(res: ServerResponse, model: string, scenario: GeminiScenario): void {
    const parts = partsOf(scenario);
    sendJson(res, 200, {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usageOf(scenario),
      modelVersion: model,
      responseId: 'gemini-resp-1',
    });
  }

  private async stream(res: ServerResponse, model: string, scenario: GeminiScenario): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (parts: unknown[], extra: object = {}) => `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: model, responseId: 'gemini-resp-1' })}\r\n\r\n`;
    if (scenario.kind === 'fail-mid' || scenario.kind === 'cut') {
      await writeFlushed(res, chunk([{ text: scenario.text }]));
      if (scenario.kind === 'fail-mid') {
        await writeFlushed(res, `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })}\r\n\r\n`);
      }
      res.end();
      return;
    }
    const parts = partsOf(scenario);
    // Each part in its own chunk, the text in two; the last chunk has the finishReason and usage.
    const chunks: unknown[][] = [];
    for (const part of parts) {
      if (typeof part.text === 'string' && !part.thought && part.text.length > 1) {
        const half = Math.ceil(part.text.length / 2);
        chunks.push([{ text: part.text.slice(0, half) }], [{ text: part.text.slice(half) }]);
      } else chunks.push([part]);
    }
    for (const [i, parts] of chunks.entries()) {
      const last = i === chunks.length - 1;
      const text = last
        ? `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: usageOf(scenario), modelVersion: model, responseId: 'gemini-resp-1' })}\r\n\r\n`
        : chunk(parts);
      await writeFlushed(res, text);
    }
    res.end();
  }
}

export function usageOf(scenario: GeminiScenario): object {
  return 'thought' in scenario && scenario.thought ? GEMINI_FAKE_THINKING_USAGE : GEMINI_FAKE_USAGE;
}

export function partsOf(scenario: GeminiScenario): Array<Record<string, any>> {
  const parts: Array<Record<string, any>> = [];
  if (scenario.kind === 'text' || scenario.kind === 'tools') {
    if (scenario.thought) parts.push({ text: scenario.thought, thought: true });
  }
  if (scenario.kind === 'text') parts.push({ text: scenario.text });
  if (scenario.kind === 'tools') {
    // Gemini 3 signs the first function call of a turn.
    scenario.calls.forEach((call, i) => parts.push({ functionCall: { name: call.name, args: call.args }, ...(i === 0 ? { thoughtSignature: GEMINI_FAKE_SIGNATURE } : {}) }));
  }
  return parts;
}

/**
 * Gemini 3's rule: the first functionCall of each model turn in the request must carry the
 * thoughtSignature it was given. The fake signs only its own calls, so every model turn with
 * calls here came from it.
 */
export function missingSignature(body: any): string | undefined {
  const contents = Array.isArray(body?.contents) ? body.contents : [];
  for (const [index, content] of contents.entries()) {
    if (content?.role !== 'model') continue;
    const first = (content.parts ?? []).find((p: any) => p?.functionCall);
    if (first && (first.thoughtSignature ?? first.thought_signature) !== GEMINI_FAKE_SIGNATURE) {
      return `Function call is missing a thought_signature in functionCall parts. contents[${index}]`;
    }
  }
  return undefined;
}

export function googleError(res: ServerResponse, code: number, status: string, message: string, details?: unknown[]): void {
  sendJson(res, code, { error: { code, message, status, ...(details ? { details } : {}) } });
}
