// Responses API tools as Chat Completions function tools, and the way back: which Responses
// tool a chat tool call is a call of. Chat knows only flat functions with JSON arguments, so a
// `namespace` tool's functions are flattened to `<namespace>__<name>`, and a `custom` (freeform)
// tool becomes a function taking its text as one string argument, `input`. The answer
// translators undo both with the ResponsesToolNames of the request (a custom tool's call must
// reach the client as a `custom_tool_call`, or Codex CLI cannot run its apply_patch).
// Hosted tools (web search, file search, computer use…) run on OpenAI's servers: a chat model
// cannot run them, so they are refused rather than silently dropped.
import type { ChatFunctionTool, ChatToolChoice } from '../protocol/openai-chat';
import type { ResponsesCustomTool, ResponsesRequest, ResponsesToolChoice } from '../protocol/openai-responses';
import { isObject, type JsonObject } from '../protocol/json-object';
import { TranslationRefusal } from './translation-refusal';

/** Between a namespace and a function's name in the flat chat name (MCP tools use it already). */
export const NAMESPACE_SEPARATOR = '__';
/** The one argument a custom tool takes as a chat function. */
export const CUSTOM_TOOL_ARGUMENT = 'input';

/** The Responses tool a chat function stands for. */
export interface ResponsesToolOrigin {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

/** Chat function name → the Responses tool it stands for. */
export type ResponsesToolNames = ReadonlyMap<string, ResponsesToolOrigin>;

export function chatToolName(name: string, namespace?: string): string {
  return namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
}

/** A client-side tool in chat form, with the Responses tool it stands for. */
interface ChatTool {
  tool: ChatFunctionTool;
  origin: ResponsesToolOrigin;
}

/**
 * The chat tools of a request: its `tools` and those of its `additional_tools` input items (chat
 * declares every tool up front). Throws TranslationRefusal for a hosted tool, a malformed one,
 * or two that flatten to one name.
 */
export function chatToolsOf(request: Pick<ResponsesRequest, 'tools' | 'input'>): { tools: ChatFunctionTool[]; names: ResponsesToolNames } {
  const names = new Map<string, ResponsesToolOrigin>();
  const tools: ChatFunctionTool[] = [];
  const add = (declared: unknown, param: string) => {
    for (const { tool, origin } of chatTools(declared, param)) {
      const name = tool.function.name;
      const known = names.get(name);
      if (known && (known.kind !== origin.kind || known.name !== origin.name || known.namespace !== origin.namespace)) {
        throw new TranslationRefusal(
          `Two tools are both named \`${name}\` once namespaces are flattened for this model's provider (\`<namespace>${NAMESPACE_SEPARATOR}<name>\`); rename one.`,
          { code: 'unsupported_tool', param },
        );
      }
      if (known) continue; // declared again (an additional_tools item repeating one): once is enough
      names.set(name, origin);
      tools.push(tool);
    }
  };
  (Array.isArray(request.tools) ? request.tools : []).forEach((tool, i) => add(tool, `tools[${i}]`));
  (Array.isArray(request.input) ? request.input : []).forEach((item, i) => {
    if (isObject(item) && item.type === 'additional_tools' && Array.isArray(item.tools)) {
      item.tools.forEach((tool, j) => add(tool, `input[${i}].tools[${j}]`));
    }
  });
  return { tools, names };
}

/**
 * The names map alone, for the answer translators: the same as `chatToolsOf(request).names`,
 * and empty (every call a plain function call) when the request's tools cannot be translated.
 */
export function responsesToolNames(request: Pick<ResponsesRequest, 'tools' | 'input'>): ResponsesToolNames {
  try {
    return chatToolsOf(request).names;
  } catch (error) {
    if (error instanceof TranslationRefusal) return new Map();
    throw error;
  }
}

function chatTools(declared: unknown, param: string): ChatTool[] {
  if (!isObject(declared) || typeof declared.type !== 'string') {
    throw new TranslationRefusal('Each tool must be an object with a `type`.', { code: 'unsupported_tool', param });
  }
  switch (declared.type) {
    case 'function':
      return [functionTool(declared, param)];
    case 'custom':
      return [customTool(declared, param)];
    case 'namespace': {
      const namespace = requiredName(declared, param);
      const inner = Array.isArray(declared.tools) ? declared.tools : [];
      return inner.map((tool, i) => {
        const innerParam = `${param}.tools[${i}]`;
        if (isObject(tool) && tool.type === 'function') return functionTool(tool, innerParam, namespace, declared.description);
        if (isObject(tool) && tool.type === 'custom') return customTool(tool, innerParam, namespace);
        throw new TranslationRefusal(`A namespace tool can hold only function and custom tools (\`${namespace}\` holds another kind).`, {
          code: 'unsupported_tool',
          param: innerParam,
        });
      });
    }
    default:
      throw hostedToolRefusal(declared.type, param);
  }
}

function functionTool(tool: JsonObject, param: string, namespace?: string, namespaceDescription?: unknown): ChatTool {
  const name = requiredName(tool, param);
  const fn: ChatFunctionTool['function'] = { name: chatToolName(name, namespace) };
  const description = text(tool.description) ?? text(namespaceDescription);
  if (description !== undefined) fn.description = description;
  if (isObject(tool.parameters)) fn.parameters = tool.parameters;
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { tool: { type: 'function', function: fn }, origin: { kind: 'function', name, ...(namespace ? { namespace } : {}) } };
}

/**
 * A freeform tool as a function of one string. A grammar cannot be enforced on a chat model, so
 * it goes into the description for the model to follow; the client checks the input as it
 * would anyway.
 */
function customTool(tool: JsonObject, param: string, namespace?: string): ChatTool {
  const name = requiredName(tool, param);
  const format = (isObject(tool.format) ? tool.format : {}) as NonNullable<ResponsesCustomTool['format']> & JsonObject;
  const lines: string[] = [];
  if (text(tool.description) !== undefined) lines.push(tool.description as string);
  if (format.type === 'grammar') {
    if (typeof format.definition !== 'string' || format.definition === '') {
      throw new TranslationRefusal(`The custom tool \`${name}\` has a grammar format without a definition.`, { code: 'unsupported_tool', param });
    }
    lines.push(`The \`${CUSTOM_TOOL_ARGUMENT}\` argument must match this ${text(format.syntax) ?? ''} grammar exactly:\n${format.definition}`);
  } else if (format.type !== undefined && format.type !== 'text') {
    throw new TranslationRefusal(`The custom tool \`${name}\` has a \`${String(format.type)}\` format, which this model's provider cannot be given (only text and grammar formats can).`, {
      code: 'unsupported_tool',
      param,
    });
  }
  const fn: ChatFunctionTool['function'] = {
    name: chatToolName(name, namespace),
    parameters: {
      type: 'object',
      properties: { [CUSTOM_TOOL_ARGUMENT]: { type: 'string', description: 'The whole input for the tool, as plain text.' } },
      required: [CUSTOM_TOOL_ARGUMENT],
      additionalProperties: false,
    },
  };
  if (lines.length > 0) fn.description = lines.join('\n\n');
  return { tool: { type: 'function', function: fn }, origin: { kind: 'custom', name, ...(namespace ? { namespace } : {}) } };
}

function hostedToolRefusal(type: string, param: string): TranslationRefusal {
  const codexHint = type === 'web_search' || type === 'web_search_preview' ? ' (in Codex CLI: `web_search = "disabled"` in ~/.codex/config.toml)' : '';
  return new TranslationRefusal(
    `The \`${type}\` tool runs on OpenAI's servers, which only a Responses API provider (codex) can reach, and this model's provider is not one: remove the tool from the request${codexHint}, or pick a Codex model.`,
    { code: 'unsupported_tool', param },
  );
}

function requiredName(tool: JsonObject, param: string): string {
  const name = text(tool.name);
  if (name === undefined) throw new TranslationRefusal(`A \`${String(tool.type)}\` tool needs a \`name\`.`, { code: 'unsupported_tool', param: `${param}.name` });
  return name;
}

/** `tool_choice` in chat form; a hosted tool's choice is refused like the tool. */
export function chatToolChoiceOf(choice: ResponsesToolChoice | undefined): ChatToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none' || choice === 'auto' || choice === 'required') return choice;
  if (!isObject(choice)) {
    throw new TranslationRefusal('`tool_choice` must be none, auto, required or a tool.', { code: 'unsupported_parameter', param: 'tool_choice' });
  }
  if (choice.type === 'function' || choice.type === 'custom') {
    return { type: 'function', function: { name: chatToolName(requiredName(choice, 'tool_choice'), text(choice.namespace)) } };
  }
  if (choice.type === 'allowed_tools') {
    const mode = choice.mode === 'required' ? 'required' : 'auto';
    const tools = (Array.isArray(choice.tools) ? choice.tools : []).map((tool, i) => {
      const param = `tool_choice.tools[${i}]`;
      if (!isObject(tool) || (tool.type !== 'function' && tool.type !== 'custom')) throw hostedToolRefusal(isObject(tool) ? String(tool.type) : 'unknown', param);
      return { type: 'function' as const, function: { name: chatToolName(requiredName(tool, param), text(tool.namespace)) } };
    });
    return { type: 'allowed_tools', allowed_tools: { mode, tools } };
  }
  throw hostedToolRefusal(String(choice.type), 'tool_choice');
}

/** What a chat tool call is in Responses terms: the item fields besides ids and status. */
export type ResponsesCall =
  | { type: 'function_call'; name: string; namespace?: string; arguments: string }
  | { type: 'custom_tool_call'; name: string; namespace?: string; input: string };

/**
 * The Responses call for a chat tool call. A name the request did not declare (or no map) is a
 * plain function call under that name: the client will say it knows no such tool.
 */
export function responsesCallOf(chatName: string, args: string, names: ResponsesToolNames | undefined): ResponsesCall {
  const origin = names?.get(chatName);
  const namespace = origin?.namespace ? { namespace: origin.namespace } : {};
  if (origin?.kind === 'custom') return { type: 'custom_tool_call', name: origin.name, ...namespace, input: customInput(args) };
  return { type: 'function_call', name: origin?.name ?? chatName, ...namespace, arguments: args };
}

/** The text a model passed to a custom tool: the `input` argument, or the raw text when it wrote no JSON. */
export function customInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (isObject(parsed) && typeof parsed[CUSTOM_TOOL_ARGUMENT] === 'string') return parsed[CUSTOM_TOOL_ARGUMENT];
    return typeof parsed === 'string' ? parsed : args;
  } catch {
    return args;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
