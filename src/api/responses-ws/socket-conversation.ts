// The conversation of one client Responses WebSocket, kept by byokey for the responses an upstream
// without Responses state serves (a chat or Messages model). Codex CLI over a WebSocket (v2,
// reference/wire-protocols.md §1.8) opens with a warm-up (`generate: false`) and sends each
// follow-up as `previous_response_id` plus only the new input items, trusting the server to hold
// what came before on the connection. The Codex backend does; a chat or Messages upstream cannot,
// so the socket remembers the last response's whole conversation (its input, then its output)
// and hands the follow-up on with the conversation spelled out in `input`. A warm-up generates
// nothing: it is answered here with an empty completed response, and no upstream is asked.
import { randomUUID } from 'node:crypto';
import { isObject } from '../../protocol/json-object';
import type { ResponseObject, ResponsesItem, ResponsesRequest } from '../../protocol/openai-responses';

export class SocketConversation {
  /** The last completed response on the socket and its whole conversation (input, then output). */
  private last?: { id: string; items: ResponsesItem[] };

  /**
   * The request with its `previous_response_id` resolved: the remembered conversation, then the
   * new items, in `input`. A request naming another response (or none) is returned as it came;
   * the bridge refuses an unknown id with a 400 as over HTTP.
   */
  resolve(request: ResponsesRequest): ResponsesRequest {
    const previous = request.previous_response_id;
    if (typeof previous !== 'string' || previous === '' || previous !== this.last?.id) return request;
    const { previous_response_id: _resolved, ...rest } = request;
    return { ...rest, input: [...this.last.items, ...inputItems(request)] };
  }

  /**
   * The response's events as they go to the client; once `response.completed` passes, its id and
   * conversation (the request's input, the response's output) are remembered for the next turn.
   */
  async *remember(request: ResponsesRequest, events: AsyncIterable<string>): AsyncGenerator<string> {
    for await (const event of events) {
      // Only the terminal event is parsed: every other one goes by untouched.
      if (event.includes('"response.completed"')) this.completed(request, event);
      yield event;
    }
  }

  /** Codex CLI's warm-up: an empty completed response, remembered so the first turn can name it. */
  async *warmUp(request: ResponsesRequest): AsyncGenerator<string> {
    const response: ResponseObject = { id: `resp_byokey_${randomUUID().replace(/-/g, '')}`, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'in_progress', model: request.model, output: [], usage: null };
    const completed: ResponseObject = { ...response, status: 'completed', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } };
    this.last = { id: response.id, items: inputItems(request) };
    yield JSON.stringify({ type: 'response.created', sequence_number: 0, response });
    yield JSON.stringify({ type: 'response.completed', sequence_number: 1, response: completed });
  }

  private completed(request: ResponsesRequest, text: string): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return;
    }
    if (!isObject(event) || event.type !== 'response.completed' || !isObject(event.response) || typeof event.response.id !== 'string') return;
    const output = Array.isArray(event.response.output) ? (event.response.output as ResponsesItem[]) : [];
    this.last = { id: event.response.id, items: [...inputItems(request), ...output] };
  }
}

/** A request's input as items (a plain string is one user message). */
function inputItems(request: ResponsesRequest): ResponsesItem[] {
  if (typeof request.input === 'string') return [{ type: 'message', role: 'user', content: request.input } as ResponsesItem];
  return Array.isArray(request.input) ? request.input : [];
}
