// A fake Kiro (reference/wire-protocols.md §7 "Kiro", §8 item 7): its API,
// POST /generateAssistantResponse, answering in real AWS event-stream frames (CRC32, string
// headers `:message-type`, `:event-type`, `:content-type`) encoded with the same codec AWS's SDKs
// use, and its token refresh (POST /refreshToken: the social form `{refreshToken}`, or the
// SSO-OIDC form `{clientId, clientSecret, grantType, refreshToken}`, camelCase answers). API
// calls must carry a Bearer token the fake issued that has not expired, and a body of Kiro's
// shape (else 400 with AWS's `{message}`). The answer follows the request: tool results are
// echoed, a request with tools whose message asks for the weather gets a tool call whose input
// comes in fragments, anything else is echoed. A request whose current message switches thinking
// on (`<thinking_mode>enabled</thinking_mode><max_thinking_length>N</max_thinking_length>`, as
// Kiro's clients send it) gets its thinking inline first, `<thinking>\n…\n</thinking>\n\n`,
// cut into events of a few characters so the tags fall across events, as Kiro does. Scripted
// faults: frames split across TCP writes at odd offsets, a corrupt prelude or message CRC, an
// exception frame mid-answer.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventStreamCodec } from '../../src/protocol/event-stream-decoder';
import { FakeUpstreamBase, readBody, sendJson, sleep, words } from './fake-upstream-base';

/** What switches Kiro's thinking on, in the current message's text (and the length it allows). */
const THINKING_ON = /<thinking_mode>enabled<\/thinking_mode>\s*<max_thinking_length>(\d+)<\/max_thinking_length>/;
/** Thinking comes in events this many characters long, so `<thinking>` and `</thinking>` are cut. */
const THINKING_PIECE = 4;

export const KIRO_PROFILE_ARN = 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK';
export const KIRO_IDC_CLIENT = { clientId: 'idc-client-1', clientSecret: 'idc-secret-1' };

export interface KiroScenario {
  /** Write the answer in pieces of this many bytes (an odd size cuts frames anywhere). */
  splitEvery?: number;
  /** Flip a bit of a frame's prelude CRC or message CRC: `frame` is its index in the answer. */
  corrupt?: { frame: number; where: 'prelude' | 'message' };
  /** Send an exception frame after the first text event. */
  exception?: { type: string; message: string };
}

/** An answer a test scripts by request (the conformance matrix), instead of the echo. */
export type KiroAnswer =
  /** `reasoning` is sent (inline, as Kiro does) only when the request switched thinking on. */
  | { kind: 'text'; text: string; reasoning?: string }
  | { kind: 'tools'; calls: ReadonlyArray<{ id: string; name: string; input: object }> }
  /** An HTTP error before any frame, with AWS's `{__type, message}` body. */
  | { kind: 'status'; status: number; type: string; message: string }
  /** Some text, then an exception frame. */
  | { kind: 'exception'; text: string; type: string; message: string };

export interface KiroReceived {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

type Frame = { headers: Record<string, string>; payload: object };

const codec = eventStreamCodec();

export function encodeFrame(frame: Frame): Uint8Array {
  const headers = Object.fromEntries(Object.entries(frame.headers).map(([name, value]) => [name, { type: 'string' as const, value }]));
  return codec.encode({ headers, body: Buffer.from(JSON.stringify(frame.payload), 'utf8') });
}

export function eventFrame(eventType: string, payload: object): Uint8Array {
  return encodeFrame({ headers: { ':message-type': 'event', ':event-type': eventType, ':content-type': 'application/json' }, payload });
}

export function exceptionFrame(type: string, message: string): Uint8Array {
  return encodeFrame({ headers: { ':message-type': 'exception', ':exception-type': type, ':content-type': 'application/json' }, payload: { message } });
}

export class FakeKiro extends FakeUpstreamBase<KiroScenario> {
  readonly requests: KiroReceived[] = [];
  refreshes = { social: 0, idc: 0 };
  accessTokenTtlSeconds = 3600;
  /** Picks the answer to a request; undefined falls back to the echo. */
  responder?: (body: any) => KiroAnswer | undefined;
  /** Sent in a messageMetadataEvent's tokenUsage after each answer, when set. */
  usage?: { input: number; output: number };

  /** Access token → expiry (ms). */
  private readonly accessTokens = new Map<string, number>();
  /** Refresh token → spent. */
  private readonly refreshTokens = new Map<string, boolean>();

  get refreshUrl(): string {
    return `${this.origin}/refreshToken`;
  }

  issueAccessToken(expiresAt = Date.now() + this.accessTokenTtlSeconds * 1000): string {
    const token = `kiro-at-${randomBytes(8).toString('hex')}`;
    this.accessTokens.set(token, expiresAt);
    return token;
  }

  /** Kiro stops taking this access token (as if revoked): it answers 403 AccessDenied. */
  revoke(token: string): void {
    this.accessTokens.delete(token);
  }

  issueRefreshToken(): string {
    const token = `kiro-rt-${randomBytes(8).toString('hex')}`;
    this.refreshTokens.set(token, false);
    return token;
  }

  calls(path: string): KiroReceived[] {
    return this.requests.filter((r) => r.path === path);
  }

  protected override get label(): string {
    return 'fake Kiro';
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, { message: 'body is not JSON' });
    }
    const path = (req.url ?? '').split('?')[0];
    this.requests.push({ path, headers: req.headers, body });
    if (req.method === 'POST' && path === '/refreshToken') return this.refresh(body, res);
    if (req.method === 'POST' && path === '/generateAssistantResponse') return this.answer(req, body, res);
    sendJson(res, 404, { message: `no route ${req.method} ${path}` });
  }

  private refresh(body: any, res: ServerResponse): void {
    const idc = body.grantType !== undefined;
    if (idc && (body.grantType !== 'refresh_token' || body.clientId !== KIRO_IDC_CLIENT.clientId || body.clientSecret !== KIRO_IDC_CLIENT.clientSecret)) {
      return sendJson(res, 400, { error: 'invalid_client', error_description: 'bad client' });
    }
    const token = body.refreshToken;
    if (typeof token !== 'string' || this.refreshTokens.get(token) !== false) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'refresh token is not valid' });
    this.refreshTokens.set(token, true);
    if (idc) this.refreshes.idc++;
    else this.refreshes.social++;
    this.notify();
    const answer: Record<string, unknown> = { accessToken: this.issueAccessToken(), refreshToken: this.issueRefreshToken(), expiresIn: this.accessTokenTtlSeconds };
    if (!idc) answer.profileArn = KIRO_PROFILE_ARN;
    else answer.tokenType = 'Bearer';
    sendJson(res, 200, answer);
  }

  private async answer(req: IncomingMessage, body: any, res: ServerResponse): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const expiry = this.accessTokens.get(auth.replace(/^Bearer /, ''));
    if (!auth.startsWith('Bearer ') || expiry === undefined || expiry <= Date.now()) {
      return sendJson(res, 403, { message: 'The bearer token included in the request is invalid.', __type: 'com.amazon.coral.service#AccessDeniedException' });
    }
    const problem = shapeProblem(body);
    if (problem) return sendJson(res, 400, { message: problem, __type: 'com.amazon.aws.codewhisperer#ValidationException' });
    const scenario = this.scripted.shift() ?? {};
    const scripted = this.responder?.(body);
    if (scripted?.kind === 'status') return sendJson(res, scripted.status, { __type: `com.amazon.aws.codewhisperer#${scripted.type}`, message: scripted.message });
    const current = body.conversationState.currentMessage.userInputMessage;
    const thinking = THINKING_ON.test(current.content);
    const frames = scripted ? scriptedFrames(scripted, thinking) : answerFrames(current, scenario, thinking);
    if (this.usage) frames.push(eventFrame('messageMetadataEvent', { tokenUsage: { uncachedInputTokens: this.usage.input, outputTokens: this.usage.output, totalTokens: this.usage.input + this.usage.output } }));
    if (scenario.corrupt) {
      const frame = frames[scenario.corrupt.frame];
      const at = scenario.corrupt.where === 'prelude' ? 8 : frame.byteLength - 1;
      frame[at] ^= 0x01;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': `req-${randomBytes(4).toString('hex')}` });
    const bytes = Buffer.concat(frames);
    const step = scenario.splitEvery ?? bytes.byteLength;
    for (let at = 0; at < bytes.byteLength; at += step) {
      await new Promise<void>((resolve) => res.write(bytes.subarray(at, at + step), () => resolve()));
      // A pause, so each piece arrives on its own.
      if (scenario.splitEvery) await sleep(2);
    }
    res.end();
  }
}

/** What is wrong with a request body, as Kiro's validation would say it; undefined when nothing. */
function shapeProblem(body: any): string | undefined {
  if (body.profileArn !== KIRO_PROFILE_ARN) return 'profileArn is missing or unknown';
  const state = body.conversationState;
  if (!state || state.chatTriggerType !== 'MANUAL' || typeof state.conversationId !== 'string' || !Array.isArray(state.history)) return 'conversationState is malformed';
  if ('model' in body) return 'unknown field: model';
  const current = state.currentMessage?.userInputMessage;
  const userProblem = (message: any): string | undefined => {
    if (typeof message?.content !== 'string' || message.content.trim() === '') return 'userInputMessage.content must not be empty';
    if (typeof message.modelId !== 'string' || !/^claude-[a-z]+-[\d.]+$/.test(message.modelId)) return `unknown modelId ${message.modelId}`;
    if (message.origin !== 'AI_EDITOR') return 'origin must be AI_EDITOR';
    for (const tool of message.userInputMessageContext?.tools ?? []) {
      const spec = tool.toolSpecification;
      if (!spec?.name || !spec.description || typeof spec.inputSchema?.json !== 'object') return 'toolSpecification is malformed';
    }
    for (const result of message.userInputMessageContext?.toolResults ?? []) {
      if (!result.toolUseId || !Array.isArray(result.content)) return 'toolResult is malformed';
    }
    return undefined;
  };
  const currentProblem = userProblem(current);
  if (currentProblem) return currentProblem;
  let expect: 'user' | 'assistant' = 'user';
  for (const turn of state.history) {
    if (expect === 'user') {
      if (!turn.userInputMessage) return 'history must alternate user and assistant turns';
      const problem = userProblem(turn.userInputMessage);
      if (problem) return `history: ${problem}`;
      expect = 'assistant';
    } else {
      if (!turn.assistantResponseMessage) return 'history must alternate user and assistant turns';
      expect = 'user';
    }
  }
  return expect === 'user' ? undefined : 'history must end with an assistant turn';
}

/** Kiro's inline thinking: the tagged block, in short events so the tags fall across them. */
function thinkingFrames(reasoning: string): Uint8Array[] {
  const block = `<thinking>\n${reasoning}\n</thinking>\n\n`;
  const frames: Uint8Array[] = [];
  for (let at = 0; at < block.length; at += THINKING_PIECE) frames.push(eventFrame('assistantResponseEvent', { content: block.slice(at, at + THINKING_PIECE) }));
  return frames;
}

function answerFrames(message: any, scenario: KiroScenario, thinking: boolean): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const results: any[] = message.userInputMessageContext?.toolResults ?? [];
  const tools: any[] = message.userInputMessageContext?.tools ?? [];
  const asked = String(message.content).replace(/^--- SYSTEM PROMPT ---\n[\s\S]*?\n--- END SYSTEM PROMPT ---\n\n/, '');
  const text = (content: string) => words(content).forEach((piece) => frames.push(eventFrame('assistantResponseEvent', { content: piece })));
  if (results.length > 0) {
    text(`Tool said: ${results.map((r) => r.content.map((c: any) => c.text).join('')).join(', ')}`);
  } else if (tools.some((t) => t.toolSpecification.name === 'get_weather') && /weather/i.test(asked)) {
    text('Let me check.');
    const toolUseId = 'tooluse_kiro_1';
    for (const input of ['{"ci', 'ty": "Pa', 'ris"}']) frames.push(eventFrame('toolUseEvent', { name: 'get_weather', toolUseId, input, stop: false }));
    frames.push(eventFrame('toolUseEvent', { name: 'get_weather', toolUseId, stop: true }));
  } else {
    if (thinking) frames.push(...thinkingFrames(`The user said "${asked}"; I will echo it.`));
    text(`You said: ${asked}`);
  }
  if (scenario.exception) frames.splice(1, 0, exceptionFrame(scenario.exception.type, scenario.exception.message));
  frames.push(eventFrame('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage: 0.12 }));
  frames.push(eventFrame('contextUsageEvent', { contextUsagePercentage: 1.5 }));
  return frames;
}

function scriptedFrames(answer: Exclude<KiroAnswer, { kind: 'status' }>, thinking: boolean): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const text = (content: string) => words(content).forEach((piece) => frames.push(eventFrame('assistantResponseEvent', { content: piece })));
  switch (answer.kind) {
    case 'text':
      if (thinking && answer.reasoning) frames.push(...thinkingFrames(answer.reasoning));
      text(answer.text);
      break;
    case 'tools':
      for (const call of answer.calls) {
        const input = JSON.stringify(call.input);
        const half = Math.ceil(input.length / 2);
        frames.push(eventFrame('toolUseEvent', { name: call.name, toolUseId: call.id, input: input.slice(0, half), stop: false }));
        frames.push(eventFrame('toolUseEvent', { name: call.name, toolUseId: call.id, input: input.slice(half), stop: false }));
        frames.push(eventFrame('toolUseEvent', { name: call.name, toolUseId: call.id, stop: true }));
      }
      break;
    case 'exception':
      text(answer.text);
      frames.push(exceptionFrame(answer.type, answer.message));
      return frames;
  }
  frames.push(eventFrame('contextUsageEvent', { contextUsagePercentage: 0.01 }));
  return frames;
}
