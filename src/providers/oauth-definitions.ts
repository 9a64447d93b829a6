// The OAuth login of every subscription provider, by provider id, for `byokey login` and the
// token refresher. Each definition lives in its provider's folder.
import type { OAuthDefinition } from '../auth/oauth-definition';
import { ANTIGRAVITY_OAUTH } from './antigravity/antigravity.oauth';
import { CLAUDE_OAUTH } from './claude/claude.oauth';
import { CODEX_OAUTH } from './codex/codex.oauth';
import { COPILOT_OAUTH } from './copilot/copilot.oauth';
import { GEMINI_OAUTH } from './gemini/gemini.oauth';
import { IFLOW_OAUTH } from './iflow/iflow.oauth';
import { KIMI_OAUTH } from './kimi/kimi.oauth';
import { KIRO_OAUTH } from './kiro/kiro.oauth';
import { QWEN_OAUTH } from './qwen/qwen.oauth';

export const OAUTH_DEFINITIONS: Readonly<Record<string, OAuthDefinition>> = Object.fromEntries(
  [CODEX_OAUTH, CLAUDE_OAUTH, COPILOT_OAUTH, GEMINI_OAUTH, QWEN_OAUTH, KIMI_OAUTH, IFLOW_OAUTH, ANTIGRAVITY_OAUTH, KIRO_OAUTH].map(
    (definition) => [definition.provider, definition],
  ),
);
