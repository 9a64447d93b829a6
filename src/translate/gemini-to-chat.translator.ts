// Turns a Gemini generateContent request into a Chat Completions request (reference/
// wire-protocols.md §6.3 → §4.1), for a Gemini client (the genai SDK, Gemini CLI with an API key)
// of a model served by any other protocol (composed through chat). Gemini's function calls have
// no ids (newer models sometimes do): they are made up per call, and each functionResponse is
// matched to its call by id when it has one, else to the first unanswered call of its name, else
// to the first unanswered call. Hosted tools (googleSearch, codeExecution…) exist only on Gemini
// and are refused.
import type { GeminiContent, GeminiPart, GeminiRequest, GeminiToolConfig } from '../protocol/gemini-generate-content';
import type { ChatCompletionRequest, ChatContentPart, ChatFunctionTool, ChatMessage, ChatToolCall, ChatToolChoice } from '../protocol/openai-chat';
import { isObject } from '../protocol/json-object';
import { REASONING_EFFORT_BY_LEVEL } from '../protocol/reasoning-levels';
import { effortForThinking } from './thinking-projection';
import { TranslationRefusal } from './translation-refusal';

interface OpenCall {
  id: string;
  name: string;
  answered: boolean;
}

export class GeminiToChatTranslator {
  translate(request: GeminiRequest): ChatCompletionRequest {
    const messages: ChatMessage[] = [];
    const system = partsText(request.systemInstruction?.parts);
    if (system !== '') messages.push({ role: 'system', content: system });

    let calls: OpenCall[] = [];
    (request.contents ?? []).forEach((content, turn) => {
      if (!isObject(content) || !Array.isArray(content.parts)) return;
      if (content.role === 'model') {
        calls = [];
        messages.push(assistantMessage(content, turn, calls));
      } else {
        messages.push(...userMessages(content, turn, calls));
      }
    });

    const body: ChatCompletionRequest = { model: request.model ?? '', messages };
    if (request.stream === true) body.stream = true;
    const tools = chatTools(request);
    if (tools.length > 0) body.tools = tools;
    const choice = chatToolChoice(request.toolConfig);
    if (choice !== undefined && tools.length > 0) body.tool_choice = choice;
    applyGenerationConfig(body, request);
    return body;
  }
}

function partsText(parts: GeminiPart[] | undefined): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .filter((p) => isObject(p) && typeof p.text === 'string' && p.thought !== true)
    .map((p) => p.text)
    .join('\n');
}

/** A model turn: its answer text and its calls (thoughts are Gemini's own and stay behind). */
function assistantMessage(content: GeminiContent, turn: number, calls: OpenCall[]): ChatMessage {
  let text = '';
  const toolCalls: ChatToolCall[] = [];
  content.parts.forEach((part, index) => {
    if (!isObject(part) || part.thought === true) return;
    if (typeof part.text === 'string') text += part.text;
    const call = part.functionCall;
    if (isObject(call) && typeof call.name === 'string') {
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${turn}_${index}`;
      calls.push({ id, name: call.name, answered: false });
      toolCalls.push({ id, type: 'function', function: { name: call.name, arguments: JSON.stringify(isObject(call.args) ? call.args : {}) } });
    }
  });
  const message: ChatMessage = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** A user turn: its function responses as tool messages first (chat wants them right after the calls), then its content. */
function userMessages(content: GeminiContent, turn: number, calls: OpenCall[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  content.parts.forEach((part, index) => {
    if (!isObject(part)) return;
    const response = part.functionResponse;
    if (isObject(response)) {
      const call = matchCall(calls, response.id, response.name);
      const id = call?.id ?? `call_${turn}_${index}`;
      out.push({ role: 'tool', tool_call_id: id, content: resultText(response.response) });
      return;
    }
    if (typeof part.text === 'string' && part.thought !== true) parts.push({ type: 'text', text: part.text });
    else if (isObject(part.inlineData)) {
      const url = `data:${part.inlineData.mimeType};base64,${part.inlineData.data}`;
      parts.push(part.inlineData.mimeType.startsWith('image/') ? { type: 'image_url', image_url: { url } } : { type: 'file', file: { file_data: url } });
    } else if (isObject(part.fileData) && typeof part.fileData.fileUri === 'string') {
      parts.push({ type: 'image_url', image_url: { url: part.fileData.fileUri } });
    }
  });
  if (parts.length > 0) {
    const onlyText = parts.every((p) => p.type === 'text');
    out.push({ role: 'user', content: onlyText ? parts.map((p) => (p as { text: string }).text).join('') : parts });
  }
  return out;
}

function matchCall(calls: OpenCall[], id: unknown, name: unknown): OpenCall | undefined {
  const open = calls.filter((c) => !c.answered);
  const call = (typeof id === 'string' ? open.find((c) => c.id === id) : undefined) ?? open.find((c) => c.name === name) ?? open[0];
  if (call) call.answered = true;
  return call;
}

/** A functionResponse's `response` as tool text: `{result}` / `{output}` unwrapped when it is a string, else JSON. */
function resultText(response: unknown): string {
  if (isObject(response)) {
    const keys = Object.keys(response);
    const only = keys.length === 1 ? response[keys[0]] : undefined;
    if ((keys[0] === 'result' || keys[0] === 'output' || keys[0] === 'content') && typeof only === 'string') return only;
  }
  return JSON.stringify(response ?? {});
}

function chatTools(request: GeminiRequest): ChatFunctionTool[] {
  const tools: ChatFunctionTool[] = [];
  (request.tools ?? []).forEach((tool, index) => {
    if (!isObject(tool)) return;
    const hosted = Object.keys(tool).filter((key) => key !== 'functionDeclarations');
    if (hosted.length > 0) {
      throw new TranslationRefusal(`the ${hosted[0]} tool is Gemini's own and this model cannot use it; offer functionDeclarations only`, {
        code: 'unsupported_tool',
        param: `tools[${index}].${hosted[0]}`,
      });
    }
    for (const declaration of tool.functionDeclarations ?? []) {
      if (!isObject(declaration) || typeof declaration.name !== 'string') continue;
      const schema = declaration.parametersJsonSchema ?? (declaration.parameters ? jsonSchemaOf(declaration.parameters) : undefined);
      tools.push({
        type: 'function',
        function: {
          name: declaration.name,
          ...(declaration.description ? { description: declaration.description } : {}),
          parameters: isObject(schema) ? schema : { type: 'object', properties: {} },
        },
      });
    }
  });
  return tools;
}

/** Gemini's OpenAPI-subset schema (`type: "OBJECT"`, the genai SDK's Type enum) as JSON Schema: types lower-cased. */
function jsonSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') out.type = value.toLowerCase();
    else if (key === 'properties' && isObject(value)) out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSchemaOf(v)]));
    else if (key === 'nullable') continue;
    else out[key] = jsonSchemaOf(value);
  }
  return out;
}

function chatToolChoice(config: GeminiToolConfig | undefined): ChatToolChoice | undefined {
  const calling = config?.functionCallingConfig;
  if (!isObject(calling)) return undefined;
  const names = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames.filter((n): n is string => typeof n === 'string') : [];
  switch (calling.mode) {
    case 'NONE':
      return 'none';
    case 'ANY':
    case 'VALIDATED':
      if (names.length === 1) return { type: 'function', function: { name: names[0] } };
      if (names.length > 1) return { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: names.map((name) => ({ type: 'function', function: { name } })) } };
      return 'required';
    case 'AUTO':
      if (names.length > 0) return { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: names.map((name) => ({ type: 'function', function: { name } })) } };
      return 'auto';
    default:
      return undefined;
  }
}

function applyGenerationConfig(body: ChatCompletionRequest, request: GeminiRequest): void {
  const config = request.generationConfig;
  if (!isObject(config)) return;
  if (typeof config.temperature === 'number') body.temperature = config.temperature;
  if (typeof config.topP === 'number') body.top_p = config.topP;
  if (typeof config.maxOutputTokens === 'number') body.max_tokens = config.maxOutputTokens;
  if (Array.isArray(config.stopSequences) && config.stopSequences.length > 0) body.stop = config.stopSequences;
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (config.responseMimeType === 'application/json') {
    body.response_format = isObject(schema)
      ? { type: 'json_schema', json_schema: { name: 'response', schema: (config.responseJsonSchema ?? jsonSchemaOf(schema)) as Record<string, unknown> } }
      : { type: 'json_object' };
  }
  const effort = reasoningEffortOf(config.thinkingConfig);
  if (effort) body.reasoning_effort = effort;
}

/**
 * A thinkingConfig as reasoning_effort: a level as its effort, a budget by the thresholds every
 * other budget goes by (thinking-projection.ts). -1 (the model decides) and 0 (off) ask for
 * nothing: the upstream's default, and no effort at all.
 */
function reasoningEffortOf(thinking: unknown): string | undefined {
  if (!isObject(thinking)) return undefined;
  const level = typeof thinking.thinkingLevel === 'string' ? thinking.thinkingLevel.toLowerCase() : undefined;
  if (level && Object.hasOwn(REASONING_EFFORT_BY_LEVEL, level)) return REASONING_EFFORT_BY_LEVEL[level as keyof typeof REASONING_EFFORT_BY_LEVEL];
  const budget = thinking.thinkingBudget;
  if (typeof budget === 'number' && budget > 0) return effortForThinking({ kind: 'budget', tokens: budget });
  return undefined;
}
