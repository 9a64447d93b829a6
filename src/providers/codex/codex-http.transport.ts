// Codex over HTTP: POST the request to `<base>/responses` and read the SSE answer
// (reference/wire-protocols.md §1.1, §1.5). Also serves OpenAI Platform keys, whose Responses
// API streams the same events.
import { Injectable } from '@nestjs/common';
import { isObject } from '../../protocol/json-object';
import { parseUpstreamJson } from '../../upstream/parse-upstream-json';
import { UpstreamHttp, type UpstreamResponse } from '../../upstream/upstream-http.service';
import { keepHeaders } from '../../upstream/upstream-response';
import { codexHttpError } from './codex-errors';
import type { RawCodexEvent } from './codex-event-stream';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';

export interface CodexHttpRequest {
  instance: string;
  url: string;
  headers: Record<string, string>;
  /** The credential in those headers, redacted from the upstream's error answers. */
  secret?: string;
  body: Record<string, unknown>;
  signal: AbortSignal;
  timeouts: UpstreamTimeouts;
  /** Sees the response headers (rate limits) of every answer, errors included. */
  onHeaders?(headers: Record<string, string>): void;
}

export interface CodexOpenStream {
  headers: Record<string, string>;
  events: AsyncIterable<RawCodexEvent>;
}

@Injectable()
export class CodexHttpTransport {
  constructor(private readonly http: UpstreamHttp) {}

  async open(request: CodexHttpRequest): Promise<CodexOpenStream> {
    const response = await this.http.request({
      instance: request.instance,
      url: request.url,
      method: 'POST',
      headers: { ...request.headers, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(request.body),
      signal: request.signal,
      timeouts: request.timeouts,
    });
    const headers = keepHeaders(response.headers);
    request.onHeaders?.(headers);
    if (response.status >= 400) {
      const text = await this.http.errorText(response.body, request.instance, request.signal);
      throw codexHttpError(request.instance, response.status, response.headers, text, { secret: request.secret });
    }
    return { headers, events: this.events(response, request.instance, request.signal) };
  }

  private async *events(response: UpstreamResponse, instance: string, signal: AbortSignal): AsyncGenerator<RawCodexEvent> {
    try {
      for await (const event of this.http.events(response.body, instance, signal)) {
        const json = parseUpstreamJson(event.data, instance, 'an event');
        if (isObject(json)) yield { data: event.data, json };
      }
    } finally {
      // The backend ends the body right after the terminal event: reading that end lets the
      // connection go back to the pool. Anything longer is cut.
      response.body.dump().catch(() => undefined);
    }
  }
}
