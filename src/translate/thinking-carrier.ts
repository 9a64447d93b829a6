// Claude's signed thinking blocks, carried through a Responses client in a reasoning item's
// `encrypted_content`: the field where the Responses API keeps reasoning the client cannot use
// but must send back (Codex CLI asks for it with `include: ["reasoning.encrypted_content"]` and
// returns the items unchanged). On a chat upstream that fronts Claude the blocks come as
// `thinking_blocks` (chat-to-messages-stream, LiteLLM's convention); Anthropic requires them back
// in a tool-use loop, or thinking has to be turned off for the rest of it.
// Not encrypted: the signature is what protects them, and they are the client's own answer.
import type { ChatThinkingBlock } from '../protocol/openai-chat';
import { isObject } from '../protocol/json-object';

/** Marks our content apart from OpenAI's (which starts `gAAAA`), so theirs is never misread. */
const PREFIX = 'byokey.thinking.v1:';

export function encryptedContentOf(blocks: ChatThinkingBlock[]): string {
  return PREFIX + Buffer.from(JSON.stringify(blocks), 'utf8').toString('base64url');
}

/** The thinking blocks a reasoning item carries, or undefined when its content is not ours (or broken). */
export function thinkingBlocksOf(encrypted: unknown): ChatThinkingBlock[] | undefined {
  if (typeof encrypted !== 'string' || !encrypted.startsWith(PREFIX)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encrypted.slice(PREFIX.length), 'base64url').toString('utf8'));
    const blocks = chatThinkingBlocks(parsed);
    return blocks.length > 0 ? blocks : undefined;
  } catch {
    return undefined;
  }
}

/** The well-formed thinking blocks of a chat message or delta's `thinking_blocks`. */
export function chatThinkingBlocks(value: unknown): ChatThinkingBlock[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (block): block is ChatThinkingBlock =>
      isObject(block) &&
      ((block.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string' && block.signature !== '') ||
        (block.type === 'redacted_thinking' && typeof block.data === 'string' && block.data !== '')),
  );
}
