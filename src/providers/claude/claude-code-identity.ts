// What makes a request look like Claude Code's (reference/wire-protocols.md §3.1–3.2), which a
// Claude Pro/Max token requires: the CLI's headers, and a system prompt that starts with the
// billing-header block and "You are Claude Code, …". The caller's own system blocks follow.
import { createHash, randomUUID } from 'node:crypto';
import type { AnthropicMessageParam, AnthropicTextBlock, MessagesRequest } from '../../protocol/anthropic-messages';
import { isObject } from '../../protocol/json-object';

export const CLAUDE_CODE_VERSION = '2.1.109';
export const CLAUDE_CODE_USER_AGENT = `claude-cli/${CLAUDE_CODE_VERSION} (external, cli)`;
export const CLAUDE_CODE_PREFIX = "You are Claude Code, Anthropic's official CLI for Claude.";
const BILLING_MARKER = 'x-anthropic-billing-header';
const FINGERPRINT_SALT = '59cf53e54c78';

/** One session per process, as a running Claude Code has; a device id the same way. */
const SESSION_ID = randomUUID();
const DEVICE_ID = createHash('sha256').update(`byokey-device-${SESSION_ID}`).digest('hex');

export function claudeCodeHeaders(): Record<string, string> {
  return {
    'x-app': 'cli',
    'user-agent': CLAUDE_CODE_USER_AGENT,
    'anthropic-dangerous-direct-browser-access': 'true',
    'x-stainless-lang': 'js',
    'x-stainless-runtime': 'node',
    'x-stainless-runtime-version': 'v24.14.1',
    'x-stainless-package-version': '0.74.0',
    'x-stainless-os': 'MacOS',
    'x-stainless-arch': 'arm64',
    'x-stainless-retry-count': '0',
    'x-stainless-timeout': '600',
    'x-claude-code-session-id': SESSION_ID,
    'x-client-request-id': randomUUID(),
  };
}

/**
 * The body with Claude Code's system blocks first (kept, not doubled, when the client — Claude
 * Code itself — already sent them) and `metadata.user_id` set.
 */
export function withClaudeCodeIdentity(body: MessagesRequest, accountUuid: string | undefined): MessagesRequest {
  // A `system` of another shape is left for Anthropic to reject; ours go first all the same.
  const own: AnthropicTextBlock[] =
    typeof body.system === 'string' ? (body.system ? [{ type: 'text', text: body.system }] : []) : Array.isArray(body.system) ? [...body.system] : [];
  const billing = own.find((block) => typeof block?.text === 'string' && block.text.includes(BILLING_MARKER)) ?? {
    type: 'text',
    text: `${BILLING_MARKER}: cc_version=${CLAUDE_CODE_VERSION}.${fingerprint(body.messages)}; cc_entrypoint=cli;`,
  };
  const prefix = own.find((block) => typeof block?.text === 'string' && block.text.startsWith('You are Claude Code')) ?? {
    type: 'text',
    text: CLAUDE_CODE_PREFIX,
    cache_control: { type: 'ephemeral' },
  };
  const rest = own.filter((block) => block !== billing && block !== prefix);
  const metadata = isObject(body.metadata) ? body.metadata : {};
  const userId = metadata.user_id ?? JSON.stringify({ device_id: DEVICE_ID, account_uuid: accountUuid ?? '', session_id: SESSION_ID });
  return { ...body, system: [billing, prefix, ...rest], metadata: { ...metadata, user_id: userId } };
}

/**
 * The 3 hex digits Claude Code derives from the first user message: SHA-256 of a salt,
 * characters 4, 7 and 20 of that text ('0' when it is shorter) and the version.
 */
export function fingerprint(messages: AnthropicMessageParam[]): string {
  const first = Array.isArray(messages) ? messages.find((m) => m?.role === 'user') : undefined;
  const content = first?.content;
  const block = Array.isArray(content) ? (content.find((b) => b?.type === 'text') as AnthropicTextBlock | undefined) : undefined;
  const text = typeof content === 'string' ? content : typeof block?.text === 'string' ? block.text : '';
  const chars = [...text];
  const pick = (i: number) => chars[i] ?? '0';
  return createHash('sha256').update(`${FINGERPRINT_SALT}${pick(4)}${pick(7)}${pick(20)}${CLAUDE_CODE_VERSION}`).digest('hex').slice(0, 3);
}

