// Reads the Codex backend's model list (`GET <base>/models?client_version=<x.y.z>`, answered
// `{"models":[ModelInfo…]}`; reference/wire-protocols.md §1.1, the Codex CLI's `ModelsResponse`).
// Of each ModelInfo the gateway keeps `slug` and `display_name`; models whose `visibility` is
// not `list` are ones the CLI hides from its picker, and are left out here too.
import type { LiveModel } from '../../contract/provider-executor';
import { UpstreamError } from '../../upstream/upstream-error';

export function readCodexModelList(body: Record<string, unknown>, instance: string): LiveModel[] {
  if (!Array.isArray(body.models)) {
    throw new UpstreamError(`upstream ${instance} answered its model list without a "models" array`, { failure: 'protocol', instance });
  }
  const models: LiveModel[] = [];
  for (const item of body.models as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const { slug, display_name: displayName, visibility } = item as Record<string, unknown>;
    if (typeof slug !== 'string' || slug === '') continue;
    if (visibility !== undefined && visibility !== 'list') continue;
    models.push(typeof displayName === 'string' && displayName !== '' ? { id: slug, displayName } : { id: slug });
  }
  return models;
}
