// Reads OpenAI's model list (`GET /v1/models`: {"object":"list","data":[{"id","object":"model",
// "created","owned_by"}]}), which OpenAI, vLLM, Ollama, OpenRouter and most compatible servers
// answer, into the gateway's LiveModel. Entries without a string id are skipped.
import type { LiveModel } from '../../contract/provider-executor';
import { UpstreamError } from '../../upstream/upstream-error';

export function readOpenAIModelList(body: Record<string, unknown>, instance: string): LiveModel[] {
  if (!Array.isArray(body.data)) {
    throw new UpstreamError(`upstream ${instance} answered its model list without a "data" array`, { failure: 'protocol', instance });
  }
  const models: LiveModel[] = [];
  for (const item of body.data as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const { id, created } = item as { id?: unknown; created?: unknown };
    if (typeof id !== 'string' || id === '') continue;
    models.push(typeof created === 'number' && Number.isFinite(created) && created > 0 ? { id, created } : { id });
  }
  return models;
}
