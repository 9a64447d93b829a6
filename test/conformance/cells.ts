// The protocol conformance matrix as one table: every client SDK route × upstream kind × stream
// mode × scenario that test/conformance.e2e-spec.ts runs, one line per cell. A cell byokey does
// not serve yet carries `pending` (why, in words); it runs as `test.failing`, so it turns red the
// day it starts passing and the pending mark must go. `renderMatrix()` renders the README table
// (the spec checks README.md holds exactly that table).

export type ClientRoute = 'chat' | 'responses' | 'messages' | 'gemini';
export type UpstreamKind = 'openai-compatible' | 'codex' | 'claude' | 'gemini' | 'kiro';
export type Mode = 'stream' | 'non-stream';
export type Scenario = 'text' | 'tools' | 'reasoning' | 'image' | 'error-before' | 'error-mid';

export interface Cell {
  client: ClientRoute;
  upstream: UpstreamKind;
  mode: Mode;
  scenario: Scenario;
  /** Why byokey does not pass this cell yet; the cell runs as `test.failing` while set. */
  pending?: string;
}

export const CLIENTS: readonly ClientRoute[] = ['chat', 'responses', 'messages', 'gemini'];
export const UPSTREAMS: readonly UpstreamKind[] = ['openai-compatible', 'codex', 'claude', 'gemini', 'kiro'];
export const SCENARIOS: readonly Scenario[] = ['text', 'tools', 'reasoning', 'image', 'error-before', 'error-mid'];

const c = (client: ClientRoute, upstream: UpstreamKind, mode: Mode, scenario: Scenario, pending?: string): Cell =>
  pending === undefined ? { client, upstream, mode, scenario } : { client, upstream, mode, scenario, pending };

export const CELLS: readonly Cell[] = [
  c('chat', 'openai-compatible', 'non-stream', 'text'),
  c('chat', 'openai-compatible', 'stream', 'text'),
  c('chat', 'openai-compatible', 'non-stream', 'tools'),
  c('chat', 'openai-compatible', 'stream', 'tools'),
  c('chat', 'openai-compatible', 'non-stream', 'reasoning'),
  c('chat', 'openai-compatible', 'stream', 'reasoning'),
  c('chat', 'openai-compatible', 'non-stream', 'image'),
  c('chat', 'openai-compatible', 'stream', 'image'),
  c('chat', 'openai-compatible', 'non-stream', 'error-before'),
  c('chat', 'openai-compatible', 'stream', 'error-before'),
  c('chat', 'openai-compatible', 'non-stream', 'error-mid'),
  c('chat', 'openai-compatible', 'stream', 'error-mid'),

  c('chat', 'codex', 'non-stream', 'text'),
  c('chat', 'codex', 'stream', 'text'),
  c('chat', 'codex', 'non-stream', 'tools'),
  c('chat', 'codex', 'stream', 'tools'),
  c('chat', 'codex', 'non-stream', 'reasoning'),
  c('chat', 'codex', 'stream', 'reasoning'),
  c('chat', 'codex', 'non-stream', 'image'),
  c('chat', 'codex', 'stream', 'image'),
  c('chat', 'codex', 'non-stream', 'error-before'),
  c('chat', 'codex', 'stream', 'error-before'),
  c('chat', 'codex', 'non-stream', 'error-mid'),
  c('chat', 'codex', 'stream', 'error-mid'),

  c('chat', 'claude', 'non-stream', 'text'),
  c('chat', 'claude', 'stream', 'text'),
  c('chat', 'claude', 'non-stream', 'tools'),
  c('chat', 'claude', 'stream', 'tools'),
  c('chat', 'claude', 'non-stream', 'reasoning'),
  c('chat', 'claude', 'stream', 'reasoning'),
  c('chat', 'claude', 'non-stream', 'image'),
  c('chat', 'claude', 'stream', 'image'),
  c('chat', 'claude', 'non-stream', 'error-before'),
  c('chat', 'claude', 'stream', 'error-before'),
  c('chat', 'claude', 'non-stream', 'error-mid'),
  c('chat', 'claude', 'stream', 'error-mid'),

  c('chat', 'gemini', 'non-stream', 'text'),
  c('chat', 'gemini', 'stream', 'text'),
  c('chat', 'gemini', 'non-stream', 'tools'),
  c('chat', 'gemini', 'stream', 'tools'),
  c('chat', 'gemini', 'non-stream', 'reasoning'),
  c('chat', 'gemini', 'stream', 'reasoning'),
  c('chat', 'gemini', 'non-stream', 'image'),
  c('chat', 'gemini', 'stream', 'image'),
  c('chat', 'gemini', 'non-stream', 'error-before'),
  c('chat', 'gemini', 'stream', 'error-before'),
  c('chat', 'gemini', 'non-stream', 'error-mid'),
  c('chat', 'gemini', 'stream', 'error-mid'),

  c('responses', 'openai-compatible', 'non-stream', 'text'),
  c('responses', 'openai-compatible', 'stream', 'text'),
  c('responses', 'openai-compatible', 'non-stream', 'tools'),
  c('responses', 'openai-compatible', 'stream', 'tools'),
  c('responses', 'openai-compatible', 'non-stream', 'reasoning'),
  c('responses', 'openai-compatible', 'stream', 'reasoning'),
  c('responses', 'openai-compatible', 'non-stream', 'image'),
  c('responses', 'openai-compatible', 'stream', 'image'),
  c('responses', 'openai-compatible', 'non-stream', 'error-before'),
  c('responses', 'openai-compatible', 'stream', 'error-before'),
  c('responses', 'openai-compatible', 'non-stream', 'error-mid'),
  c('responses', 'openai-compatible', 'stream', 'error-mid'),

  c('responses', 'codex', 'non-stream', 'text'),
  c('responses', 'codex', 'stream', 'text'),
  c('responses', 'codex', 'non-stream', 'tools'),
  c('responses', 'codex', 'stream', 'tools'),
  c('responses', 'codex', 'non-stream', 'reasoning'),
  c('responses', 'codex', 'stream', 'reasoning'),
  c('responses', 'codex', 'non-stream', 'image'),
  c('responses', 'codex', 'stream', 'image'),
  c('responses', 'codex', 'non-stream', 'error-before'),
  c('responses', 'codex', 'stream', 'error-before'),
  c('responses', 'codex', 'non-stream', 'error-mid'),
  c('responses', 'codex', 'stream', 'error-mid'),

  c('responses', 'claude', 'non-stream', 'text'),
  c('responses', 'claude', 'stream', 'text'),
  c('responses', 'claude', 'non-stream', 'tools'),
  c('responses', 'claude', 'stream', 'tools'),
  c('responses', 'claude', 'non-stream', 'reasoning'),
  c('responses', 'claude', 'stream', 'reasoning'),
  c('responses', 'claude', 'non-stream', 'image'),
  c('responses', 'claude', 'stream', 'image'),
  c('responses', 'claude', 'non-stream', 'error-before'),
  c('responses', 'claude', 'stream', 'error-before'),
  c('responses', 'claude', 'non-stream', 'error-mid'),
  c('responses', 'claude', 'stream', 'error-mid'),

  c('responses', 'gemini', 'non-stream', 'text'),
  c('responses', 'gemini', 'stream', 'text'),
  c('responses', 'gemini', 'non-stream', 'tools'),
  c('responses', 'gemini', 'stream', 'tools'),
  c('responses', 'gemini', 'non-stream', 'reasoning'),
  c('responses', 'gemini', 'stream', 'reasoning'),
  c('responses', 'gemini', 'non-stream', 'image'),
  c('responses', 'gemini', 'stream', 'image'),
  c('responses', 'gemini', 'non-stream', 'error-before'),
  c('responses', 'gemini', 'stream', 'error-before'),
  c('responses', 'gemini', 'non-stream', 'error-mid'),
  c('responses', 'gemini', 'stream', 'error-mid'),

  c('messages', 'openai-compatible', 'non-stream', 'text'),
  c('messages', 'openai-compatible', 'stream', 'text'),
  c('messages', 'openai-compatible', 'non-stream', 'tools'),
  c('messages', 'openai-compatible', 'stream', 'tools'),
  c('messages', 'openai-compatible', 'non-stream', 'reasoning'),
  c('messages', 'openai-compatible', 'stream', 'reasoning'),
  c('messages', 'openai-compatible', 'non-stream', 'image'),
  c('messages', 'openai-compatible', 'stream', 'image'),
  c('messages', 'openai-compatible', 'non-stream', 'error-before'),
  c('messages', 'openai-compatible', 'stream', 'error-before'),
  c('messages', 'openai-compatible', 'non-stream', 'error-mid'),
  c('messages', 'openai-compatible', 'stream', 'error-mid'),

  c('messages', 'codex', 'non-stream', 'text'),
  c('messages', 'codex', 'stream', 'text'),
  c('messages', 'codex', 'non-stream', 'tools'),
  c('messages', 'codex', 'stream', 'tools'),
  c('messages', 'codex', 'non-stream', 'reasoning'),
  c('messages', 'codex', 'stream', 'reasoning'),
  c('messages', 'codex', 'non-stream', 'image'),
  c('messages', 'codex', 'stream', 'image'),
  c('messages', 'codex', 'non-stream', 'error-before'),
  c('messages', 'codex', 'stream', 'error-before'),
  c('messages', 'codex', 'non-stream', 'error-mid'),
  c('messages', 'codex', 'stream', 'error-mid'),

  c('messages', 'claude', 'non-stream', 'text'),
  c('messages', 'claude', 'stream', 'text'),
  c('messages', 'claude', 'non-stream', 'tools'),
  c('messages', 'claude', 'stream', 'tools'),
  c('messages', 'claude', 'non-stream', 'reasoning'),
  c('messages', 'claude', 'stream', 'reasoning'),
  c('messages', 'claude', 'non-stream', 'image'),
  c('messages', 'claude', 'stream', 'image'),
  c('messages', 'claude', 'non-stream', 'error-before'),
  c('messages', 'claude', 'stream', 'error-before'),
  c('messages', 'claude', 'non-stream', 'error-mid'),
  c('messages', 'claude', 'stream', 'error-mid'),

  c('messages', 'gemini', 'non-stream', 'text'),
  c('messages', 'gemini', 'stream', 'text'),
  c('messages', 'gemini', 'non-stream', 'tools'),
  c('messages', 'gemini', 'stream', 'tools'),
  c('messages', 'gemini', 'non-stream', 'reasoning'),
  c('messages', 'gemini', 'stream', 'reasoning'),
  c('messages', 'gemini', 'non-stream', 'image'),
  c('messages', 'gemini', 'stream', 'image'),
  c('messages', 'gemini', 'non-stream', 'error-before'),
  c('messages', 'gemini', 'stream', 'error-before'),
  c('messages', 'gemini', 'non-stream', 'error-mid'),
  c('messages', 'gemini', 'stream', 'error-mid'),

  c('gemini', 'openai-compatible', 'non-stream', 'text'),
  c('gemini', 'openai-compatible', 'stream', 'text'),
  c('gemini', 'openai-compatible', 'non-stream', 'tools'),
  c('gemini', 'openai-compatible', 'stream', 'tools'),
  c('gemini', 'openai-compatible', 'non-stream', 'reasoning'),
  c('gemini', 'openai-compatible', 'stream', 'reasoning'),
  c('gemini', 'openai-compatible', 'non-stream', 'image'),
  c('gemini', 'openai-compatible', 'stream', 'image'),
  c('gemini', 'openai-compatible', 'non-stream', 'error-before'),
  c('gemini', 'openai-compatible', 'stream', 'error-before'),
  c('gemini', 'openai-compatible', 'non-stream', 'error-mid'),
  c('gemini', 'openai-compatible', 'stream', 'error-mid'),

  c('gemini', 'codex', 'non-stream', 'text'),
  c('gemini', 'codex', 'stream', 'text'),
  c('gemini', 'codex', 'non-stream', 'tools'),
  c('gemini', 'codex', 'stream', 'tools'),
  c('gemini', 'codex', 'non-stream', 'reasoning'),
  c('gemini', 'codex', 'stream', 'reasoning'),
  c('gemini', 'codex', 'non-stream', 'image'),
  c('gemini', 'codex', 'stream', 'image'),
  c('gemini', 'codex', 'non-stream', 'error-before'),
  c('gemini', 'codex', 'stream', 'error-before'),
  c('gemini', 'codex', 'non-stream', 'error-mid'),
  c('gemini', 'codex', 'stream', 'error-mid'),

  c('gemini', 'claude', 'non-stream', 'text'),
  c('gemini', 'claude', 'stream', 'text'),
  c('gemini', 'claude', 'non-stream', 'tools'),
  c('gemini', 'claude', 'stream', 'tools'),
  c('gemini', 'claude', 'non-stream', 'reasoning'),
  c('gemini', 'claude', 'stream', 'reasoning'),
  c('gemini', 'claude', 'non-stream', 'image'),
  c('gemini', 'claude', 'stream', 'image'),
  c('gemini', 'claude', 'non-stream', 'error-before'),
  c('gemini', 'claude', 'stream', 'error-before'),
  c('gemini', 'claude', 'non-stream', 'error-mid'),
  c('gemini', 'claude', 'stream', 'error-mid'),

  c('gemini', 'gemini', 'non-stream', 'text'),
  c('gemini', 'gemini', 'stream', 'text'),
  c('gemini', 'gemini', 'non-stream', 'tools'),
  c('gemini', 'gemini', 'stream', 'tools'),
  c('gemini', 'gemini', 'non-stream', 'reasoning'),
  c('gemini', 'gemini', 'stream', 'reasoning'),
  c('gemini', 'gemini', 'non-stream', 'image'),
  c('gemini', 'gemini', 'stream', 'image'),
  c('gemini', 'gemini', 'non-stream', 'error-before'),
  c('gemini', 'gemini', 'stream', 'error-before'),
  c('gemini', 'gemini', 'non-stream', 'error-mid'),
  c('gemini', 'gemini', 'stream', 'error-mid'),

  // Kiro: Claude through AWS event-stream frames; thinking is switched on by tags in the text and comes back inline.
  c('chat', 'kiro', 'non-stream', 'text'),
  c('chat', 'kiro', 'stream', 'text'),
  c('chat', 'kiro', 'non-stream', 'tools'),
  c('chat', 'kiro', 'stream', 'tools'),
  c('chat', 'kiro', 'non-stream', 'reasoning'),
  c('chat', 'kiro', 'stream', 'reasoning'),
  c('chat', 'kiro', 'non-stream', 'image'),
  c('chat', 'kiro', 'stream', 'image'),
  c('chat', 'kiro', 'non-stream', 'error-before'),
  c('chat', 'kiro', 'stream', 'error-before'),
  c('chat', 'kiro', 'non-stream', 'error-mid'),
  c('chat', 'kiro', 'stream', 'error-mid'),

  c('responses', 'kiro', 'non-stream', 'text'),
  c('responses', 'kiro', 'stream', 'text'),
  c('responses', 'kiro', 'non-stream', 'tools'),
  c('responses', 'kiro', 'stream', 'tools'),
  c('responses', 'kiro', 'non-stream', 'reasoning'),
  c('responses', 'kiro', 'stream', 'reasoning'),
  c('responses', 'kiro', 'non-stream', 'image'),
  c('responses', 'kiro', 'stream', 'image'),
  c('responses', 'kiro', 'non-stream', 'error-before'),
  c('responses', 'kiro', 'stream', 'error-before'),
  c('responses', 'kiro', 'non-stream', 'error-mid'),
  c('responses', 'kiro', 'stream', 'error-mid'),

  c('messages', 'kiro', 'non-stream', 'text'),
  c('messages', 'kiro', 'stream', 'text'),
  c('messages', 'kiro', 'non-stream', 'tools'),
  c('messages', 'kiro', 'stream', 'tools'),
  c('messages', 'kiro', 'non-stream', 'reasoning'),
  c('messages', 'kiro', 'stream', 'reasoning'),
  c('messages', 'kiro', 'non-stream', 'image'),
  c('messages', 'kiro', 'stream', 'image'),
  c('messages', 'kiro', 'non-stream', 'error-before'),
  c('messages', 'kiro', 'stream', 'error-before'),
  c('messages', 'kiro', 'non-stream', 'error-mid'),
  c('messages', 'kiro', 'stream', 'error-mid'),

  c('gemini', 'kiro', 'non-stream', 'text'),
  c('gemini', 'kiro', 'stream', 'text'),
  c('gemini', 'kiro', 'non-stream', 'tools'),
  c('gemini', 'kiro', 'stream', 'tools'),
  c('gemini', 'kiro', 'non-stream', 'reasoning'),
  c('gemini', 'kiro', 'stream', 'reasoning'),
  c('gemini', 'kiro', 'non-stream', 'image'),
  c('gemini', 'kiro', 'stream', 'image'),
  c('gemini', 'kiro', 'non-stream', 'error-before'),
  c('gemini', 'kiro', 'stream', 'error-before'),
  c('gemini', 'kiro', 'non-stream', 'error-mid'),
  c('gemini', 'kiro', 'stream', 'error-mid'),
];

/** How a cell is named in jest's output: `chat → claude, stream, tools`. */
export function cellName(cell: Cell): string {
  return `${cell.client} → ${cell.upstream}, ${cell.mode}, ${cell.scenario}`;
}

const CLIENT_LABELS: Record<ClientRoute, string> = {
  chat: 'OpenAI chat completions',
  responses: 'OpenAI Responses',
  messages: 'Anthropic Messages',
  gemini: 'Gemini generateContent',
};

/**
 * The README's matrix: one row per client route, one column per upstream kind; ✓ when every cell
 * of the pair passes, else "pending" with how many of its cells are.
 */
export function renderMatrix(cells: readonly Cell[] = CELLS): string {
  const lines = [`| client \\ upstream | ${UPSTREAMS.join(' | ')} |`, `|---|${UPSTREAMS.map(() => '---').join('|')}|`];
  for (const client of CLIENTS) {
    const marks = UPSTREAMS.map((upstream) => {
      const pair = cells.filter((cell) => cell.client === client && cell.upstream === upstream);
      const pending = pair.filter((cell) => cell.pending !== undefined).length;
      if (pair.length === 0) return '—';
      return pending === 0 ? '✓' : `pending (${pending}/${pair.length})`;
    });
    lines.push(`| ${CLIENT_LABELS[client]} | ${marks.join(' | ')} |`);
  }
  return lines.join('\n');
}
