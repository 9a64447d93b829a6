// Reads the account's own model list (`GET {api}/models`, reference/wire-protocols.md §5:
// {data:[{id, name, vendor, capabilities:{type, limits, supports}, supported_endpoints?}]}) and
// picks the protocol each model is served over from the endpoints its entry names: Messages
// (`/v1/messages`) for Anthropic's models, chat completions where offered, else Responses
// (`/responses`: Codex-class models that have no chat endpoint). An entry naming no endpoints
// is a chat model, as all were before the field existed. Embedding models are left out.
import type { LiveModel, WireProtocol } from '../../contract/provider-executor';
import { isObject } from '../../protocol/json-object';
import { UpstreamError } from '../../upstream/upstream-error';

export function readCopilotModelList(body: Record<string, unknown>, instance: string): LiveModel[] {
  if (!Array.isArray(body.data)) {
    throw new UpstreamError(`upstream ${instance} answered its model list without a "data" array`, { failure: 'protocol', instance });
  }
  const models: LiveModel[] = [];
  for (const item of body.data as unknown[]) {
    if (!isObject(item)) continue;
    const { id, name } = item;
    if (typeof id !== 'string' || id === '') continue;
    const capabilities = isObject(item.capabilities) ? item.capabilities : {};
    if (capabilities.type !== undefined && capabilities.type !== 'chat') continue;
    const protocol = copilotProtocol(item);
    models.push({
      id,
      ...(typeof name === 'string' && name !== '' ? { displayName: name } : {}),
      ...(protocol !== 'openai-chat' ? { protocol } : {}),
    });
  }
  return models;
}

/** The protocol a model entry is best served over (see the file's comment). */
/** The protocols Copilot serves models over (never Gemini's). */
export type CopilotProtocol = Extract<WireProtocol, 'openai-chat' | 'anthropic-messages' | 'openai-responses'>;

export function copilotProtocol(entry: Record<string, unknown>): CopilotProtocol {
  const endpoints = Array.isArray(entry.supported_endpoints) ? entry.supported_endpoints.filter((e): e is string => typeof e === 'string') : [];
  if (endpoints.length === 0) return 'openai-chat';
  const offers = (path: string) => endpoints.some((e) => e.replace(/\/+$/, '') === path);
  const vendor = typeof entry.vendor === 'string' ? entry.vendor.toLowerCase() : '';
  const anthropic = vendor === 'anthropic' || (typeof entry.id === 'string' && entry.id.startsWith('claude-'));
  if (anthropic && offers('/v1/messages')) return 'anthropic-messages';
  if (offers('/chat/completions')) return 'openai-chat';
  if (offers('/responses')) return 'openai-responses';
  if (offers('/v1/messages')) return 'anthropic-messages';
  return 'openai-chat';
}
