// The protocols byokey speaks. An upstream (executor) speaks one WireProtocol natively; a public
// route serves one ClientProtocol. The protocol table (translate/protocol-table.ts) has a bridge
// for every pair, so a new member here does not compile until its row and column are filled.

/**
 * The wire protocols an executor can speak natively. `kiro` (AWS CodeWhisperer's
 * generateAssistantResponse, answered in AWS event-stream frames) is an upstream protocol only.
 */
export type WireProtocol = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini' | 'kiro';

/** The APIs a client can call: chat completions, the Responses API, Anthropic's Messages, Gemini's generateContent. */
export type ClientProtocol = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini';
