// One driver per client route of the conformance matrix, each using its official SDK the way an
// application does: `create()` for a whole answer, the stream helpers (`.stream()` with
// `finalChatCompletion()` / `finalResponse()` / `finalMessage()`) for a streamed one; Google's
// `@google/genai` with `generateContent` / `generateContentStream`. A driver
// turns the SDK's answer into the normalized Reply the cells compare, and rebuilds the next turn
// of a tool round trip in its own protocol from its own previous answer.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, type Content, type GenerateContentConfig, type GenerateContentResponse, type GoogleGenAI, type Part } from '@google/genai';
import OpenAI from 'openai';
import type { ClientRoute, Mode } from './cells';
import type { ToolCall, ToolResult } from './upstreams';

export interface Ask {
  user: string;
  /** A data URL sent with the user text. */
  image?: string;
  /** Offer the two tools of TOOLS. */
  tools?: boolean;
  /** Ask for effort `high` (chat, Responses) or a 24576-token thinking budget (Messages). */
  reasoning?: boolean;
}

export interface Reply {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  usage: { input: number; output: number };
  /** The SDK's own answer, for the next turn. */
  native: unknown;
}

export interface ClientDriver {
  readonly route: ClientRoute;
  ask(model: string, mode: Mode, ask: Ask): Promise<Reply>;
  /** Sends the tool results back after `first`, in the same conversation. */
  answerTools(model: string, mode: Mode, ask: Ask, first: Reply, results: readonly ToolResult[]): Promise<Reply>;
  /** The SDK's error class every API failure is an instance of. */
  readonly apiError: abstract new (...args: never[]) => Error;
  /** The error's type in the route's dialect (`rate_limit_error`, …), read from its body. */
  errorType(error: unknown): string | undefined;
}

interface ToolDefinition {
  name: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, { type: string }>; required: string[] };
}

export const TOOLS: readonly ToolDefinition[] = [
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  { name: 'get_time', description: 'Local time in a zone', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } },
];

export const THINKING_BUDGET = 24576;

// ---- OpenAI chat completions ---------------------------------------------------------------------

export class ChatClient implements ClientDriver {
  readonly route = 'chat' as const;
  readonly apiError = OpenAI.APIError;
  constructor(private readonly openai: OpenAI) {}

  ask(model: string, mode: Mode, ask: Ask): Promise<Reply> {
    return this.complete(mode, { model, messages: [this.userMessage(ask)], ...this.options(ask) });
  }

  answerTools(model: string, mode: Mode, ask: Ask, first: Reply, results: readonly ToolResult[]): Promise<Reply> {
    const assistant = (first.native as OpenAI.ChatCompletion).choices[0].message;
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      this.userMessage(ask),
      { role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls },
      ...results.map((r): OpenAI.ChatCompletionToolMessageParam => ({ role: 'tool', tool_call_id: r.id, content: r.output })),
    ];
    return this.complete(mode, { model, messages, ...this.options(ask) });
  }

  errorType(error: unknown): string | undefined {
    return error instanceof OpenAI.APIError ? (error.error as { type?: string } | undefined)?.type : undefined;
  }

  private userMessage(ask: Ask): OpenAI.ChatCompletionUserMessageParam {
    if (!ask.image) return { role: 'user', content: ask.user };
    return { role: 'user', content: [{ type: 'text', text: ask.user }, { type: 'image_url', image_url: { url: ask.image } }] };
  }

  private options(ask: Ask) {
    return {
      ...(ask.tools ? { tools: TOOLS.map((t): OpenAI.ChatCompletionTool => ({ type: 'function', function: { ...t, parameters: { ...t.parameters } } })) } : {}),
      ...(ask.reasoning ? { reasoning_effort: 'high' as const } : {}),
    };
  }

  private async complete(mode: Mode, params: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<Reply> {
    let completion: OpenAI.ChatCompletion;
    let reasoning = '';
    if (mode === 'stream') {
      const stream = this.openai.chat.completions.stream({ ...params, stream: true, stream_options: { include_usage: true } });
      // The helper keeps only the last fragment of fields it does not know, so collect them here.
      stream.on('chunk', (chunk) => (reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? ''));
      completion = await stream.finalChatCompletion();
    } else {
      completion = await this.openai.chat.completions.create(params);
      reasoning = (completion.choices[0].message as { reasoning_content?: string }).reasoning_content ?? '';
    }
    const message = completion.choices[0].message;
    return {
      text: message.content ?? '',
      reasoning,
      toolCalls: (message.tool_calls ?? []).map((call) => {
        const fn = (call as OpenAI.ChatCompletionMessageFunctionToolCall).function;
        return { id: call.id, name: fn.name, args: JSON.parse(fn.arguments) };
      }),
      usage: { input: completion.usage?.prompt_tokens ?? -1, output: completion.usage?.completion_tokens ?? -1 },
      native: completion,
    };
  }
}

// ---- OpenAI Responses --------------------------------------------------------------------------

export class ResponsesClient implements ClientDriver {
  readonly route = 'responses' as const;
  readonly apiError = OpenAI.APIError;
  constructor(private readonly openai: OpenAI) {}

  ask(model: string, mode: Mode, ask: Ask): Promise<Reply> {
    return this.respond(mode, { model, input: [this.userItem(ask)], ...this.options(ask) });
  }

  answerTools(model: string, mode: Mode, ask: Ask, first: Reply, results: readonly ToolResult[]): Promise<Reply> {
    const output = (first.native as OpenAI.Responses.Response).output as OpenAI.Responses.ResponseInputItem[];
    const input: OpenAI.Responses.ResponseInputItem[] = [
      this.userItem(ask),
      ...output,
      ...results.map((r): OpenAI.Responses.ResponseInputItem => ({ type: 'function_call_output', call_id: r.id, output: r.output })),
    ];
    return this.respond(mode, { model, input, ...this.options(ask) });
  }

  errorType(error: unknown): string | undefined {
    return error instanceof OpenAI.APIError ? (error.error as { type?: string } | undefined)?.type : undefined;
  }

  private userItem(ask: Ask): OpenAI.Responses.ResponseInputItem {
    const content: OpenAI.Responses.ResponseInputContent[] = [{ type: 'input_text', text: ask.user }];
    if (ask.image) content.push({ type: 'input_image', image_url: ask.image, detail: 'auto' });
    return { role: 'user', content };
  }

  private options(ask: Ask) {
    return {
      ...(ask.tools ? { tools: TOOLS.map((t): OpenAI.Responses.FunctionTool => ({ type: 'function', ...t, parameters: { ...t.parameters }, strict: false })) } : {}),
      ...(ask.reasoning ? { reasoning: { effort: 'high' as const, summary: 'auto' as const } } : {}),
    };
  }

  private async respond(mode: Mode, params: Omit<OpenAI.Responses.ResponseCreateParamsNonStreaming, 'stream'>): Promise<Reply> {
    const response: OpenAI.Responses.Response =
      mode === 'stream' ? await this.openai.responses.stream(params).finalResponse() : await this.openai.responses.create(params);
    const reasoning = response.output
      .filter((item): item is OpenAI.Responses.ResponseReasoningItem => item.type === 'reasoning')
      .flatMap((item) => item.summary.map((s) => s.text))
      .join('');
    return {
      text: response.output_text,
      reasoning,
      toolCalls: response.output
        .filter((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call')
        .map((call) => ({ id: call.call_id, name: call.name, args: JSON.parse(call.arguments) })),
      usage: { input: response.usage?.input_tokens ?? -1, output: response.usage?.output_tokens ?? -1 },
      native: response,
    };
  }
}

// ---- Anthropic Messages --------------------------------------------------------------------------

export class MessagesClient implements ClientDriver {
  readonly route = 'messages' as const;
  readonly apiError = Anthropic.APIError;
  constructor(private readonly anthropic: Anthropic) {}

  ask(model: string, mode: Mode, ask: Ask): Promise<Reply> {
    return this.send(mode, { model, messages: [this.userMessage(ask)], ...this.options(ask) });
  }

  answerTools(model: string, mode: Mode, ask: Ask, first: Reply, results: readonly ToolResult[]): Promise<Reply> {
    const previous = first.native as Anthropic.Message;
    const messages: Anthropic.MessageParam[] = [
      this.userMessage(ask),
      { role: 'assistant', content: previous.content },
      { role: 'user', content: results.map((r): Anthropic.ToolResultBlockParam => ({ type: 'tool_result', tool_use_id: r.id, content: r.output })) },
    ];
    return this.send(mode, { model, messages, ...this.options(ask) });
  }

  errorType(error: unknown): string | undefined {
    if (!(error instanceof Anthropic.APIError)) return undefined;
    const body = error.error as { type?: string; error?: { type?: string } } | undefined;
    return body?.type === 'error' ? body.error?.type : undefined;
  }

  private userMessage(ask: Ask): Anthropic.MessageParam {
    if (!ask.image) return { role: 'user', content: ask.user };
    const [, mediaType, data] = /^data:([^;]+);base64,(.*)$/.exec(ask.image) ?? [];
    return {
      role: 'user',
      content: [
        { type: 'text', text: ask.user },
        { type: 'image', source: { type: 'base64', media_type: mediaType as 'image/png', data } },
      ],
    };
  }

  private options(ask: Ask) {
    return {
      max_tokens: ask.reasoning ? 32000 : 1024,
      ...(ask.tools ? { tools: TOOLS.map((t): Anthropic.Tool => ({ name: t.name, description: t.description, input_schema: { ...t.parameters } })) } : {}),
      ...(ask.reasoning ? { thinking: { type: 'enabled' as const, budget_tokens: THINKING_BUDGET } } : {}),
    };
  }

  private async send(mode: Mode, params: Anthropic.MessageCreateParamsNonStreaming): Promise<Reply> {
    // A whole answer with a large max_tokens needs an explicit timeout: without one the SDK refuses
    // (it estimates more than 10 minutes), as it would for any application.
    const message =
      mode === 'stream' ? await this.anthropic.messages.stream(params).finalMessage() : await this.anthropic.messages.create(params, { timeout: 30_000 });
    return {
      text: message.content.filter((b): b is Anthropic.TextBlock => b.type === 'text').map((b) => b.text).join(''),
      reasoning: message.content.filter((b): b is Anthropic.ThinkingBlock => b.type === 'thinking').map((b) => b.thinking).join(''),
      toolCalls: message.content
        .filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')
        .map((b) => ({ id: b.id, name: b.name, args: b.input as Record<string, unknown> })),
      usage: { input: message.usage.input_tokens, output: message.usage.output_tokens },
      native: message,
    };
  }
}

// ---- Gemini generateContent (@google/genai) -------------------------------------------------------

export class GeminiClient implements ClientDriver {
  readonly route = 'gemini' as const;
  readonly apiError = ApiError;
  constructor(private readonly genai: GoogleGenAI) {}

  ask(model: string, mode: Mode, ask: Ask): Promise<Reply> {
    return this.generate(model, mode, [this.userContent(ask)], ask);
  }

  answerTools(model: string, mode: Mode, ask: Ask, first: Reply, results: readonly ToolResult[]): Promise<Reply> {
    const previous = first.native as Content;
    // Gemini matches a result to its call by name and place; the id goes back where the call had one.
    const contents: Content[] = [
      this.userContent(ask),
      previous,
      {
        role: 'user',
        parts: results.map((r, i): Part => ({ functionResponse: { ...(r.id ? { id: r.id } : {}), name: first.toolCalls[i].name, response: { result: r.output } } })),
      },
    ];
    return this.generate(model, mode, contents, ask);
  }

  /** The google.rpc.Status `status` of the error body (`RESOURCE_EXHAUSTED`, …). */
  errorType(error: unknown): string | undefined {
    if (!(error instanceof ApiError)) return undefined;
    try {
      return (JSON.parse(error.message) as { error?: { status?: string } }).error?.status;
    } catch {
      return undefined;
    }
  }

  private userContent(ask: Ask): Content {
    const parts: Part[] = [{ text: ask.user }];
    const image = ask.image && /^data:([^;]+);base64,(.*)$/.exec(ask.image);
    if (image) parts.push({ inlineData: { mimeType: image[1], data: image[2] } });
    return { role: 'user', parts };
  }

  private config(ask: Ask): GenerateContentConfig {
    return {
      ...(ask.tools ? { tools: [{ functionDeclarations: TOOLS.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: { ...t.parameters } })) }] } : {}),
      ...(ask.reasoning ? { thinkingConfig: { thinkingBudget: THINKING_BUDGET, includeThoughts: true } } : {}),
    };
  }

  private async generate(model: string, mode: Mode, contents: Content[], ask: Ask): Promise<Reply> {
    const params = { model, contents, config: this.config(ask) };
    const chunks: GenerateContentResponse[] = [];
    if (mode === 'stream') for await (const chunk of await this.genai.models.generateContentStream(params)) chunks.push(chunk);
    else chunks.push(await this.genai.models.generateContent(params));
    // The model turn as a whole: every part of every chunk, in order (signatures and ids kept), to send back.
    const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
    const usage = chunks.map((chunk) => chunk.usageMetadata).filter((u) => u !== undefined).at(-1);
    return {
      text: parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join(''),
      reasoning: parts.filter((p) => typeof p.text === 'string' && p.thought).map((p) => p.text).join(''),
      toolCalls: parts
        .filter((p) => p.functionCall)
        .map((p) => ({ id: p.functionCall!.id ?? '', name: p.functionCall!.name ?? '', args: (p.functionCall!.args ?? {}) as Record<string, unknown> })),
      usage: { input: usage?.promptTokenCount ?? -1, output: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0) || -1 },
      native: { role: 'model', parts } satisfies Content,
    };
  }
}
