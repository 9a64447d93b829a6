// A fake GitHub Copilot, written from reference/wire-protocols.md §5: GitHub's API (the Copilot
// token exchange `GET /copilot_internal/v2/token` with `Authorization: token …`, and the quota at
// `GET /copilot_internal/user`) under `/github-api`, and the Copilot API (`endpoints.api`) under
// `/copilot`: `GET /models`, `POST /chat/completions` (OpenAI SSE ending in `data: [DONE]`, with
// Copilot's quirks: `reasoning_text` deltas and a tool call under a second `choices` index),
// `POST /v1/messages` (Anthropic events) and `POST /responses` (Responses events; refuses
// `service_tier`). Every Copilot API call must carry the editor headers and a live Copilot token;
// one without them is refused as Copilot would. Each model is served only on the endpoints its
// list entry names. The device-flow login itself is FakeOAuthServer's (its `github` endpoints).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sendJson, sseFrame, words, writeFlushed } from './fake-upstream-base';

/** The headers every Copilot API request must carry (§5); X-Initiator only a model call. */
export const REQUIRED_COPILOT_HEADERS = [
  'copilot-integration-id',
  'editor-version',
  'editor-plugin-version',
  'user-agent',
  'openai-intent',
  'x-github-api-version',
  'x-request-id',
  'x-initiator',
] as const;
/** The headers the token exchange must carry. */
export const REQUIRED_EXCHANGE_HEADERS = ['editor-version', 'editor-plugin-version', 'user-agent'] as const;

export interface CopilotModelEntry {
  id: string;
  name: string;
  vendor: string;
  version: string;
  object: 'model';
  model_picker_enabled: boolean;
  capabilities: {
    type: 'chat' | 'embeddings';
    family: string;
    limits?: { max_context_window_tokens?: number; max_prompt_tokens?: number; max_output_tokens?: number };
    supports: Record<string, unknown>;
  };
  supported_endpoints?: string[];
}

/** The models a Copilot Pro seat lists (shapes as CPA's CopilotModelEntry, endpoints as of 2026). */
export const FAKE_COPILOT_MODELS: CopilotModelEntry[] = [
  model('gpt-4.1', 'GPT-4.1', 'Azure OpenAI', { tool_calls: true, streaming: true }),
  model('gpt-5-mini', 'GPT-5 mini', 'Azure OpenAI', { tool_calls: true, streaming: true, reasoning_effort: ['low', 'medium', 'high'] }, ['/chat/completions', '/responses']),
  model('claude-sonnet-4.5', 'Claude Sonnet 4.5', 'Anthropic', { tool_calls: true, streaming: true, vision: true }, ['/chat/completions', '/v1/messages']),
  model('gpt-5.1-codex', 'GPT-5.1-Codex', 'OpenAI', { tool_calls: true, streaming: true }, ['/responses']),
  { ...model('text-embedding-3-small', 'Embedding V3 small', 'Azure OpenAI', {}), capabilities: { type: 'embeddings', family: 'text-embedding-3-small', supports: {} } },
];

function model(id: string, name: string, vendor: string, supports: Record<string, unknown>, endpoints?: string[]): CopilotModelEntry {
  return {
    id,
    name,
    vendor,
    version: id,
    object: 'model',
    model_picker_enabled: true,
    capabilities: { type: 'chat', family: id, limits: { max_context_window_tokens: 128000, max_prompt_tokens: 128000, max_output_tokens: 16384 }, supports },
    ...(endpoints ? { supported_endpoints: endpoints } : {}),
  };
}

export interface CopilotRequest {
  method: string;
  /** The path under `/copilot` or `/github-api`. */
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The GitHub login whose Copilot token the request carried (for the Copilot API). */
  githubToken?: string;
  /** The Copilot token it carried. */
  copilotToken?: string;
}

interface IssuedToken {
  githubToken: string;
  expiresAt: number;
}

export interface FakeQuota {
  percentRemaining: number;
  unlimited?: boolean;
}

export class FakeCopilot extends FakeUpstreamBase {
  /** GitHub logins the exchange accepts; a token not here (or revoked) gets GitHub's 401. */
  readonly githubTokens = new Set<string>();
  /** Lifetime of the Copilot tokens it issues, and the `refresh_in` it announces (seconds). */
  tokenTtlSeconds = 1800;
  refreshInSeconds = 1500;
  /** Refuse `"stream": false` on chat, as one third-party spec says Copilot does. */
  rejectNonStream = false;
  /** Premium quota per GitHub login (default 80 % left). */
  readonly quotas = new Map<string, FakeQuota>();
  readonly models = FAKE_COPILOT_MODELS;
  /** Every request, GitHub's and Copilot's, in order. */
  readonly requests: CopilotRequest[] = [];
  /** Copilot API calls refused for missing headers: header → count. */
  readonly missingHeaders: string[] = [];
  private readonly issued = new Map<string, IssuedToken>();
  private issuedCount = 0;

  protected override get label(): string {
    return 'fake copilot';
  }

  /** The GitHub API root (`github_api_url`). */
  get githubApiUrl(): string {
    return `${this.origin}/github-api`;
  }

  /** The Copilot API root the token exchange names as `endpoints.api`. */
  get apiUrl(): string {
    return `${this.origin}/copilot`;
  }

  /** Token exchanges made with this GitHub login (all of them without one). */
  exchanges(githubToken?: string): number {
    return this.requests.filter((r) => r.path === '/copilot_internal/v2/token' && (githubToken === undefined || r.githubToken === githubToken)).length;
  }

  /** The model calls (chat, messages, responses), optionally of one GitHub login. */
  modelCalls(githubToken?: string): CopilotRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.copilotToken !== undefined && (githubToken === undefined || r.githubToken === githubToken));
  }

  get lastModelCall(): CopilotRequest {
    const calls = this.modelCalls();
    if (calls.length === 0) throw new Error('fake copilot: no model call yet');
    return calls[calls.length - 1];
  }

  /** Forgets every request, login, quota and issued token (between tests). */
  reset(): void {
    this.requests.length = 0;
    this.missingHeaders.length = 0;
    this.githubTokens.clear();
    this.quotas.clear();
    this.issued.clear();
    this.tokenTtlSeconds = 1800;
    this.refreshInSeconds = 1500;
    this.rejectNonStream = false;
  }

  /** GitHub withdraws the login (the user revoked the app): the exchange answers 401. */
  revoke(githubToken: string): void {
    this.githubTokens.delete(githubToken);
    for (const [token, issued] of this.issued) if (issued.githubToken === githubToken) this.issued.delete(token);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return sendJson(res, 400, { error: { message: 'Problems parsing JSON', code: 'invalid_request_body' } });
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const received: CopilotRequest = { method: req.method ?? '', path: url.pathname, headers: req.headers, body };
    if (url.pathname.startsWith('/github-api/')) {
      received.path = url.pathname.slice('/github-api'.length);
      return this.github(received, res);
    }
    if (url.pathname.startsWith('/copilot/')) {
      received.path = url.pathname.slice('/copilot'.length);
      return this.copilot(received, res);
    }
    sendJson(res, 404, { message: 'Not Found' });
  }

  // --- api.github.com ---

  private github(request: CopilotRequest, res: ServerResponse): void {
    const auth = /^token (\S+)$/.exec(request.headers.authorization ?? '');
    request.githubToken = auth?.[1];
    this.requests.push(request);
    this.notify();
    // GitHub's answer to a missing, Bearer-style or withdrawn login.
    if (!auth || !this.githubTokens.has(auth[1])) {
      return sendJson(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
    if (request.method === 'GET' && request.path === '/copilot_internal/v2/token') {
      const missing = REQUIRED_EXCHANGE_HEADERS.filter((name) => !request.headers[name]);
      if (missing.length > 0) return sendJson(res, 400, { message: `missing editor headers: ${missing.join(', ')}` });
      const now = Math.floor(Date.now() / 1000);
      const expiresAt = now + this.tokenTtlSeconds;
      const token = `tid=fake${++this.issuedCount};exp=${expiresAt};sku=copilot_individual;proxy-ep=proxy.individual.githubcopilot.com;chat=1;8kp=1`;
      this.issued.set(token, { githubToken: auth[1], expiresAt: expiresAt * 1000 });
      return sendJson(res, 200, {
        token,
        expires_at: expiresAt,
        refresh_in: this.refreshInSeconds,
        endpoints: { api: this.apiUrl, proxy: 'https://proxy.individual.githubcopilot.com', telemetry: 'https://telemetry.individual.githubcopilot.com', 'origin-tracker': 'https://origin-tracker.individual.githubcopilot.com' },
        chat_enabled: true,
        sku: 'copilot_individual',
        copilot_plan: 'individual',
        annotations_enabled: true,
        individual: true,
      });
    }
    if (request.method === 'GET' && request.path === '/copilot_internal/user') {
      const quota = this.quotas.get(auth[1]) ?? { percentRemaining: 80 };
      return sendJson(res, 200, {
        login: 'octocat',
        copilot_plan: 'individual',
        access_type_sku: 'plus_monthly_subscriber_quota',
        chat_enabled: true,
        quota_reset_date: '2026-12-31',
        quota_snapshots: {
          chat: { entitlement: 0, remaining: 0, percent_remaining: 100, unlimited: true, overage_count: 0, overage_permitted: false, quota_id: 'chat' },
          completions: { entitlement: 0, remaining: 0, percent_remaining: 100, unlimited: true, overage_count: 0, overage_permitted: false, quota_id: 'completions' },
          premium_interactions: {
            entitlement: 300,
            remaining: Math.round((300 * quota.percentRemaining) / 100),
            percent_remaining: quota.percentRemaining,
            unlimited: quota.unlimited ?? false,
            overage_count: 0,
            overage_permitted: false,
            quota_id: 'premium_interactions',
          },
        },
      });
    }
    sendJson(res, 404, { message: 'Not Found' });
  }

  // --- api.githubcopilot.com ---

  private async copilot(request: CopilotRequest, res: ServerResponse): Promise<void> {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const issued = bearer ? this.issued.get(bearer) : undefined;
    request.copilotToken = bearer;
    request.githubToken = issued?.githubToken;
    this.requests.push(request);
    this.notify();
    if (!issued) return sendJson(res, 401, { error: { message: 'unauthorized: invalid token', code: 'unauthorized' } });
    if (Date.now() >= issued.expiresAt) return sendJson(res, 401, { error: { message: 'unauthorized: token expired', code: 'token_expired' } });
    // X-Initiator belongs to a model call (who started the turn); the model list has none.
    const required = request.method === 'POST' ? REQUIRED_COPILOT_HEADERS : REQUIRED_COPILOT_HEADERS.filter((name) => name !== 'x-initiator');
    const missing = required.filter((name) => !request.headers[name]);
    if (missing.length > 0) {
      this.missingHeaders.push(...missing);
      return sendJson(res, 400, { error: { message: `missing required header(s): ${missing.join(', ')}`, code: 'bad_request' } });
    }
    if (request.method === 'POST' && !['user', 'agent'].includes(String(request.headers['x-initiator']))) {
      return sendJson(res, 400, { error: { message: 'X-Initiator must be user or agent', code: 'bad_request' } });
    }
    if (request.method === 'GET' && request.path === '/models') return sendJson(res, 200, { data: this.models, object: 'list' });
    if (request.method !== 'POST') return sendJson(res, 404, { error: { message: 'Not Found', code: 'not_found' } });
    const entry = this.models.find((m) => m.id === request.body?.model && m.capabilities.type === 'chat');
    if (!entry) return sendJson(res, 400, { error: { message: `The requested model is not supported.`, code: 'model_not_supported', param: 'model', type: 'invalid_request_error' } });
    const endpoints = entry.supported_endpoints ?? ['/chat/completions'];
    if (!endpoints.includes(request.path)) {
      return sendJson(res, 400, { error: { message: `model "${entry.id}" is not accessible via the ${request.path} endpoint`, code: 'unsupported_api_for_model', type: 'invalid_request_error' } });
    }
    switch (request.path) {
      case '/chat/completions':
        return this.chat(request.body, entry, res);
      case '/v1/messages':
        if (!request.headers['anthropic-version']) return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
        return this.messages(request.body, res);
      case '/responses':
        if (request.body.service_tier !== undefined) {
          return sendJson(res, 400, { error: { message: 'service_tier is not supported', code: 'invalid_request_body', type: 'invalid_request_error', param: 'service_tier' } });
        }
        return this.responses(request.body, res);
    }
    sendJson(res, 404, { error: { message: 'Not Found', code: 'not_found' } });
  }

  private async chat(body: any, entry: CopilotModelEntry, res: ServerResponse): Promise<void> {
    if (body.stream !== true && this.rejectNonStream) {
      return sendJson(res, 400, { error: { message: '"stream": false is not supported', code: 'invalid_request_body', type: 'invalid_request_error' } });
    }
    const reply = replyTo(lastUserText(body.messages));
    const tool = wantsTool(body) ? body.tools[0].function.name : undefined;
    const reasons = entry.capabilities.supports.reasoning_effort !== undefined;
    const base = { id: 'chatcmpl-copilot-1', object: 'chat.completion.chunk', created: 1767225600, model: entry.id, system_fingerprint: 'fp_copilot' };
    const usage = { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: reasons ? 4 : 0 } };
    if (body.stream !== true) {
      // Copilot's Claude models answer text and tool call as two choices even for n=1.
      const choices: any[] = [{ index: 0, message: { role: 'assistant', content: reply, ...(reasons ? { reasoning_text: 'Thinking it over.' } : {}) }, finish_reason: tool ? null : 'stop' }];
      if (tool) choices.push({ index: 1, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_copilot_1', type: 'function', function: { name: tool, arguments: '{"q":"weather"}' } }] }, finish_reason: 'tool_calls' });
      return sendJson(res, 200, { ...base, object: 'chat.completion', choices, usage });
    }
    const chunks: object[] = [];
    if (reasons) for (const piece of ['Thinking ', 'it over.']) chunks.push({ ...base, choices: [{ index: 0, delta: { content: null, reasoning_text: piece }, finish_reason: null }] });
    for (const piece of words(reply)) chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece, role: 'assistant' }, finish_reason: null }] });
    if (tool) {
      chunks.push({ ...base, choices: [{ index: 1, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_copilot_1', type: 'function', function: { name: tool, arguments: '' } }] }, finish_reason: null }] });
      chunks.push({ ...base, choices: [{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: '{"q":"weather"}' } }] }, finish_reason: null }] });
      chunks.push({ ...base, choices: [{ index: 1, delta: { content: null }, finish_reason: 'tool_calls' }] });
    } else chunks.push({ ...base, choices: [{ index: 0, delta: { content: null }, finish_reason: 'stop' }] });
    if (body.stream_options?.include_usage === true) chunks.push({ ...base, choices: [], usage });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'fake-copilot' });
    for (const chunk of chunks) await writeFlushed(res, sseFrame(chunk));
    res.end('data: [DONE]\n\n');
  }

  private async messages(body: any, res: ServerResponse): Promise<void> {
    const text = replyTo(lastUserText(body.messages));
    const message = { id: 'msg_copilot_1', type: 'message', role: 'assistant', model: body.model, content: [] as object[], stop_reason: null, stop_sequence: null, usage: { input_tokens: 21, output_tokens: 1 } };
    if (body.stream !== true) {
      return sendJson(res, 200, { ...message, content: [{ type: 'text', text }], stop_reason: 'end_turn', usage: { input_tokens: 21, output_tokens: 9 } });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const events: Array<[string, object]> = [
      ['message_start', { type: 'message_start', message }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['ping', { type: 'ping' }],
      ...words(text).map((piece): [string, object] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }]),
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }],
      ['message_stop', { type: 'message_stop' }],
    ];
    for (const [name, data] of events) await writeFlushed(res, sseFrame(data, name));
    res.end();
  }

  private async responses(body: any, res: ServerResponse): Promise<void> {
    const text = replyTo(responsesUserText(body.input));
    const id = 'resp_copilot_1';
    const item = { id: 'msg_copilot_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
    const response = (status: string, output: object[]) => ({ id, object: 'response', created_at: 1767225600, status, model: body.model, output, usage: null });
    let sequence = 0;
    const frames: object[] = [
      { type: 'response.created', response: response('in_progress', []) },
      { type: 'response.in_progress', response: response('in_progress', []) },
      { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
      { type: 'response.content_part.added', item_id: item.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
      ...words(text).map((delta) => ({ type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta })),
      { type: 'response.output_text.done', item_id: item.id, output_index: 0, content_index: 0, text },
      { type: 'response.content_part.done', item_id: item.id, output_index: 0, content_index: 0, part: item.content[0] },
      { type: 'response.output_item.done', output_index: 0, item },
      { type: 'response.completed', response: { ...response('completed', [item]), usage: { input_tokens: 21, output_tokens: 9, total_tokens: 30, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } } } },
    ];
    if (body.stream !== true) {
      return sendJson(res, 200, (frames[frames.length - 1] as { response: object }).response);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const frame of frames) await writeFlushed(res, sseFrame({ ...frame, sequence_number: sequence++ }, (frame as { type: string }).type));
    res.end();
  }
}

function replyTo(text: string): string {
  return `Copilot says: ${text}`;
}

/** The text of the last user message (string or text parts); a tool result answers "tool result: …". */
function lastUserText(messages: any[]): string {
  const last = Array.isArray(messages) ? messages[messages.length - 1] : undefined;
  if (!last) return 'nothing';
  if (last.role === 'tool') return `tool result ${typeof last.content === 'string' ? last.content : JSON.stringify(last.content)}`;
  if (typeof last.content === 'string') return last.content;
  if (Array.isArray(last.content)) {
    const result = last.content.find((b: any) => b?.type === 'tool_result');
    if (result) return `tool result ${typeof result.content === 'string' ? result.content : JSON.stringify(result.content)}`;
    return last.content.filter((b: any) => b?.type === 'text').map((b: any) => b.text).join('');
  }
  return 'nothing';
}

function responsesUserText(input: any): string {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return 'nothing';
  const last = input[input.length - 1];
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) return last.content.map((p: any) => p.text ?? '').join('');
  return 'nothing';
}

/** A chat request with tools whose last message is the user's: the model calls the first tool. */
function wantsTool(body: any): boolean {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return Array.isArray(body.tools) && body.tools.length > 0 && messages[messages.length - 1]?.role === 'user';
}
