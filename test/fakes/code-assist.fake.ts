// A fake Code Assist API (reference/wire-protocols.md §6.1, §6.4, and §7 "Antigravity"): the
// `POST /v1internal:<method>` calls a logged-in Google account makes, and the GET of a
// long-running operation.
// - loadCodeAssist: `{allowedTiers}` until the account (told by its token) is onboarded, then
//   also `currentTier` and `cloudaicompanionProject` (set `onboarded` to start every account there).
// - onboardUser: the tier must be one allowed; free-tier must come without a project (else 400
//   FAILED_PRECONDITION, as Google answers), another tier with the user's own (else the finished
//   operation names none); returns an operation that is not done, and is done after
//   `pollsBeforeDone` GETs of `/v1internal/<name>`, naming the project.
// - generateContent / streamGenerateContent?alt=sse / countTokens: the `{model, project,
//   user_prompt_id, request}` envelope with the account's project; answers wrapped as
//   `{response:{…}, traceId}`, streamed as bare `data:` events with no terminator.
// Every call needs `Authorization: Bearer <a token in tokens>` (else 401 UNAUTHENTICATED). The
// `antigravity` flavour also requires Antigravity's User-Agent, its envelope fields (userAgent,
// requestType, requestId `agent-<uuid>`, request.sessionId) and ideType ANTIGRAVITY; the
// `gemini-cli` flavour Gemini CLI's User-Agent, X-Goog-Api-Client and user_prompt_id. A request
// that breaks a rule gets 400 INVALID_ARGUMENT saying which, so tests see it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeUpstreamBase, readBody, sendJson, writeFlushed } from './fake-upstream-base';
import { googleError, missingSignature, partsOf, usageOf, type GeminiScenario } from './gemini-api.fake';

export type CodeAssistFlavour = 'gemini-cli' | 'antigravity';

export type CodeAssistScenario =
  | Exclude<GeminiScenario, { kind: 'quota' }>
  /** 429 RESOURCE_EXHAUSTED with ErrorInfo `reason` and RetryInfo. */
  | { kind: 'quota'; retryDelay: string; reason: 'QUOTA_EXHAUSTED' | 'RATE_LIMIT_EXCEEDED' }
  /** A 503 UNAVAILABLE before any byte (a host that is down). */
  | { kind: 'unavailable' };

export interface CodeAssistReceived {
  method: string;
  /** `loadCodeAssist`, `onboardUser`, `generateContent`, … or `operation` for the GET. */
  call: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class FakeCodeAssist extends FakeUpstreamBase<CodeAssistScenario> {
  readonly requests: CodeAssistReceived[] = [];
  tokens = new Set(['google-access-1']);
  /** The project onboarding assigns (or loadCodeAssist names once onboarded). */
  project = 'fake-project-4242';
  allowedTiers = [
    { id: 'free-tier', name: 'Gemini Code Assist for individuals', isDefault: true },
    { id: 'standard-tier', name: 'Gemini Code Assist Standard' },
  ];
  /** Every account counts as set up in this tier (a test's account set up elsewhere). */
  onboarded?: { tierId: string };
  /** Accounts (by token) this fake onboarded, with their tier and project. */
  private readonly accounts = new Map<string, { tierId: string; project: string }>();
  /** GETs of the operation before it says done. */
  pollsBeforeDone = 2;
  /** Every call answers this status first (a host that is down), when set. */
  failEverything?: number;
  private polls = 0;
  private onboarding?: { tierId: string; name: string; named?: string; token: string };

  constructor(readonly flavour: CodeAssistFlavour = 'gemini-cli') {
    super();
  }

  protected override get label(): string {
    return `fake Code Assist (${this.flavour})`;
  }

  calls(name: string): CodeAssistReceived[] {
    return this.requests.filter((r) => r.call === name);
  }

  /** The generation calls received. */
  get generations(): CodeAssistReceived[] {
    return this.requests.filter((r) => r.call === 'generateContent' || r.call === 'streamGenerateContent');
  }

  lastGeneration(): CodeAssistReceived {
    const last = this.generations.at(-1);
    if (!last) throw new Error(`${this.label} received no generation`);
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
    const post = /^\/v1internal:(\w+)$/.exec(url.pathname);
    const operation = /^\/v1internal\/(operations\/[\w-]+)$/.exec(url.pathname);
    const call = post?.[1] ?? (operation ? 'operation' : 'unknown');
    this.requests.push({ method: req.method ?? '', call, path: url.pathname, query: url.searchParams, headers: req.headers, body });
    this.notify();
    if (this.failEverything) return googleError(res, this.failEverything, 'UNAVAILABLE', 'The service is currently unavailable.');

    const auth = req.headers.authorization;
    if (typeof auth !== 'string' || !auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) {
      return googleError(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const identity = this.identityProblem(req, call, body);
    if (identity) return googleError(res, 400, 'INVALID_ARGUMENT', identity);

    const token = auth.slice(7);
    if (req.method === 'GET' && operation) return this.getOperation(res, operation[1]);
    if (req.method !== 'POST' || !post) return googleError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
    switch (call) {
      case 'loadCodeAssist':
        return this.loadCodeAssist(res, token);
      case 'onboardUser':
        return this.onboardUser(res, body, token);
      case 'countTokens':
        return this.countTokens(res, body);
      case 'generateContent':
      case 'streamGenerateContent':
        return this.generate(res, call, url, body, token);
      default:
        return googleError(res, 404, 'NOT_FOUND', `no method ${call}`);
    }
  }

  /** What the flavour's client always sends, checked on every call. */
  private identityProblem(req: IncomingMessage, call: string, body: any): string | undefined {
    const agent = String(req.headers['user-agent'] ?? '');
    if (this.flavour === 'antigravity') {
      if (!/^antigravity\/[\d.]+ \S+\/\S+/.test(agent)) return `the fake wants Antigravity's User-Agent, got "${agent}"`;
      if (call === 'loadCodeAssist' || call === 'onboardUser') {
        if (body?.metadata?.ideType !== 'ANTIGRAVITY') return `metadata.ideType must be ANTIGRAVITY, got ${JSON.stringify(body?.metadata?.ideType)}`;
      }
      if (call === 'generateContent' || call === 'streamGenerateContent') {
        if (body?.userAgent !== 'antigravity') return 'userAgent must be "antigravity"';
        if (body?.requestType !== 'agent') return 'requestType must be "agent"';
        if (typeof body?.requestId !== 'string' || !UUID.test(body.requestId.replace(/^agent-/, '')) || !body.requestId.startsWith('agent-')) return 'requestId must be agent-<uuid>';
        if (typeof body?.request?.sessionId !== 'string' || body.request.sessionId === '') return 'request.sessionId is required';
      }
      return undefined;
    }
    if (call === 'generateContent' || call === 'streamGenerateContent' || call === 'countTokens') {
      const model = call === 'countTokens' ? String(body?.request?.model ?? '').replace(/^models\//, '') : body?.model;
      if (!agent.startsWith(`GeminiCLI/`) || !agent.includes(`/${model} (`) || !agent.endsWith('; terminal)')) return `the fake wants Gemini CLI's User-Agent for ${model}, got "${agent}"`;
      if (typeof req.headers['x-goog-api-client'] !== 'string') return 'X-Goog-Api-Client is missing';
    }
    if (call === 'loadCodeAssist' || call === 'onboardUser') {
      const m = body?.metadata;
      if (m?.ideType !== 'IDE_UNSPECIFIED' || m?.pluginType !== 'GEMINI' || m?.platform !== 'PLATFORM_UNSPECIFIED') return `unexpected metadata ${JSON.stringify(m)}`;
    }
    if ((call === 'generateContent' || call === 'streamGenerateContent') && (typeof body?.user_prompt_id !== 'string' || body.user_prompt_id === '')) {
      return 'user_prompt_id is required';
    }
    return undefined;
  }

  /** The tier and project of the account this token belongs to, once set up. */
  private accountOf(token: string): { tierId: string; project: string } | undefined {
    return this.accounts.get(token) ?? (this.onboarded ? { tierId: this.onboarded.tierId, project: this.project } : undefined);
  }

  private loadCodeAssist(res: ServerResponse, token: string): void {
    const account = this.accountOf(token);
    if (!account) return sendJson(res, 200, { allowedTiers: this.allowedTiers });
    const tier = this.allowedTiers.find((t) => t.id === account.tierId);
    sendJson(res, 200, { currentTier: tier, allowedTiers: this.allowedTiers, cloudaicompanionProject: account.project });
  }

  private onboardUser(res: ServerResponse, body: any, token: string): void {
    const tierId = body?.tierId;
    if (!this.allowedTiers.some((t) => t.id === tierId)) return googleError(res, 400, 'INVALID_ARGUMENT', `tier ${tierId} is not allowed`);
    if (tierId === 'free-tier' && body.cloudaicompanionProject !== undefined) {
      return googleError(res, 400, 'FAILED_PRECONDITION', 'Precondition Failed: a free-tier user cannot name a project.');
    }
    this.onboarding = { tierId, name: `operations/onboard-${this.requests.length}`, named: body.cloudaicompanionProject, token };
    this.polls = 0;
    if (this.pollsBeforeDone === 0) return sendJson(res, 200, this.finishOnboarding());
    sendJson(res, 200, { name: this.onboarding.name, done: false });
  }

  private getOperation(res: ServerResponse, name: string): void {
    if (!this.onboarding || this.onboarding.name !== name) return googleError(res, 404, 'NOT_FOUND', `no operation ${name}`);
    this.polls++;
    if (this.polls < this.pollsBeforeDone) return sendJson(res, 200, { name, done: false });
    sendJson(res, 200, this.finishOnboarding());
  }

  private finishOnboarding(): object {
    const { tierId, name, named, token } = this.onboarding!;
    // A paid tier works in the user's own project: without one named, no project comes back.
    if (tierId !== 'free-tier' && !named) return { name, done: true, response: { '@type': 'type.googleapis.com/google.internal.cloud.code.v1internal.OnboardUserResponse' } };
    const project = named ?? this.project;
    this.accounts.set(token, { tierId, project });
    return {
      name,
      done: true,
      response: { '@type': 'type.googleapis.com/google.internal.cloud.code.v1internal.OnboardUserResponse', cloudaicompanionProject: { id: project, name: project } },
    };
  }

  /** The project of a call that needs one: this account's, once set up. */
  private projectProblem(body: any, token: string): string | undefined {
    const account = this.accountOf(token);
    if (!account) return 'the account is not onboarded to Code Assist';
    if (body?.project !== account.project) return `Permission denied on resource project ${body?.project}.`;
    return undefined;
  }

  private countTokens(res: ServerResponse, body: any): void {
    if (typeof body?.request?.model !== 'string' || !body.request.model.startsWith('models/') || !Array.isArray(body.request.contents)) {
      return googleError(res, 400, 'INVALID_ARGUMENT', 'countTokens wants {request:{model:"models/…", contents}}');
    }
    sendJson(res, 200, { totalTokens: 42 });
  }

  private async generate(res: ServerResponse, call: string, url: URL, body: any, token: string): Promise<void> {
    const problem = this.projectProblem(body, token);
    if (problem) return googleError(res, 403, 'PERMISSION_DENIED', problem);
    const model = body?.model;
    if (typeof model !== 'string' || model === '' || !Array.isArray(body?.request?.contents)) {
      return googleError(res, 400, 'INVALID_ARGUMENT', 'the envelope wants {model, project, request:{contents}}');
    }
    const missing = missingSignature(body.request);
    if (missing) return googleError(res, 400, 'INVALID_ARGUMENT', missing);
    const scenario: CodeAssistScenario = this.scripted.shift() ?? { kind: 'text', text: 'Hello from Code Assist.' };
    if (scenario.kind === 'unavailable') return googleError(res, 503, 'UNAVAILABLE', 'The service is currently unavailable.');
    if (scenario.kind === 'quota') {
      return googleError(res, 429, 'RESOURCE_EXHAUSTED', 'You have exhausted your capacity on this model.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: scenario.reason, domain: 'cloudcode-pa.googleapis.com', metadata: { model } },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: scenario.retryDelay },
      ]);
    }
    const wrap = (response: object) => ({ response, traceId: 'trace-1' });
    if (call === 'generateContent') {
      if (scenario.kind === 'fail-mid' || scenario.kind === 'cut') return void res.socket?.destroy();
      return sendJson(res, 200, wrap({ candidates: [{ content: { role: 'model', parts: partsOf(scenario) }, finishReason: 'STOP', index: 0 }], usageMetadata: usageOf(scenario), modelVersion: model, responseId: 'ca-resp-1' }));
    }
    if (url.searchParams.get('alt') !== 'sse') return googleError(res, 400, 'INVALID_ARGUMENT', 'the fake streams with alt=sse only');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const frame = (response: object) => `data: ${JSON.stringify(wrap(response))}\r\n\r\n`;
    const chunk = (parts: unknown[], extra: object = {}) => frame({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: model, responseId: 'ca-resp-1' });
    if (scenario.kind === 'fail-mid' || scenario.kind === 'cut') {
      await writeFlushed(res, chunk([{ text: scenario.text }]));
      if (scenario.kind === 'fail-mid') await writeFlushed(res, `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })}\r\n\r\n`);
      return void res.end();
    }
    const parts = partsOf(scenario);
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      if (!last) {
        await writeFlushed(res, chunk([part]));
        continue;
      }
      // The last part: a text in two chunks, the second one split over two data lines (which a
      // reader joins with "\n" before parsing); the finishReason and usage ride on the last chunk.
      if (typeof part.text === 'string' && !part.thought && part.text.length > 1) {
        const half = Math.ceil(part.text.length / 2);
        await writeFlushed(res, chunk([{ text: part.text.slice(0, half) }]));
        const json = JSON.stringify(wrap({ candidates: [{ content: { role: 'model', parts: [{ text: part.text.slice(half) }] }, finishReason: 'STOP', index: 0 }], usageMetadata: usageOf(scenario), modelVersion: model, responseId: 'ca-resp-1' }), null, 1);
        await writeFlushed(res, `${json.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`);
      } else {
        await writeFlushed(res, frame({ candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }], usageMetadata: usageOf(scenario), modelVersion: model, responseId: 'ca-resp-1' }));
      }
    }
    res.end();
  }
}
