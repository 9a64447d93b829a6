// Reads a page of the Generative Language API's model list (`GET /v1beta/models?pageSize&
// pageToken`): {"models":[{"name":"models/gemini-2.5-pro","displayName","inputTokenLimit",
// "supportedGenerationMethods":["generateContent","countTokens",…]}],"nextPageToken"}. Only
// models that can generateContent are kept (the list has embedding and AQA models too); the
// id is the name without its `models/` prefix, as requests name it.
import type { LiveModel } from '../../contract/provider-executor';
import { isObject } from '../../protocol/json-object';
import { UpstreamError } from '../../upstream/upstream-error';

export interface GeminiModelPage {
  models: LiveModel[];
  next?: string;
}

export function readGeminiModelPage(body: Record<string, unknown>, instance: string): GeminiModelPage {
  if (body.models !== undefined && !Array.isArray(body.models)) {
    throw new UpstreamError(`upstream ${instance} answered its model list without a "models" array`, { failure: 'protocol', instance });
  }
  const models: LiveModel[] = [];
  for (const item of (body.models ?? []) as unknown[]) {
    if (!isObject(item) || typeof item.name !== 'string') continue;
    const methods = item.supportedGenerationMethods;
    if (Array.isArray(methods) && !methods.includes('generateContent')) continue;
    const id = item.name.replace(/^models\//, '');
    if (id === '') continue;
    models.push(typeof item.displayName === 'string' && item.displayName !== '' ? { id, displayName: item.displayName } : { id });
  }
  const next = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : undefined;
  return { models, next };
}
