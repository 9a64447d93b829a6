// GET /v1/models in Anthropic's shape, for clients that send `anthropic-version` (the Anthropic
// SDK, Claude Code, which asks `?limit=1000`): one page of `{type:"model",id,display_name,
// created_at}` with `has_more`, `first_id`, `last_id`, paged as the Models API pages —
// `limit` (1–1000, default 20), `after_id` (the page after that id) or `before_id` (the page
// before it). A limit that is not a number is taken as the default rather than refused.
import type { AnthropicModelInfo, AnthropicModelList } from '../protocol/anthropic-messages';

export interface ListedModel {
  id: string;
  displayName?: string;
  /** Unix seconds. */
  created: number;
}

export interface AnthropicPageQuery {
  limit?: string;
  after_id?: string;
  before_id?: string;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

export function anthropicModelPage(models: readonly ListedModel[], query: AnthropicPageQuery): AnthropicModelList {
  const asked = Number(query.limit);
  const limit = Number.isInteger(asked) ? Math.min(MAX_LIMIT, Math.max(1, asked)) : DEFAULT_LIMIT;
  let start = 0;
  let end = models.length;
  let more: () => boolean;
  if (query.before_id !== undefined) {
    const at = models.findIndex((m) => m.id === query.before_id);
    end = at < 0 ? 0 : at;
    start = Math.max(0, end - limit);
    more = () => start > 0;
  } else {
    if (query.after_id !== undefined) {
      const at = models.findIndex((m) => m.id === query.after_id);
      start = at < 0 ? models.length : at + 1;
    }
    end = Math.min(models.length, start + limit);
    more = () => end < models.length;
  }
  const data = models.slice(start, end).map(toInfo);
  return { data, has_more: more(), first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}

/** One model in Anthropic's shape, as the list gives it and GET /v1/models/{id} answers it. */
export function toInfo(model: ListedModel): AnthropicModelInfo {
  return { type: 'model', id: model.id, display_name: model.displayName ?? model.id, created_at: new Date(model.created * 1000).toISOString() };
}
