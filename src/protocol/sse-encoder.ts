// Writes server-sent events in the exact framing clients expect: `event:` line only when the
// protocol uses one (Anthropic does, OpenAI chat does not), one `data:` line per line of
// payload, and a blank line after each event.
import type { SseEvent } from './sse';

export function encodeSseEvent(event: SseEvent): string {
  let frame = '';
  if (event.event !== undefined) frame += `event: ${event.event}\n`;
  if (event.id !== undefined) frame += `id: ${event.id}\n`;
  // JSON payloads never contain raw line breaks; split only when one does (a lone \r counts:
  // SSE readers end a line there), so the common case is a single concatenation.
  if (event.data.indexOf('\n') === -1 && event.data.indexOf('\r') === -1) {
    frame += `data: ${event.data}\n\n`;
  } else {
    for (const line of event.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
    frame += '\n';
  }
  return frame;
}

/** A comment line: ignored by every SSE client, but it keeps idle proxies from closing. */
export function encodeSseComment(text: string): string {
  return `: ${text}\n\n`;
}
