// One harness per upstream kind of the conformance matrix: it owns its fake, the providers.yaml
// lines that point byokey at it, and two things in the upstream's own dialect — how to answer
// (text, tool calls, a failure before or after the first byte) and how to read what the gateway
// sent (user text, tool results, reasoning asked for, image). The cells speak only in the
// normalized terms below, so each cell is written once for every upstream.
import { SqliteAccountStore } from '../../src/store/sqlite/sqlite-account-store';
import { FAKE_API_KEY, FakeAnthropicUpstream, type AnthropicScenario } from '../fakes/anthropic-upstream.fake';
import { FakeCodexBackend, type CodexScenario } from '../fakes/codex-backend.fake';
import { FakeGeminiApi, type GeminiScenario } from '../fakes/gemini-api.fake';
import { FakeOpenAIUpstream, type Scenario as ChatScenario } from '../fakes/openai-upstream.fake';
import { FakeKiro, KIRO_PROFILE_ARN, type KiroAnswer } from '../fakes/kiro.fake';
import type { UpstreamKind } from './cells';

type Json = Record<string, any>;

export interface ToolCall {
  id: string;
  name: string;
  args: Json;
}

export interface ToolResult {
  id: string;
  output: string;
}

/** What the upstream answers, whatever its protocol. */
export type Answer =
  | { kind: 'text'; text: string; reasoning?: string }
  | { kind: 'tools'; calls: readonly ToolCall[] }
  /** An HTTP 429 before any byte of an answer. */
  | { kind: 'fail-before' }
  /** Some text, then the upstream's in-stream error (a JSON answer: the connection drops). */
  | { kind: 'fail-mid'; text: string };

/** Every answer reports this usage, so cells can check it arrives. */
export const USAGE = { input: 11, output: 7 } as const;

export interface UpstreamHarness {
  readonly kind: UpstreamKind;
  /** The model a client names to reach this upstream. */
  readonly model: string;
  /** How the upstream's dialect says "think hard" after translation (effort `high`, or its budget). */
  readonly reasoningAsked: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The `providers:` entries for this upstream. */
  providersYaml(): string;
  /** Accounts the upstream needs in BYOKEY_HOME before the app starts. */
  seed(home: string): Promise<void>;
  /** Answers the next requests in order; the last answer repeats, so a retry meets it too. */
  plan(...answers: Answer[]): void;
  reset(): void;
  requestCount(): number;
  /** The parsed body of the last request the fake received. */
  lastBody(): Json;
  userText(body: Json): string;
  toolNames(body: Json): string[];
  toolResults(body: Json): ToolResult[];
  reasoning(body: Json): string | undefined;
  /** The image of the last user turn as a data URL. */
  image(body: Json): string | undefined;
}

/** A queue whose last answer sticks. */
class Plan {
  private answers: Answer[] = [];
  set(answers: Answer[]): void {
    this.answers = [...answers];
  }
  next(): Answer | undefined {
    return this.answers.length > 1 ? this.answers.shift() : this.answers[0];
  }
}

const textOf = (content: unknown, type: string): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.filter((p: Json) => p?.type === type).map((p: Json) => p.text).join('') : '';

// ---- openai-compatible (Chat Completions, reference/wire-protocols.md §4.1) ----------------------

export class ChatUpstream implements UpstreamHarness {
  readonly kind = 'openai-compatible' as const;
  readonly model = 'llama-3.1-8b';
  readonly reasoningAsked = 'high';
  readonly fake = new FakeOpenAIUpstream();
  private readonly answers = new Plan();

  async start(): Promise<void> {
    await this.fake.start();
    this.fake.responder = (body) => this.scenario(body);
  }
  stop = () => this.fake.stop();
  providersYaml = () => `
  local:
    type: openai-compatible
    base_url: ${this.fake.url}
    models: [${this.model}]`;
  seed = async () => undefined;
  plan = (...answers: Answer[]) => this.answers.set(answers);
  reset = () => this.answers.set([]);
  requestCount = () => this.fake.requests.length;
  lastBody = () => this.fake.lastRequest.body as Json;

  userText(body: Json): string {
    const user = [...(body.messages as Json[])].reverse().find((m) => m.role === 'user');
    return textOf(user?.content, 'text');
  }
  toolNames = (body: Json) => ((body.tools ?? []) as Json[]).map((t) => t.function?.name);
  toolResults = (body: Json) =>
    (body.messages as Json[]).filter((m) => m.role === 'tool').map((m) => ({ id: m.tool_call_id, output: textOf(m.content, 'text') }));
  reasoning = (body: Json) => body.reasoning_effort as string | undefined;
  image(body: Json): string | undefined {
    const user = [...(body.messages as Json[])].reverse().find((m) => m.role === 'user');
    const part = Array.isArray(user?.content) ? user.content.find((p: Json) => p.type === 'image_url') : undefined;
    return part?.image_url?.url;
  }

  private scenario(body: Json): ChatScenario | undefined {
    const answer = this.answers.next();
    if (!answer) return undefined;
    const stream = body.stream === true;
    const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output };
    const includeUsage = body.stream_options?.include_usage === true;
    const base = { id: 'chatcmpl-conf', object: 'chat.completion.chunk', created: 1767225600, model: body.model, system_fingerprint: null };
    const chunk = (delta: Json, finish: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    const usageChunk = includeUsage ? [{ ...base, choices: [], usage }] : [];
    const completion = (message: Json, finish: string) => ({
      id: 'chatcmpl-conf', object: 'chat.completion', created: 1767225600, model: body.model, system_fingerprint: null,
      choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, finish_reason: finish, logprobs: null }],
      usage,
    });
    switch (answer.kind) {
      case 'text': {
        if (!stream) return { kind: 'json', body: completion({ content: answer.text, ...(answer.reasoning ? { reasoning_content: answer.reasoning } : {}) }, 'stop') };
        const reasoning = answer.reasoning ? answer.reasoning.split(/(?<= )/).map((r) => chunk({ reasoning_content: r })) : [];
        const words = answer.text.split(/(?<= )/).map((w) => chunk({ content: w }));
        return { kind: 'stream', events: [chunk({ role: 'assistant', content: '' }), ...reasoning, ...words, chunk({}, 'stop'), ...usageChunk] };
      }
      case 'tools': {
        const toolCalls = answer.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
        if (!stream) return { kind: 'json', body: completion({ content: null, tool_calls: toolCalls }, 'tool_calls') };
        const events: object[] = [chunk({ role: 'assistant', content: null })];
        answer.calls.forEach((c, index) => {
          const args = JSON.stringify(c.args);
          const half = Math.ceil(args.length / 2);
          events.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
          events.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] }));
          events.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }));
        });
        return { kind: 'stream', events: [...events, chunk({}, 'tool_calls'), ...usageChunk] };
      }
      case 'fail-before':
        return { kind: 'error', status: 429, body: { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } } };
      case 'fail-mid':
        if (!stream) return { kind: 'destroy' };
        // What OpenRouter and vLLM send when the model behind them fails mid-answer: an error
        // object on its own chunk, then the usual [DONE].
        return {
          kind: 'stream',
          events: [chunk({ role: 'assistant', content: '' }), chunk({ content: answer.text }), { error: { message: 'The model broke', type: 'server_error', code: 502 } }],
        };
    }
  }
}

// ---- codex (ChatGPT backend, Responses over SSE, §1) ---------------------------------------------

const CODEX_USAGE = {
  input_tokens: USAGE.input,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: USAGE.output,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: USAGE.input + USAGE.output,
};

export class CodexUpstream implements UpstreamHarness {
  readonly kind = 'codex' as const;
  readonly model = 'gpt-5.1-codex';
  readonly reasoningAsked = 'high';
  readonly fake = new FakeCodexBackend();
  private readonly answers = new Plan();

  async start(): Promise<void> {
    await this.fake.start();
    this.fake.responder = () => this.scenario();
  }
  stop = () => this.fake.stop();
  providersYaml = () => `
  codex:
    base_url: ${this.fake.httpUrl}`;
  async seed(home: string): Promise<void> {
    const store = SqliteAccountStore.open({ home });
    await store.save({ provider: 'codex', accountId: 'default', tokens: { accessToken: 'codex-token' }, claims: { chatgpt_account_id: 'acc-1' } });
    await store.close();
  }
  plan = (...answers: Answer[]) => this.answers.set(answers);
  reset = () => this.answers.set([]);
  requestCount = () => this.fake.requests.length;
  lastBody = () => this.fake.lastRequest.body as Json;

  private items = (body: Json): Json[] => (typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input ?? []);
  userText(body: Json): string {
    const user = [...this.items(body)].reverse().find((i) => i.role === 'user');
    return textOf(user?.content, 'input_text');
  }
  toolNames = (body: Json) => ((body.tools ?? []) as Json[]).map((t) => t.name);
  toolResults = (body: Json) =>
    this.items(body).filter((i) => i.type === 'function_call_output').map((i) => ({ id: i.call_id, output: textOf(i.output, 'input_text') }));
  reasoning = (body: Json) => body.reasoning?.effort as string | undefined;
  image(body: Json): string | undefined {
    const user = [...this.items(body)].reverse().find((i) => i.role === 'user');
    const part = Array.isArray(user?.content) ? user.content.find((p: Json) => p.type === 'input_image') : undefined;
    return part?.image_url;
  }

  private scenario(): CodexScenario | undefined {
    const answer = this.answers.next();
    if (!answer) return undefined;
    switch (answer.kind) {
      case 'text':
        return answer.reasoning
          ? { kind: 'stream', answer: 'text', text: answer.text, reasoningSummary: answer.reasoning, usage: CODEX_USAGE }
          : { kind: 'stream', answer: 'text', text: answer.text, reasoning: false, usage: CODEX_USAGE };
      case 'tools':
        return {
          kind: 'stream',
          answer: 'function_call',
          functionCalls: answer.calls.map((c) => ({ name: c.name, arguments: JSON.stringify(c.args), callId: c.id })),
          usage: CODEX_USAGE,
        };
      case 'fail-before':
        return { kind: 'usage_limit', resetsInSeconds: 60 };
      case 'fail-mid':
        // created, in_progress, output_item.added, content_part.added, the first text delta: then failed.
        return { kind: 'stream', answer: 'text', text: `${answer.text} and more`, reasoning: false, failAfter: 5, failure: { code: 'server_error', message: 'The model broke' } };
    }
  }
}

// ---- claude (Anthropic Messages, §3) -------------------------------------------------------------

const CLAUDE_USAGE = { input_tokens: USAGE.input, output_tokens: USAGE.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

export class ClaudeUpstream implements UpstreamHarness {
  readonly kind = 'claude' as const;
  readonly model = 'claude-sonnet-5-5';
  /** `reasoning_effort: high` and a 24576-token thinking budget mean the same (reasoning-levels.ts). */
  readonly reasoningAsked = 'budget 24576';
  readonly fake = new FakeAnthropicUpstream();
  private readonly answers = new Plan();

  async start(): Promise<void> {
    await this.fake.start();
    this.fake.responder = (body) => this.scenario(body);
  }
  stop = () => this.fake.stop();
  providersYaml = () => `
  claude:
    base_url: ${this.fake.url}
    api_key: ${FAKE_API_KEY}`;
  seed = async () => undefined;
  plan = (...answers: Answer[]) => this.answers.set(answers);
  reset = () => this.answers.set([]);
  requestCount = () => this.fake.requests.length;
  lastBody = () => this.fake.lastRequest.body as Json;

  private lastUser = (body: Json): Json | undefined => [...(body.messages as Json[])].reverse().find((m) => m.role === 'user');
  userText = (body: Json) => textOf(this.lastUser(body)?.content, 'text');
  toolNames = (body: Json) => ((body.tools ?? []) as Json[]).map((t) => t.name);
  toolResults(body: Json): ToolResult[] {
    const content = this.lastUser(body)?.content;
    const blocks: Json[] = Array.isArray(content) ? content : [];
    return blocks.filter((b) => b.type === 'tool_result').map((b) => ({ id: b.tool_use_id, output: textOf(b.content, 'text') }));
  }
  reasoning = (body: Json) => (body.thinking?.type === 'enabled' ? `budget ${body.thinking.budget_tokens}` : body.thinking?.type);
  image(body: Json): string | undefined {
    const content = this.lastUser(body)?.content;
    const block = Array.isArray(content) ? content.find((b: Json) => b.type === 'image') : undefined;
    return block?.source?.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block?.source?.url;
  }

  private scenario(body: Json): AnthropicScenario | undefined {
    const answer = this.answers.next();
    if (!answer) return undefined;
    switch (answer.kind) {
      case 'text':
        return { kind: 'answer', answer: 'text', text: answer.text, thinking: answer.reasoning ?? false, usage: CLAUDE_USAGE };
      case 'tools':
        return { kind: 'answer', answer: 'tool_use', thinking: false, toolUses: answer.calls.map((c) => ({ id: c.id, name: c.name, input: c.args })), usage: CLAUDE_USAGE };
      case 'fail-before':
        return { kind: 'rate_limit', retryAfterSeconds: 1 };
      case 'fail-mid':
        // message_start, content_block_start, ping, the first text delta: then `event: error`.
        return body.stream === true
          ? { kind: 'answer', answer: 'text', text: `${answer.text} and more`, thinking: false, errorAfter: 4, error: { type: 'overloaded_error', message: 'Overloaded' } }
          : { kind: 'answer', answer: 'text', text: answer.text, thinking: false, dropAfter: 0 };
    }
  }
}

// ---- gemini (Generative Language API by key, §6.3, §6.4) -------------------------------------------

export class GeminiUpstream implements UpstreamHarness {
  readonly kind = 'gemini' as const;
  readonly model = 'gemini-2.5-pro';
  /** Effort `high` and a 24576-token thinking budget both become thinkingBudget 24576. */
  readonly reasoningAsked = 'budget 24576';
  readonly fake = new FakeGeminiApi();
  private readonly answers = new Plan();
  /** The calls of the last tools answer: Gemini's calls have no ids, its results name the call. */
  private calls: readonly ToolCall[] = [];

  async start(): Promise<void> {
    await this.fake.start();
    this.fake.responder = (body) => this.scenario(body);
  }
  stop = () => this.fake.stop();
  providersYaml = () => `
  gemini:
    base_url: ${this.fake.origin}
    api_key: gemini-key-1`;
  seed = async () => undefined;
  plan = (...answers: Answer[]) => this.answers.set(answers);
  reset = () => this.answers.set([]);
  requestCount = () => this.fake.generations.length;
  lastBody = () => this.fake.lastGeneration().body as Json;

  private lastUserParts(body: Json): Json[] {
    const user = [...((body.contents ?? []) as Json[])].reverse().find((c) => c.role === 'user' && (c.parts ?? []).some((p: Json) => typeof p.text === 'string' || p.inlineData));
    return user?.parts ?? [];
  }
  userText = (body: Json) => this.lastUserParts(body).filter((p) => typeof p.text === 'string').map((p) => p.text).join('');
  toolNames = (body: Json) => ((body.tools ?? []) as Json[]).flatMap((t) => (t.functionDeclarations ?? []).map((d: Json) => d.name));
  /** Each functionResponse, in order, under the id of the call it answers (matched by name and place, as Gemini does). */
  toolResults(body: Json): ToolResult[] {
    const turn = ((body.contents ?? []) as Json[]).at(-1);
    const responses = ((turn?.parts ?? []) as Json[]).filter((p) => p.functionResponse).map((p) => p.functionResponse);
    return responses.map((r: Json, i: number) => ({
      id: this.calls[i]?.name === r.name ? this.calls[i].id : `no call named ${r.name} at ${i}`,
      output: typeof r.response?.result === 'string' ? r.response.result : JSON.stringify(r.response),
    }));
  }
  reasoning = (body: Json) => {
    const budget = body.generationConfig?.thinkingConfig?.thinkingBudget;
    return budget === undefined ? undefined : `budget ${budget}`;
  };
  image(body: Json): string | undefined {
    const part = this.lastUserParts(body).find((p) => p.inlineData);
    return part ? `data:${part.inlineData.mimeType};base64,${part.inlineData.data}` : undefined;
  }

  private scenario(_body: Json): GeminiScenario | undefined {
    const answer = this.answers.next();
    if (!answer) return undefined;
    switch (answer.kind) {
      case 'text':
        return { kind: 'text', text: answer.text, ...(answer.reasoning ? { thought: answer.reasoning } : {}) };
      case 'tools':
        this.calls = answer.calls;
        return { kind: 'tools', calls: answer.calls.map((c) => ({ name: c.name, args: c.args })) };
      case 'fail-before':
        return { kind: 'quota', retryDelay: '1s' };
      case 'fail-mid':
        return { kind: 'fail-mid', text: answer.text };
    }
  }
}

// ---- kiro (generateAssistantResponse, AWS event-stream frames, §7 "Kiro") ------------------------

export class KiroUpstream implements UpstreamHarness {
  readonly kind = 'kiro' as const;
  readonly model = 'kiro-claude-sonnet-4-5';
  /** High effort and a 24576-token budget both become Kiro's longest thinking, 24576 (kiro-thinking.ts). */
  readonly reasoningAsked = 'budget 24576';
  readonly fake = new FakeKiro();
  private readonly answers = new Plan();

  async start(): Promise<void> {
    await this.fake.start();
    this.fake.usage = USAGE;
    this.fake.responder = () => this.scenario();
  }
  stop = () => this.fake.stop();
  providersYaml = () => `
  kiro:
    base_url: ${this.fake.origin}`;
  async seed(home: string): Promise<void> {
    const store = SqliteAccountStore.open({ home });
    await store.save({
      provider: 'kiro',
      accountId: 'default',
      tokens: { accessToken: this.fake.issueAccessToken(Date.now() + 86_400_000), refreshToken: this.fake.issueRefreshToken() },
      expiresAt: Date.now() + 86_400_000,
      claims: { auth_method: 'social', profile_arn: KIRO_PROFILE_ARN },
    });
    await store.close();
  }
  plan = (...answers: Answer[]) => this.answers.set(answers);
  reset = () => this.answers.set([]);
  requestCount = () => this.fake.calls('/generateAssistantResponse').length;
  lastBody = () => this.fake.calls('/generateAssistantResponse').at(-1)!.body as Json;

  private current = (body: Json): Json => body.conversationState.currentMessage.userInputMessage;
  /** The user's words, without the system prompt the translator puts before them. */
  userText = (body: Json) => String(this.current(body).content).replace(/^--- SYSTEM PROMPT ---\n[\s\S]*?\n--- END SYSTEM PROMPT ---\n\n/, '');
  toolNames = (body: Json) => ((this.current(body).userInputMessageContext?.tools ?? []) as Json[]).map((t) => t.toolSpecification.name);
  toolResults = (body: Json) =>
    ((this.current(body).userInputMessageContext?.toolResults ?? []) as Json[]).map((r) => ({ id: r.toolUseId, output: (r.content as Json[]).map((c) => c.text).join('') }));
  /** The thinking length the current message's tags switch on (Kiro has no thinking field). */
  reasoning(body: Json): string | undefined {
    const tags = /<thinking_mode>enabled<\/thinking_mode><max_thinking_length>(\d+)<\/max_thinking_length>/.exec(String(this.current(body).content));
    return tags ? `budget ${tags[1]}` : undefined;
  }
  image(body: Json): string | undefined {
    const image = (this.current(body).images as Json[] | undefined)?.[0];
    return image ? `data:image/${image.format};base64,${image.source.bytes}` : undefined;
  }

  private scenario(): KiroAnswer | undefined {
    const answer = this.answers.next();
    if (!answer) return undefined;
    switch (answer.kind) {
      case 'text':
        return { kind: 'text', text: answer.text, reasoning: answer.reasoning };
      case 'tools':
        return { kind: 'tools', calls: answer.calls.map((c) => ({ id: c.id, name: c.name, input: c.args })) };
      case 'fail-before':
        return { kind: 'status', status: 429, type: 'ThrottlingException', message: 'Rate exceeded' };
      case 'fail-mid':
        return { kind: 'exception', text: answer.text, type: 'InternalServerException', message: 'The model broke' };
    }
  }
}

export function harnessFor(kind: UpstreamKind): UpstreamHarness {
  switch (kind) {
    case 'openai-compatible':
      return new ChatUpstream();
    case 'codex':
      return new CodexUpstream();
    case 'claude':
      return new ClaudeUpstream();
    case 'gemini':
      return new GeminiUpstream();
    case 'kiro':
      return new KiroUpstream();
  }
}
