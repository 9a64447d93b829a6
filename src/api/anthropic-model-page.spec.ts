// GET /v1/models in Anthropic's shape: the page fields, limits and paging by after_id/before_id.
import { anthropicModelPage, type ListedModel } from './anthropic-model-page';

const models: ListedModel[] = Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, created: 1_767_225_600 + i }));

describe('anthropicModelPage', () => {
  it('answers the Models API shape, display_name and RFC 3339 created_at included', () => {
    const page = anthropicModelPage([{ id: 'claude-opus-5-5', displayName: 'Claude Opus 5.5', created: 1_767_225_600 }, { id: 'gpt-5.4', created: 1_767_225_600 }], {});
    expect(page).toEqual({
      data: [
        { type: 'model', id: 'claude-opus-5-5', display_name: 'Claude Opus 5.5', created_at: '2026-01-01T00:00:00.000Z' },
        { type: 'model', id: 'gpt-5.4', display_name: 'gpt-5.4', created_at: '2026-01-01T00:00:00.000Z' },
      ],
      has_more: false,
      first_id: 'claude-opus-5-5',
      last_id: 'gpt-5.4',
    });
  });

  it('gives 20 by default and says there is more', () => {
    const page = anthropicModelPage(models, {});
    expect(page.data).toHaveLength(20);
    expect([page.has_more, page.first_id, page.last_id]).toEqual([true, 'm0', 'm19']);
  });

  it.each<[string, string | undefined, number]>([
    ['limit=1000 (what Claude Code asks)', '1000', 25],
    ['a limit above 1000, capped', '5000', 25],
    ['limit=0, raised to 1', '0', 1],
    ['a limit that is not a number, the default', 'lots', 20],
  ])('takes %s', (_label, limit, count) => {
    expect(anthropicModelPage(models, { limit }).data).toHaveLength(count);
  });

  it('pages forward with after_id and back with before_id', () => {
    const next = anthropicModelPage(models, { limit: '10', after_id: 'm9' });
    expect([next.first_id, next.last_id, next.has_more]).toEqual(['m10', 'm19', true]);
    const last = anthropicModelPage(models, { limit: '10', after_id: 'm19' });
    expect([last.data.length, last.has_more]).toEqual([5, false]);
    const back = anthropicModelPage(models, { limit: '10', before_id: 'm15' });
    expect([back.first_id, back.last_id, back.has_more]).toEqual(['m5', 'm14', true]);
    const first = anthropicModelPage(models, { limit: '10', before_id: 'm5' });
    expect([first.first_id, first.last_id, first.has_more]).toEqual(['m0', 'm4', false]);
  });

  it('answers an empty page for an unknown cursor, and for no models', () => {
    expect(anthropicModelPage(models, { after_id: 'nope' })).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
    expect(anthropicModelPage([], {})).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });
});
