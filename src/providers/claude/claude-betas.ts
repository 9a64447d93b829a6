// The `anthropic-beta` header: what this credential needs, then the client's own, each once.

/** Claude Code's betas that a login needs (§3.1: claude-code, oauth, interleaved thinking). */
export const OAUTH_BETAS = ['claude-code-20250219', 'oauth-2025-04-20', 'interleaved-thinking-2025-05-14'] as const;

/**
 * The beta a `role: "system"` turn inside `messages` needs (§3.1 #9). Claude Code sends such
 * turns without it (2.1.332, captured), so the gateway adds it when the body has one.
 */
export const MID_CONVERSATION_SYSTEM_BETA = 'mid-conversation-system-2026-04-07';

/** The betas the body's own shape needs, whoever sent it. */
export function betasForBody(body: { messages?: unknown }): string[] {
  const messages = body.messages;
  if (!Array.isArray(messages)) return [];
  const hasSystemTurn = messages.some((m) => m !== null && typeof m === 'object' && (m as { role?: unknown }).role === 'system');
  return hasSystemTurn ? [MID_CONVERSATION_SYSTEM_BETA] : [];
}

export function mergeBetas(required: readonly string[], client: string | undefined, body: unknown): string | undefined {
  const all = [...required];
  const add = (beta: string) => {
    const name = beta.trim();
    if (name && !all.includes(name)) all.push(name);
  };
  for (const beta of (client ?? '').split(',')) add(beta);
  // Some clients put betas in the body (`betas: [...]`), which the API does not take there.
  if (Array.isArray(body)) for (const beta of body) if (typeof beta === 'string') add(beta);
  return all.length > 0 ? all.join(',') : undefined;
}
