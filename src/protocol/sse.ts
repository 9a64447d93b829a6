// Server-sent events as they cross the wire (WHATWG "event stream" format): one event is
// optional `event:`/`id:` lines and `data:` lines, ended by a blank line.

/** One event read from, or written to, an event stream. `data` is the joined data lines. */
export interface SseEvent {
  event?: string;
  id?: string;
  data: string;
}
