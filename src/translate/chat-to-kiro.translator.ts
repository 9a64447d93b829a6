// Turns a Chat Completions request into Kiro's generateAssistantResponse request (reference/
// wire-protocols.md §4.1 → §7 "Kiro"), for a chat client (and, composed, a Responses, Messages or
// Gemini client) of a Kiro model. Kiro has no system field and wants a conversation whose last
// turn is the user's: system messages go at the head of the current message (between markers, as
// CLIProxyAPI sends them), adjacent turns of one role are merged, tool results ride on the next
// user turn's context (or on the current message), an answer that ends on the assistant's turn
// gets a "Continue" user turn, and a turn with no text gets a placeholder (Kiro refuses empty
// content). Tools go on the current message only. The model and the profile ARN are the
// executor's to fill in: `modelId` is left empty here and `model` stays on the body for routing.
// Kiro has no thinking field either: a `reasoning_effort` becomes the thinking tags at the head of
// the system block (kiro-thinking.ts), unless the client's text already has its own.
import { randomUUID } from 'node:crypto';
import type {
  KiroAssistantResponseMessage,
  KiroHistoryMessage,
  KiroImage,
  KiroInferenceConfig,
  KiroRequest,
  KiroTool,
  KiroToolResult,
  KiroToolUse,
  KiroUserInputMessage,
} from '../protocol/kiro-assistant-response';
import { KIRO_SYSTEM_PROMPT_CLOSE, KIRO_SYSTEM_PROMPT_OPEN } from '../protocol/kiro-assistant-response';
import { isObject } from '../protocol/json-object';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage } from '../protocol/openai-chat';
import { kiroThinkingConfigured, kiroThinkingLengthForEffort, withKiroThinking } from './kiro-thinking';
import { TranslationRefusal } from './translation-refusal';

const TOOL_RESULTS_PLACEHOLDER = 'Tool results provided.';
const CONTINUE_PLACEHOLDER = 'Continue';
const IMAGE_FORMATS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

interface UserTurn {
  text: string[];
  images: KiroImage[];
  results: KiroToolResult[];
}

type Turn = { role: 'user'; user: UserTurn } | { role: 'assistant'; text: string[]; toolUses: KiroToolUse[] };

export class ChatToKiroTranslator {
  translate(request: ChatCompletionRequest): KiroRequest {
    const system: string[] = [];
    const turns: Turn[] = [];
    (request.messages ?? []).forEach((message, index) => {
      if (!isObject(message)) return;
      switch (message.role) {
        case 'system':
        case 'developer':
          system.push(...texts(message.content));
          break;
        case 'assistant':
          addAssistant(turns, texts(message.content), toolUses(message));
          break;
        case 'tool':
        case 'function':
          userTurn(turns).results.push(toolResult(message));
          break;
        default:
          addUser(turns, message.content, index);
      }
    });

    // Kiro answers the user: a conversation ending on the assistant's turn is asked to go on.
    if (turns.at(-1)?.role !== 'user') turns.push({ role: 'user', user: { text: [CONTINUE_PLACEHOLDER], images: [], results: [] } });
    const current = turns.pop() as Extract<Turn, { role: 'user' }>;
    const history = turns.map(historyMessage);
    const message = userMessage(current.user);
    if (system.length > 0) message.content = `${KIRO_SYSTEM_PROMPT_OPEN}${system.join('\n')}${KIRO_SYSTEM_PROMPT_CLOSE}${message.content}`;
    const thinking = kiroThinkingLengthForEffort(request.reasoning_effort);
    if (thinking !== undefined && !kiroThinkingConfigured(message.content)) message.content = withKiroThinking(message.content, thinking);
    const tools = kiroTools(request);
    if (tools.length > 0) message.userInputMessageContext = { ...message.userInputMessageContext, tools };

    const body: KiroRequest = {
      model: request.model,
      conversationState: { chatTriggerType: 'MANUAL', conversationId: randomUUID(), currentMessage: { userInputMessage: message }, history },
    };
    const inference = inferenceConfig(request);
    if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
    return body;
  }
}

/** The last turn when it is the user's (tool results join it), else a new user turn. */
function userTurn(turns: Turn[]): UserTurn {
  const last = turns.at(-1);
  if (last?.role === 'user') return last.user;
  const user: UserTurn = { text: [], images: [], results: [] };
  turns.push({ role: 'user', user });
  return user;
}

function addUser(turns: Turn[], content: ChatMessage['content'], index: number): void {
  const user = userTurn(turns);
  if (!Array.isArray(content)) {
    if (typeof content === 'string' && content !== '') user.text.push(content);
    return;
  }
  content.forEach((part: ChatContentPart, partIndex) => {
    if (!isObject(part)) return;
    const raw = part as Record<string, unknown>;
    if (raw.type === 'text' && typeof raw.text === 'string') {
      if (raw.text !== '') user.text.push(raw.text);
    } else if (raw.type === 'image_url') {
      const image = raw.image_url;
      const url = typeof image === 'string' ? image : isObject(image) && typeof image.url === 'string' ? image.url : '';
      user.images.push(kiroImage(url, `messages[${index}].content[${partIndex}]`));
    } else {
      throw new TranslationRefusal(`Kiro takes text and images in a user message, not "${String(raw.type)}" parts`, {
        code: 'unsupported_input',
        param: `messages[${index}].content[${partIndex}]`,
      });
    }
  });
}

function addAssistant(turns: Turn[], text: string[], uses: KiroToolUse[]): void {
  const last = turns.at(-1);
  if (last?.role === 'assistant') {
    last.text.push(...text);
    last.toolUses.push(...uses);
  } else turns.push({ role: 'assistant', text, toolUses: uses });
}

/** Kiro takes images inline only, as base64 bytes with their format. */
function kiroImage(url: string, param: string): KiroImage {
  const match = /^data:([^;,]+);base64,(.*)$/is.exec(url.trim());
  const format = match ? IMAGE_FORMATS[match[1].toLowerCase()] : undefined;
  if (!match || !format) {
    throw new TranslationRefusal('Kiro takes images only as base64 data URLs (PNG, JPEG, GIF or WebP)', { code: 'unsupported_input', param });
  }
  return { format, source: { bytes: match[2] } };
}

function texts(content: ChatMessage['content']): string[] {
  if (typeof content === 'string') return content === '' ? [] : [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (isObject(part) && part.type === 'text' && typeof part.text === 'string' && part.text !== '' ? [part.text] : []));
}

function toolUses(message: ChatMessage): KiroToolUse[] {
  return (Array.isArray(message.tool_calls) ? message.tool_calls : []).flatMap((call): KiroToolUse[] => {
    if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') return [];
    return [{ toolUseId: typeof call.id === 'string' ? call.id : randomUUID(), name: call.function.name, input: inputObject(call.function.arguments) }];
  });
}

/** Kiro wants a call's input as an object: arguments that are not a JSON object become `{}`. */
function inputObject(args: unknown): Record<string, unknown> {
  if (typeof args !== 'string') return isObject(args) ? args : {};
  try {
    const parsed: unknown = JSON.parse(args);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function toolResult(message: ChatMessage): KiroToolResult {
  const text = typeof message.content === 'string' ? message.content : texts(message.content).join('');
  return { toolUseId: typeof message.tool_call_id === 'string' ? message.tool_call_id : '', status: 'success', content: [{ text }] };
}

function userMessage(user: UserTurn): KiroUserInputMessage {
  const text = user.text.join('\n');
  const message: KiroUserInputMessage = {
    content: text.trim() !== '' ? text : user.results.length > 0 ? TOOL_RESULTS_PLACEHOLDER : CONTINUE_PLACEHOLDER,
    modelId: '',
    origin: 'AI_EDITOR',
  };
  if (user.images.length > 0) message.images = user.images;
  if (user.results.length > 0) message.userInputMessageContext = { toolResults: user.results };
  return message;
}

function historyMessage(turn: Turn): KiroHistoryMessage {
  if (turn.role === 'user') return { userInputMessage: userMessage(turn.user) };
  const message: KiroAssistantResponseMessage = { content: turn.text.join('\n') };
  if (turn.toolUses.length > 0) message.toolUses = turn.toolUses;
  return { assistantResponseMessage: message };
}

function kiroTools(request: ChatCompletionRequest): KiroTool[] {
  if (request.tool_choice === 'none') return [];
  return (request.tools ?? []).flatMap((tool): KiroTool[] => {
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function) || typeof tool.function.name !== 'string') return [];
    const { name, description, parameters } = tool.function;
    // Kiro requires a description and a schema; an empty object schema stands for "no parameters".
    return [{ toolSpecification: { name, description: description || name, inputSchema: { json: isObject(parameters) ? parameters : { type: 'object', properties: {} } } } }];
  });
}

function inferenceConfig(request: ChatCompletionRequest): KiroInferenceConfig {
  const config: KiroInferenceConfig = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') config.maxTokens = maxTokens;
  if (typeof request.temperature === 'number') config.temperature = request.temperature;
  if (typeof request.top_p === 'number') config.topP = request.top_p;
  return config;
}
