// Collects one whole Response from a Responses event stream (reference/wire-protocols.md §1.6):
// every `output_item.done` item by `output_index`, and the terminal response with its `output`
// filled from them — the Codex backend often sends `response.completed` with `output: []`.
// Serves non-stream answers (chat and Responses routes) and the `response.completed` event
// streamed to Responses clients.
import type { ResponseLifecycleEvent, ResponseObject, ResponsesItem, ResponsesStreamEvent } from '../protocol/openai-responses';
import { ResponsesStreamError, responsesStreamErrorOf, streamEndedEarly } from './responses-stream-error';
import { isObject } from '../protocol/json-object';

/**
 * Push every event; `push` never throws and returns the event to forward (the terminal one
 * with its output filled). `completedResponse()` gives the answer once the stream is over,
 * or throws the ResponsesStreamError that stopped it. `response.incomplete` is an answer too
 * (status `incomplete`, with `incomplete_details`), not an error.
 */
export class ResponsesAccumulator {
  private readonly collected = new Map<number, ResponsesItem>();
  private terminal?: ResponseObject;
  private failure?: ResponsesStreamError;

  push(event: ResponsesStreamEvent): ResponsesStreamEvent {
    if (this.terminal || this.failure) return event;
    switch (event.type) {
      case 'response.output_item.done': {
        const { output_index: index, item } = event as { output_index?: unknown; item?: unknown };
        if (typeof index === 'number' && isObject(item)) this.collected.set(index, item as ResponsesItem);
        return event;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const filled = this.fillCompleted(event as ResponseLifecycleEvent);
        this.terminal = filled.response;
        return filled;
      }
      case 'response.failed':
      case 'error':
        this.failure = responsesStreamErrorOf(event);
        return event;
      default:
        return event;
    }
  }

  /** `response.completed` or `response.incomplete` has arrived. */
  get finished(): boolean {
    return this.terminal !== undefined;
  }

  /** The failure reported by the stream (`response.failed`, `error`), if any. */
  get error(): ResponsesStreamError | undefined {
    return this.failure;
  }

  /** The items of `output_item.done` events so far, in `output_index` order. */
  get items(): ResponsesItem[] {
    return sortedItems(this.collected);
  }

  /** The finished response. Throws the stream's failure, or `ended_early` if it never finished. */
  completedResponse(): ResponseObject {
    if (this.failure) throw this.failure;
    if (!this.terminal) throw streamEndedEarly();
    return this.terminal;
  }

  /** A terminal event with `response.output` filled from the items collected so far. */
  fillCompleted<E extends ResponseLifecycleEvent>(event: E): E {
    if (!isObject(event.response)) return event;
    const response = fillResponseOutput(event.response, this.collected);
    return response === event.response ? event : { ...event, response };
  }
}

/**
 * `response` with its `output` rebuilt from the streamed items when it is empty or lists fewer
 * items than were streamed. The streamed copies win (they are the authoritative ones, §1.5);
 * items only the response has are kept after them. Returns `response` itself when nothing changes.
 */
export function fillResponseOutput(response: ResponseObject, items: ReadonlyMap<number, ResponsesItem>): ResponseObject {
  const streamed = sortedItems(items);
  const output = Array.isArray(response.output) ? response.output : [];
  if (output.length >= streamed.length && output === response.output) return response;
  if (output.length >= streamed.length) return { ...response, output };
  const known = new Set(streamed.map(itemKey));
  const extra = output.filter((item) => !known.has(itemKey(item)));
  return { ...response, output: [...streamed, ...extra] };
}

function sortedItems(items: ReadonlyMap<number, ResponsesItem>): ResponsesItem[] {
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** What identifies an item across the stream and the final response. */
function itemKey(item: ResponsesItem): string {
  if (typeof item.id === 'string' && item.id !== '') return `id:${item.id}`;
  if (typeof item.call_id === 'string' && item.call_id !== '') return `call:${item.type}:${item.call_id}`;
  return `json:${JSON.stringify(item)}`;
}

