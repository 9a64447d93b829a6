// Antigravity's flavour of Code Assist (reference/wire-protocols.md §7): three hosts, daily
// first; its User-Agent; the envelope's extra fields (`userAgent: "antigravity"`, `requestType:
// "agent"`, `requestId: "agent-<uuid>"`, `request.sessionId`); ideType ANTIGRAVITY when looking
// up the project; Antigravity's model names.
import { createHash, randomUUID } from 'node:crypto';
import type { CodeAssistRequest } from '../../protocol/gemini-code-assist';
import type { CodeAssistVariant } from '../gemini/code-assist/code-assist-calls';
import { antigravityModel } from './antigravity.catalog';
import type { AntigravitySettingsDto } from './antigravity-settings.dto';

export const ANTIGRAVITY_HOSTS: readonly string[] = [
  'https://daily-cloudcode-pa.googleapis.com',
  'https://daily-cloudcode-pa.sandbox.googleapis.com',
  'https://cloudcode-pa.googleapis.com',
];
/**
 * The IDE release whose identity the calls carry. The reference notes a disagreement (BK sends
 * antigravity/1.20.5, CPA newer ones); CPA's executor defaults to this form today.
 */
export const ANTIGRAVITY_USER_AGENT = 'antigravity/1.104.0 darwin/arm64';

export const ANTIGRAVITY_CODE_ASSIST: CodeAssistVariant = {
  provider: 'antigravity',
  ideType: 'ANTIGRAVITY',
  hosts: (settings) => {
    const own = settings as AntigravitySettingsDto;
    return own.base_urls ?? (own.base_url ? [own.base_url] : [...ANTIGRAVITY_HOSTS]);
  },
  headers: () => ({ 'user-agent': ANTIGRAVITY_USER_AGENT }),
  upstreamModel: antigravityModel,
  envelope: (request, model, project) => ({
    model,
    project,
    userAgent: 'antigravity',
    requestType: 'agent',
    requestId: `agent-${randomUUID()}`,
    request: { ...request, sessionId: sessionIdOf(request) },
  }),
  // CPA asks for a stream even for a whole answer for these: the whole-answer method serves
  // them badly. The bridge collects the stream into the answer the client asked for.
  streamsAlways: (model) => model.startsWith('claude-') || model.startsWith('gemini-3-pro'),
  pinnedProject: (settings) => (settings as AntigravitySettingsDto).project,
};

/**
 * One id per conversation, as the IDE keeps one per chat: derived from the first user turn, so
 * every request of a conversation carries the same (and the upstream can reuse its cache).
 */
export function sessionIdOf(request: CodeAssistRequest['request']): string {
  const first = request.contents?.find((content) => content.role === 'user');
  if (!first) return `-${BigInt(`0x${randomUUID().replace(/-/g, '').slice(0, 15)}`)}`;
  const digest = createHash('sha256').update(JSON.stringify(first.parts ?? [])).digest();
  return `-${digest.readBigUInt64BE(0) & 0x7fffffffffffffffn}`;
}
