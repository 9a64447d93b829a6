// Every provider plugin module. Adding a provider is one folder under src/providers/ and one
// line here; removing one is the reverse. (OAuth logins are listed in oauth-definitions.ts.)
import { AntigravityModule } from './antigravity/antigravity.module';
import { ClaudeModule } from './claude/claude.module';
import { CodexModule } from './codex/codex.module';
import { CopilotModule } from './copilot/copilot.module';
import { GeminiModule } from './gemini/gemini.module';
import { IflowModule } from './iflow/iflow.module';
import { KimiModule } from './kimi/kimi.module';
import { KiroModule } from './kiro/kiro.module';
import { OpenAICompatibleModule } from './openai-compatible/openai-compatible.module';
import { QwenModule } from './qwen/qwen.module';

export const PROVIDER_PLUGIN_MODULES = [OpenAICompatibleModule, CodexModule, ClaudeModule, QwenModule, KimiModule, IflowModule, CopilotModule, GeminiModule, AntigravityModule, KiroModule];
