// The editor identity byokey presents to GitHub Copilot (reference/wire-protocols.md §5): the
// versions of VS Code and its Copilot Chat extension, and the API version. The one place to keep
// current; an instance can override any of them with its `headers:` setting.
export const COPILOT_EDITOR_VERSION = 'vscode/1.107.0';
export const COPILOT_PLUGIN_VERSION = 'copilot-chat/0.35.0';
export const COPILOT_USER_AGENT = 'GitHubCopilotChat/0.35.0';
/** CPA and the original byokey send 2025-04-01; ericc-ch/copilot-api 2025-05-01 (§5). */
export const COPILOT_API_VERSION = '2025-04-01';
export const COPILOT_INTEGRATION_ID = 'vscode-chat';
/** `conversation-panel` per CPA's auth helper, BK and ECC (CPA's executor says `conversation-edits`). */
export const COPILOT_OPENAI_INTENT = 'conversation-panel';

/** Where GitHub's own API lives: the token exchange and the quota. */
export const GITHUB_API_URL = 'https://api.github.com';
/** The Copilot API when the token exchange names none (§5). */
export const COPILOT_DEFAULT_API_URL = 'https://api.githubcopilot.com';
