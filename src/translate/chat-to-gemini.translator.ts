// Turns a Chat Completions request into a Gemini generateContent request (reference/
// wire-protocols.md §4.1 → §6.1/§6.3), for a chat client (and, composed, a Responses or Messages
// client) of a Gemini model: system messages as systemInstruction, turns as user/model contents
// (adjacent turns of one role merged, a batch of tool results as one user turn of
// functionResponses named after their calls), images as inlineData, tools as
// functionDeclarations, reasoning_effort as a thinkingConfig budget. The model and the stream
// flag go in the URL, so they stay on the body only for routing; the executor takes them out.
import { Buffer } from 'node:buffer';
import type {
  GeminiContent,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiRequest,
  GeminiTool,
  GeminiToolConfig,
} from '../protocol/gemini-generate-content';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatToolChoice } from '../protocol/openai-chat';
import { isObject } from '../protocol/json-object';
import { THINKING_BUDGETS } from '../protocol/reasoning-levels';
import { argsObject, signatureOfCallId } from './gemini-answer-fields';

export class ChatToGeminiTranslator {
  translate(request: ChatCompletionRequest): GeminiRequest {
    const system: GeminiPart[] = [];
    const contents: GeminiContent[] = [];
    /** Tool call id → function name, for the results that answer them. */
    const callNames = new Map<string, string>();

    for (const message of request.messages ?? []) {
      if (!isObject(message)) continue;
      switch (message.role) {
        case 'system':
        case 'developer':
          system.push(...textParts(message.content));
          break;
        case 'assistant':
          push(contents, 'model', assistantParts(message, callNames));
          break;
        case 'tool':
        case 'function':
          push(contents, 'user', [toolResultPart(message, callNames)]);
          break;
        default:
          push(contents, 'user', userParts(message.content));
      }
    }

    const body: GeminiRequest = { model: request.model, contents };
    if (request.stream === true) body.stream = true;
    if (system.length > 0) body.systemInstruction = { parts: system };
    const tools = geminiTools(request);
    if (tools) body.tools = tools;
    const toolConfig = geminiToolConfig(request.tool_choice);
    if (toolConfig && tools) body.toolConfig = toolConfig;
    const generationConfig = geminiGenerationConfig(request);
    if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
    return body;
  }
}

/** Appends parts to the last content when it has the same role (Gemini wants turns to alternate). */
function push(contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function textParts(content: ChatMessage['content']): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part): GeminiPart[] => (isObject(part) && part.type === 'text' && typeof part.text === 'string' && part.text !== '' ? [{ text: part.text }] : []));
}

function userParts(content: ChatMessage['content']): GeminiPart[] {
  if (!Array.isArray(content)) return textParts(content);
  return content.flatMap((part): GeminiPart[] => {
    const converted = contentPart(part);
    return converted ? [converted] : [];
  });
}

function contentPart(part: ChatContentPart): GeminiPart | undefined {
  if (!isObject(part)) return undefined;
  const raw = part as Record<string, unknown>;
  switch (raw.type) {
    case 'text':
      return typeof raw.text === 'string' && raw.text !== '' ? { text: raw.text } : undefined;
    case 'image_url': {
      const image = raw.image_url;
      const url = typeof image === 'string' ? image : isObject(image) && typeof image.url === 'string' ? image.url : undefined;
      return url === undefined ? undefined : urlPart(url);
    }
    case 'file': {
      const file = isObject(raw.file) ? raw.file : {};
      return typeof file.file_data === 'string' ? urlPart(file.file_data) : undefined;
    }
    default:
      return undefined;
  }
}

/** A data URL inline; an http(s) URL as fileData (Gemini fetches what it can). */
function urlPart(url: string): GeminiPart | undefined {
  if (/^https?:\/\//i.test(url)) return { fileData: { fileUri: url, mimeType: guessMime(url) } };
  const data = parseDataUrl(url);
  return data ? { inlineData: { mimeType: data.mediaType, data: data.base64 } } : undefined;
}

function guessMime(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const known: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf' };
  return (ext && known[ext]) ?? 'image/jpeg';
}

function parseDataUrl(url: string): { mediaType: string; base64: string } | undefined {
  const match = /^data:([^,]*?),(.*)$/is.exec(url.trim());
  if (!match) return undefined;
  const params = match[1].split(';');
  const mediaType = params[0].trim().toLowerCase();
  if (mediaType === '') return undefined;
  const isBase64 = params.slice(1).some((p) => p.trim().toLowerCase() === 'base64');
  try {
    return { mediaType, base64: isBase64 ? match[2] : Buffer.from(decodeURIComponent(match[2]), 'utf8').toString('base64') };
  } catch {
    return undefined;
  }
}

/**
 * An assistant turn: its text, then its calls as functionCall parts, each with the thought
 * signature its id carries (geminiCallId). Reasoning text is not sent back: Gemini's thoughts are
 * summaries, and what it needs of them is the signature.
 */
function assistantParts(message: ChatMessage, callNames: Map<string, string>): GeminiPart[] {
  const parts = textParts(message.content);
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') continue;
    if (typeof call.id === 'string') callNames.set(call.id, call.function.name);
    const part: GeminiPart = { functionCall: { name: call.function.name, args: argsObject(call.function.arguments) } };
    const signature = signatureOfCallId(call.id);
    if (signature) part.thoughtSignature = signature;
    parts.push(part);
  }
  return parts;
}

/** A tool result as a functionResponse named after the call it answers (Gemini matches them by name and order). */
function toolResultPart(message: ChatMessage, callNames: Map<string, string>): GeminiPart {
  const name = (typeof message.tool_call_id === 'string' ? callNames.get(message.tool_call_id) : undefined) ?? message.name ?? 'tool';
  const text = typeof message.content === 'string' ? message.content : textParts(message.content).map((p) => p.text).join('');
  return { functionResponse: { name, response: resultObject(text) } };
}

/** Gemini wants an object: a JSON object result as it is, anything else as `{result}`. */
function resultObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) return parsed;
  } catch {
    // Not JSON: plain text.
  }
  return { result: text };
}

function geminiTools(request: ChatCompletionRequest): GeminiTool[] | undefined {
  const declarations = (request.tools ?? []).flatMap((tool) => {
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function) || typeof tool.function.name !== 'string') return [];
    const { name, description, parameters } = tool.function;
    return [{ name, ...(description ? { description } : {}), ...(parameters ? { parametersJsonSchema: parameters } : {}) }];
  });
  return declarations.length > 0 ? [{ functionDeclarations: declarations }] : undefined;
}

function geminiToolConfig(choice: ChatToolChoice | undefined): GeminiToolConfig | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (isObject(choice) && choice.type === 'function') return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  if (isObject(choice) && choice.type === 'allowed_tools') {
    const names = choice.allowed_tools.tools.map((tool) => tool.function.name);
    return { functionCallingConfig: { mode: choice.allowed_tools.mode === 'required' ? 'ANY' : 'AUTO', allowedFunctionNames: names } };
  }
  return undefined;
}

function geminiGenerationConfig(request: ChatCompletionRequest): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (typeof request.temperature === 'number') config.temperature = request.temperature;
  if (typeof request.top_p === 'number') config.topP = request.top_p;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') config.maxOutputTokens = maxTokens;
  const stop = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? request.stop : [];
  if (stop.length > 0) config.stopSequences = stop;
  const format = request.response_format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }
  const effort = typeof request.reasoning_effort === 'string' ? request.reasoning_effort.trim().toLowerCase() : undefined;
  if (effort === 'none') config.thinkingConfig = { thinkingBudget: 0 };
  else if (effort !== undefined && Object.hasOwn(THINKING_BUDGETS, effort)) {
    // Asking for effort means wanting to see the thinking: its summaries come back as thoughts.
    config.thinkingConfig = { thinkingBudget: THINKING_BUDGETS[effort], includeThoughts: true };
  }
  return config;
}
