// An estimate of a Messages request's input tokens, for `/v1/messages/count_tokens` on models
// whose provider has no counting endpoint. It is an ESTIMATE: no tokenizer, about four characters
// per token for Latin-script text and one token per CJK / kana / hangul character, a fixed cost
// per image and document, and small per-message and per-tool overheads. Clients use the number
// to budget context, so it errs a little high rather than low; exact counts arrive in `usage`.
import type { MessagesRequest } from '../protocol/anthropic-messages';
import { isObject } from '../protocol/json-object';

const CHARS_PER_TOKEN = 4;
/** Anthropic's figure for a full-size (≈1.15 megapixel) image; we cannot see the real size cheaply. */
export const IMAGE_TOKENS = 1600;
/** A PDF or other non-text document: a few pages' worth. */
export const DOCUMENT_TOKENS = 3000;
/** Role markers and separators around each message. */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** The tool-use preamble a provider adds once when tools are present, and framing per tool. */
const TOOLS_OVERHEAD_TOKENS = 150;
const TOOL_OVERHEAD_TOKENS = 10;

export function estimateInputTokens(request: MessagesRequest): number {
  const counter = new Counter();
  counter.content(request.system);
  for (const message of Array.isArray(request.messages) ? request.messages : []) {
    if (!isObject(message)) continue;
    counter.tokens += MESSAGE_OVERHEAD_TOKENS;
    counter.content(message.content);
  }
  const tools = Array.isArray(request.tools) ? request.tools.filter(isObject) : [];
  if (tools.length > 0) counter.tokens += TOOLS_OVERHEAD_TOKENS;
  for (const tool of tools) {
    counter.tokens += TOOL_OVERHEAD_TOKENS;
    counter.text(tool.name);
    counter.text(tool.description);
    if (tool.input_schema !== undefined) counter.text(JSON.stringify(tool.input_schema));
  }
  return counter.total();
}

class Counter {
  tokens = 0;
  private latin = 0;
  private wide = 0;

  total(): number {
    return Math.max(1, this.tokens + this.wide + Math.ceil(this.latin / CHARS_PER_TOKEN));
  }

  text(value: unknown): void {
    if (typeof value !== 'string') return;
    for (const ch of value) {
      if (isWide(ch.codePointAt(0)!)) this.wide++;
      else this.latin++;
    }
  }

  /** A string, a block, or a list of blocks (message content, system, tool_result content). */
  content(value: unknown): void {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      for (const block of value) this.content(block);
      return;
    }
    if (!isObject(value)) return;
    switch (value.type) {
      case 'text':
        return this.text(value.text);
      case 'image':
        this.tokens += IMAGE_TOKENS;
        return;
      case 'document': {
        const source = isObject(value.source) ? value.source : {};
        if (source.type === 'text') this.text(source.data);
        else if (source.type === 'content') this.content(source.content);
        else this.tokens += DOCUMENT_TOKENS;
        return;
      }
      case 'tool_use':
        this.text(value.name);
        this.text(JSON.stringify(value.input ?? {}));
        return;
      case 'tool_result':
        return this.content(value.content);
      case 'search_result':
        this.text(value.title);
        this.text(value.source);
        return this.content(value.content);
      case 'tool_reference':
        // Sent to a chat model as "[tool_reference: Name]".
        return this.text(`[tool_reference: ${typeof value.tool_name === 'string' ? value.tool_name : ''}]`);
      case 'thinking':
        // Chat providers are not sent past reasoning (MessagesToChatTranslator drops it).
        return;
      default:
        return;
    }
  }
}

/** CJK ideographs, kana, hangul and full-width forms: about a token each in current tokenizers. */
function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x2e80 && codePoint <= 0x9fff) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7af) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xff00 && codePoint <= 0xffef) ||
    (codePoint >= 0x20000 && codePoint <= 0x3ffff)
  );
}
