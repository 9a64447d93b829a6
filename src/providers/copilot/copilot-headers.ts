// The headers Copilot expects from its editors (reference/wire-protocols.md §5): the editor
// identity on every GitHub and Copilot call, and on each model request who started the turn
// (`X-Initiator`: a person, or an agent answering a tool — only the former spends premium
// requests) and whether it carries images (`Copilot-Vision-Request`).
import { randomUUID } from 'node:crypto';
import type { CopilotProtocol } from './copilot-model-list';
import { isObject } from '../../protocol/json-object';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';
import {
  COPILOT_API_VERSION,
  COPILOT_EDITOR_VERSION,
  COPILOT_INTEGRATION_ID,
  COPILOT_OPENAI_INTENT,
  COPILOT_PLUGIN_VERSION,
  COPILOT_USER_AGENT,
} from './copilot-versions';

/** The editor identity, with the instance's `headers:` laid over it (lower-cased). */
export function editorHeaders(overrides: Record<string, string> | undefined): Record<string, string> {
  return {
    'editor-version': COPILOT_EDITOR_VERSION,
    'editor-plugin-version': COPILOT_PLUGIN_VERSION,
    'user-agent': COPILOT_USER_AGENT,
    'x-github-api-version': COPILOT_API_VERSION,
    ...lowerCaseKeys(overrides ?? {}),
  };
}

/** A GitHub API call (token exchange, quota): `Authorization: token …`, not Bearer. */
export function githubHeaders(githubToken: string, overrides: Record<string, string> | undefined): Record<string, string> {
  return { ...editorHeaders(overrides), accept: 'application/json', authorization: `token ${githubToken}` };
}

export interface ModelRequestHeaders {
  copilotToken: string;
  /** The body, in `protocol`, to read the initiator and images from; none for the model list. */
  body?: unknown;
  protocol?: CopilotProtocol;
  stream?: boolean;
  overrides?: Record<string, string>;
}

/** A call to the Copilot API: the identity, the turn's initiator, images, a fresh request id. */
export function copilotHeaders(options: ModelRequestHeaders): Record<string, string> {
  const { body, protocol } = options;
  const headers: Record<string, string> = {
    'copilot-integration-id': COPILOT_INTEGRATION_ID,
    'openai-intent': COPILOT_OPENAI_INTENT,
    'x-request-id': randomUUID(),
    ...editorHeaders(options.overrides),
    authorization: `Bearer ${options.copilotToken}`,
  };
  if (body !== undefined && protocol !== undefined) {
    headers['x-initiator'] = initiatorOf(protocol, body);
    if (hasImages(protocol, body)) headers['copilot-vision-request'] = 'true';
  }
  // BK: an SSE stream that is not compressed reaches the client as it is written.
  if (options.stream) headers['accept-encoding'] = 'identity';
  return headers;
}

/**
 * `agent` when the turn answers a tool or continues the assistant's own work: the last message is
 * the assistant's or a tool's, or carries tool results. `user` otherwise: a person asked.
 */
export function initiatorOf(protocol: CopilotProtocol, body: unknown): 'user' | 'agent' {
  if (!isObject(body)) return 'user';
  switch (protocol) {
    case 'openai-chat': {
      const last = lastOf(body.messages);
      return last && (last.role === 'assistant' || last.role === 'tool' || last.role === 'function') ? 'agent' : 'user';
    }
    case 'anthropic-messages': {
      const last = lastOf(body.messages);
      if (!last) return 'user';
      if (last.role === 'assistant') return 'agent';
      return Array.isArray(last.content) && last.content.some((block) => isObject(block) && block.type === 'tool_result') ? 'agent' : 'user';
    }
    case 'openai-responses': {
      const last = lastOf(body.input);
      if (!last) return 'user';
      if (last.role === 'assistant') return 'agent';
      const type = typeof last.type === 'string' ? last.type : '';
      return type.endsWith('_call_output') || type.endsWith('_call') || type === 'reasoning' ? 'agent' : 'user';
    }
  }
}

/** Whether any message carries an image (Copilot routes those to a vision-capable backend). */
export function hasImages(protocol: CopilotProtocol, body: unknown): boolean {
  if (!isObject(body)) return false;
  const items = protocol === 'openai-responses' ? body.input : body.messages;
  if (!Array.isArray(items)) return false;
  const imageType = protocol === 'openai-chat' ? 'image_url' : protocol === 'anthropic-messages' ? 'image' : 'input_image';
  const hasImage = (content: unknown): boolean =>
    Array.isArray(content) && content.some((part) => isObject(part) && (part.type === imageType || (part.type === 'tool_result' && hasImage(part.content))));
  return items.some((item) => isObject(item) && hasImage(item.content));
}

function lastOf(list: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const last: unknown = list[list.length - 1];
  return isObject(last) ? last : undefined;
}
