// Server-sent events as they cross the wire (WHATWG "event stream" format): one event is
// optional `event:`/`id:` lines and `data:` lines, ended by a blank line.

/** One event read from, or written to, an event stream. `data` is the joined data lines. */
export interface SseEvent {
  event?: string;
  id?: string;
  data: string;
  /**
   * The data already parsed as JSON, when whoever produced the event had to parse it anyway
   * (so the next reader does not parse it again). Never written to the wire.
   */
  json?: unknown;
}
