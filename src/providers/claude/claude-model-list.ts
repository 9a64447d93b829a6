// Reads a page of Anthropic's Models API (`GET /v1/models`, reference/wire-protocols.md §3):
// {"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}.
import type { LiveModel } from '../../contract/provider-executor';
import { UpstreamError } from '../../upstream/upstream-error';

export interface ClaudeModelPage {
  models: LiveModel[];
  /** The id to page on from (`after_id`), when the upstream says there is more. */
  next?: string;
}

export function readClaudeModelPage(body: Record<string, unknown>, instance: string): ClaudeModelPage {
  if (!Array.isArray(body.data)) {
    throw new UpstreamError(`upstream ${instance} answered its model list without a "data" array`, { failure: 'protocol', instance });
  }
  const models: LiveModel[] = [];
  for (const item of body.data as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const { id, display_name: displayName, created_at: createdAt } = item as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') continue;
    const created = typeof createdAt === 'string' ? Math.floor(Date.parse(createdAt) / 1000) : NaN;
    models.push({
      id,
      ...(typeof displayName === 'string' && displayName !== '' ? { displayName } : {}),
      ...(Number.isFinite(created) && created > 0 ? { created } : {}),
    });
  }
  const next = body.has_more === true && typeof body.last_id === 'string' && body.last_id !== '' ? body.last_id : undefined;
  return { models, next };
}
