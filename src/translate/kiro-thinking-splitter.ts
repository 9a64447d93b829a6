// Splits the text of a Kiro answer asked to think into its thinking and its answer. Kiro streams
// the thinking inline, `<thinking>…</thinking>` before the answer, cut across events anywhere —
// a tag too. Only a `<thinking>` at the very start of the answer (after blank space) opens the
// thinking, so an answer that talks about the tag later is left as it is; the thinking ends at
// the first `</thinking>`, and the line breaks around the tags (`<thinking>\n…\n</thinking>\n\n`)
// are not part of either. Only what could still be part of a tag (or those line breaks) is held
// back between events; the rest goes out at once.
import { KIRO_THINKING_CLOSE, KIRO_THINKING_OPEN } from '../protocol/kiro-assistant-response';

export interface KiroTextPiece {
  kind: 'reasoning' | 'content';
  text: string;
}

type State =
  /** Nothing but blank space yet: the answer may still open with `<thinking>`. */
  | 'start'
  /** Inside the thinking. */
  | 'thinking'
  /** Just after `</thinking>`: the line breaks before the answer are dropped. */
  | 'closed'
  /** The answer: everything passes. */
  | 'answer';

export class KiroThinkingSplitter {
  private state: State = 'start';
  /** Text received but not yet sent: blank space or a partial tag. */
  private held = '';
  /** The line break after `<thinking>` may come in the next event: it is still to be dropped. */
  private openingBreak = false;

  push(text: string): KiroTextPiece[] {
    if (text === '') return [];
    if (this.state === 'answer') return [{ kind: 'content', text }];
    this.held += text;
    const out: KiroTextPiece[] = [];
    for (;;) {
      const before: State = this.state;
      this.step(out);
      if (this.state === before) return out;
    }
  }

  /** The answer's text is over (or a tool call interrupts it): what was held goes out where it belongs. */
  flush(): KiroTextPiece[] {
    const held = this.held;
    this.held = '';
    if (this.state === 'start') this.state = 'answer';
    if (held === '' || this.state === 'closed') return [];
    return [{ kind: this.state === 'thinking' ? 'reasoning' : 'content', text: held }];
  }

  /** Handles what is held in the current state; changes state when it can decide. */
  private step(out: KiroTextPiece[]): void {
    switch (this.state) {
      case 'start': {
        const trimmed = this.held.trimStart();
        if (trimmed.startsWith(KIRO_THINKING_OPEN)) {
          this.state = 'thinking';
          this.held = trimmed.slice(KIRO_THINKING_OPEN.length);
          this.openingBreak = true;
        } else if (!KIRO_THINKING_OPEN.startsWith(trimmed)) {
          // Not thinking after all: the answer, from its first character, untouched.
          this.state = 'answer';
          out.push({ kind: 'content', text: this.held });
          this.held = '';
        }
        return;
      }
      case 'thinking': {
        if (this.openingBreak) {
          if (this.held === '' || this.held === '\r') return;
          this.held = this.held.replace(/^\r?\n/, '');
          this.openingBreak = false;
        }
        const end = this.held.indexOf(KIRO_THINKING_CLOSE);
        if (end >= 0) {
          emit(out, 'reasoning', this.held.slice(0, end).replace(/\r?\n$/, ''));
          this.held = this.held.slice(end + KIRO_THINKING_CLOSE.length);
          this.state = 'closed';
          return;
        }
        const keep = partialTagLength(this.held, KIRO_THINKING_CLOSE);
        let sendable = this.held.slice(0, this.held.length - keep);
        // A line break just before the close tag is the tag's, not the thinking's: hold it too.
        const trailingBreak = /\r?\n$/.exec(sendable)?.[0] ?? '';
        sendable = sendable.slice(0, sendable.length - trailingBreak.length);
        emit(out, 'reasoning', sendable);
        this.held = this.held.slice(sendable.length);
        return;
      }
      case 'closed': {
        const answer = this.held.replace(/^[\r\n]+/, '');
        if (answer === '') {
          this.held = '';
          return;
        }
        this.state = 'answer';
        this.held = '';
        out.push({ kind: 'content', text: answer });
        return;
      }
      case 'answer':
        emit(out, 'content', this.held);
        this.held = '';
        return;
    }
  }
}

function emit(out: KiroTextPiece[], kind: KiroTextPiece['kind'], text: string): void {
  if (text !== '') out.push({ kind, text });
}

/** How many characters at the end of `text` could be the start of `tag`. */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}
